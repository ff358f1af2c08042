/**
 * Authentication and per-cluster authorization for every route.
 *
 * Hook order within a request:
 *   1. onRequest  (this plugin)   authenticate; the result is kept, nothing is thrown yet
 *   2. onRequest  (rate limiter)  route-level hook of @fastify/rate-limit, keyed by the principal
 *                                 or, for unauthenticated requests, by IP
 *   3. preParsing (this plugin)   401 for missing/invalid credentials, then 403 without a grant;
 *                                 the body is never read for rejected requests
 *   4. preValidation, preHandler  schema validation, idempotency (claims a key), handler, AWS
 * So authorization always runs before the idempotency lookup and before any AWS call.
 */
import fp from 'fastify-plugin'
import type { FastifyContextConfig, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { problem, type ServiceError } from '../errors.ts'
import { createAuthenticator } from '../auth/authenticator.ts'
import type { AuthFailure, Authenticator } from '../auth/authenticator.ts'
import type { AuthConfig } from '../auth/config.ts'
import { createAuthorizer, describeMissingGrant, type GrantScope } from '../auth/grants.ts'
import { IdentityProviderUnavailableError } from '../auth/issuer-fetch.ts'
import type { Principal } from '../auth/principal.ts'
import { routeAuthRequirement } from '../auth/route-requirements.ts'
import type { RouteAccessConfig, RouteAuthRequirement } from '../auth/route-requirements.ts'
import { isClusterScoped, namedScope } from './scope.ts'

export interface RouteAccessEntry {
  method: string
  url: string
  requirement: RouteAuthRequirement
  /** The route's whole config (idempotency, declared problems…), for route-table tests. */
  config: FastifyContextConfig
}

declare module 'fastify' {
  interface FastifyContextConfig extends RouteAccessConfig {}
  interface FastifyRequest {
    /** Set on authenticated requests; null on public routes and before authentication. */
    principal: Principal | null
    /** On `cluster: 'filtered'` routes: what the caller's grants reach for the route's action. */
    visibility: Visibility | null
  }
  interface FastifyInstance {
    /** Every route seen by the auth plugin with its access requirement (for route-table tests). */
    routeAccessTable: RouteAccessEntry[]
  }
}

/** Which scopes and clusters a caller may see (the grants of a `cluster: 'filtered'` route). */
export interface Visibility {
  scope (scope: GrantScope): boolean
  cluster (name: string, scope: GrantScope): boolean
}

const SEES_ALL: Visibility = { scope: () => true, cluster: () => true }

export interface AuthPluginOptions {
  config: AuthConfig
  /** Replaces the authenticator built from `config` (tests). */
  authenticator?: Authenticator
  /**
   * URL prefixes whose routes are public without declaring it, for routes added by third-party
   * plugins that cannot take a route config (e.g. `['/docs']` for @fastify/swagger-ui).
   */
  publicPrefixes?: string[]
  /** The account and region of `/clusters/...` (the registry's default), for grants scoped by account or region. */
  defaultScope?: GrantScope
}

export const AUTH_REALM = 'eks-oidc-api'

type PendingFailure = AuthFailure | { kind: 'unavailable' }

const UNAUTHORIZED_DETAIL: Record<AuthFailure['kind'], string> = {
  missing: 'This API needs a bearer token: send "Authorization: Bearer <token>".',
  malformed: 'The Authorization header must have the form "Bearer <token>".',
  invalid: 'The bearer token is not valid (unknown, expired, not yet valid, or not meant for this service).'
}

function challenge (failure: AuthFailure): string {
  const base = `Bearer realm="${AUTH_REALM}"`
  if (failure.kind === 'missing') return base
  return `${base}, error="${failure.kind === 'malformed' ? 'invalid_request' : 'invalid_token'}"`
}

function rejection (reply: FastifyReply, failure: PendingFailure): ServiceError {
  if (failure.kind === 'unavailable') {
    return problem('IdentityProviderUnavailable', {
      detail: 'The bearer token cannot be checked right now because the identity provider is unreachable.'
    })
  }
  reply.header('www-authenticate', challenge(failure))
  return problem('UnauthorizedException', { detail: UNAUTHORIZED_DETAIL[failure.kind] })
}

function markPublicPrefixes (config: RouteAccessConfig | undefined, url: string, prefixes: string[]): RouteAccessConfig | undefined {
  if (config?.auth !== undefined || config?.public !== undefined) return config
  const inside = prefixes.some(prefix => url === prefix || url.startsWith(prefix.endsWith('/') ? prefix : prefix + '/'))
  return inside ? { ...config, public: true } : config
}

async function authPlugin (app: FastifyInstance, options: AuthPluginOptions): Promise<void> {
  const authenticator = options.authenticator ?? createAuthenticator(options.config)
  const authorizer = createAuthorizer(options.config.grants)
  const publicPrefixes = options.publicPrefixes ?? []
  const pending = new WeakMap<FastifyRequest, PendingFailure>()
  const table: RouteAccessEntry[] = []

  if (authenticator.disabled) {
    app.log.warn('authentication is DISABLED (AUTH_MODE=none): every request acts as "anonymous" with every permission; listen on loopback only')
  } else if (options.config.grants.length === 0) {
    app.log.warn('no authorization grants configured: every authenticated request will be denied (set AUTH_GRANTS or AUTH_GRANTS_FILE)')
  }

  app.decorate('routeAccessTable', table)
  app.decorateRequest('principal', null)
  app.decorateRequest('visibility', null)

  app.addHook('onRoute', (route) => {
    route.config = markPublicPrefixes(route.config, route.url, publicPrefixes)
    // Throws for a route that declares neither public nor auth: refused at start, not at request time.
    const requirement = routeAuthRequirement(route)
    for (const method of [route.method].flat()) table.push({ method, url: route.url, requirement, config: route.config ?? {} })
  })

  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config.public === true) return
    try {
      const outcome = await authenticator.authenticate(request.headers.authorization)
      if (outcome.ok) {
        request.principal = outcome.principal
        if (request.requestContext) request.requestContext.principal = outcome.principal.name
      } else pending.set(request, outcome.failure)
    } catch (error) {
      if (!(error instanceof IdentityProviderUnavailableError)) throw error
      request.log.warn({ reason: error.message }, 'identity provider unavailable')
      pending.set(request, { kind: 'unavailable' })
    }
  })

  app.addHook('preParsing', async (request, reply) => {
    if (request.routeOptions.config.public === true) return
    const failure = pending.get(request)
    if (failure !== undefined) {
      if (failure.kind === 'invalid') request.log.info({ authFailure: failure.reason }, 'bearer token rejected')
      throw rejection(reply, failure)
    }
    // Unknown paths only need authentication; the not-found handler answers them.
    if (request.is404) return
    if (authenticator.disabled) {
      request.visibility = SEES_ALL
      return
    }
    const principal = request.principal
    if (principal === null) throw rejection(reply, { kind: 'missing' })

    const requirement = routeAuthRequirement(request.routeOptions)
    if (requirement.public) return
    if (requirement.filtered) {
      const { action } = requirement
      // A caller with no grant for the action at all is refused, as on any route; otherwise the answer is filtered.
      if (!authorizer.reachesScope(principal.name, action)) {
        throw problem('AccessDenied', { detail: `principal ${JSON.stringify(principal.name)} lacks "${action}" on any cluster` })
      }
      request.visibility = {
        scope: (scope) => authorizer.reachesScope(principal.name, action, scope),
        cluster: (name, scope) => authorizer.allows(principal.name, action, name, scope)
      }
      return
    }
    const params = request.params as Record<string, string | undefined>
    const cluster = requirement.clusterParam === undefined ? undefined : params[requirement.clusterParam]
    // Checked on what the path names, before the scope is resolved: a caller without a grant learns nothing of the registry.
    const scope = isClusterScoped(request.routeOptions.url ?? '') ? namedScope(request) ?? options.defaultScope : undefined
    if (!authorizer.allows(principal.name, requirement.action, cluster, scope)) {
      throw problem('AccessDenied', { detail: describeMissingGrant(principal.name, requirement.action, cluster, scope) })
    }
    const otherAccount = requirement.accountParam === undefined ? undefined : params[requirement.accountParam]
    // The route acts in a second account too (its IAM is global): the grant must reach the cluster there, in the request's region.
    const alsoIn = otherAccount === undefined || scope === undefined ? undefined : { accountId: otherAccount, region: scope.region }
    if (alsoIn !== undefined && !authorizer.allows(principal.name, requirement.action, cluster, alsoIn)) {
      throw problem('AccessDenied', { detail: describeMissingGrant(principal.name, requirement.action, cluster, alsoIn) })
    }
  })

  app.addHook('onClose', async () => { await authenticator.close() })
}

export default fp(authPlugin, { name: 'eks-oidc-api-auth', fastify: '5.x' })
