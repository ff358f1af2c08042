/**
 * The scope (account and region) of every cluster route, resolved before the change pipeline so
 * that operation and audit records carry it: `/accounts/{accountId}/regions/{region}/clusters/...`
 * names it (an unknown account or a region the account does not allow is a 404 problem naming the
 * parameter), `/clusters/...` means the default account in its default region.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { Scope, ScopeResolver } from '../accounts/scopes.ts'

declare module 'fastify' {
  interface FastifyRequest {
    /** The scope of a cluster route's request; null on other routes. */
    scope: Scope | null
  }
}

export interface ScopePluginOptions {
  resolver: ScopeResolver
}

/** The prefix under which every cluster route is served again, for any account and region of the registry. */
export const ACCOUNT_SCOPE_PREFIX = '/accounts/:accountId/regions/:region'

/** Routes under /clusters, in either form, act in a scope. */
export const isClusterScoped = (url: string) => url === '/clusters' || url.startsWith('/clusters/') || url.startsWith(ACCOUNT_SCOPE_PREFIX + '/clusters')

/** The URL names its account and region. */
export const namesScope = (url: string) => url.startsWith(ACCOUNT_SCOPE_PREFIX + '/')

/** What the path names, before the scope is resolved: the raw account id and region, or undefined for the default scope. */
export function namedScope (request: FastifyRequest): { accountId: string, region: string } | undefined {
  if (!namesScope(request.routeOptions.url ?? '')) return undefined
  const { accountId, region } = request.params as { accountId: string, region: string }
  return { accountId, region }
}

/** The request's scope: resolved by the plugin, or the default scope. */
export function requestScope (request: FastifyRequest): Scope {
  return request.scope ?? request.server.services.scopes.resolver.defaultScope
}

async function scopePlugin (app: FastifyInstance, options: ScopePluginOptions): Promise<void> {
  const { resolver } = options
  app.decorateRequest('scope', null)
  // preHandler: after validation (a malformed account id is a 400 naming it), before the change pipeline.
  app.addHook('preHandler', async (request) => {
    const url = request.routeOptions.url ?? ''
    if (!isClusterScoped(url)) return
    const named = namedScope(request)
    request.scope = named === undefined ? resolver.defaultScope : await resolver.resolve(named.accountId, named.region)
  })
}

export default fp(scopePlugin, { name: 'scope', fastify: '5.x' })
