/**
 * How a cluster route reaches its scope (account and region): the services of the scope, and the
 * URL of an answer in the form the request used. See routes/README.md ("Cluster-scoped routes").
 */
import type { FastifyRequest } from 'fastify'
import type { ScopedServices } from '../../src/accounts/scoped-services.ts'
import { scopeNames } from '../../src/accounts/scopes.ts'
import type { GrantScope } from '../../src/auth/grants.ts'
import { requestScope } from '../../src/plugins/scope.ts'

/** The AWS-reaching services of the request's scope. */
export function scopedServices (request: FastifyRequest): ScopedServices {
  return request.server.services.scopes.of(requestScope(request))
}

/** The account id (when known) and region of the request's scope, as records and grants name it. */
export function scopeOf (request: FastifyRequest): GrantScope {
  return scopeNames(requestScope(request))
}

/** `path` (e.g. `/clusters/prod/oidc-provider`) as the request named it: under `/accounts/{accountId}/regions/{region}` when it did. */
export function scopedPath (request: FastifyRequest, path: string): string {
  const { accountId, region } = request.params as { accountId?: string, region?: string }
  if (accountId === undefined || region === undefined) return path
  return `/accounts/${encodeURIComponent(accountId)}/regions/${encodeURIComponent(region)}${path}`
}
