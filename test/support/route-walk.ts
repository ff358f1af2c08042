/**
 * Walks every route of an app and checks that each non-public one answers 401 without
 * credentials and 403 with credentials that carry no grant. Works from the auth plugin's
 * `app.routeAccessTable` (every route registered after the plugin), so a newly added route cannot
 * be forgotten.
 */
import type { FastifyInstance, HTTPMethods } from 'fastify'
import type { RouteAuthRequirement } from '../../src/auth/route-requirements.ts'

export interface WalkedRoute {
  method: string
  url: string
  requirement: RouteAuthRequirement
}

export interface RouteWalkOptions {
  /** Authorization header of a valid principal that has no grant at all. */
  ungrantedAuthorization: string
  /** Value substituted for every path parameter. Default `walk-cluster`. */
  paramValue?: string
  /** Extra headers sent on every request (e.g. an Idempotency-Key). */
  headers?: Record<string, string>
}

export interface RouteWalkViolation {
  method: string
  url: string
  problem: string
}

export function concretePath (url: string, value: string): string {
  return url.replace(/:[A-Za-z0-9_]+/g, value).replace(/\*$/, value)
}

/** Returns every route that does not behave; an empty list means all non-public routes are protected. */
export async function walkProtectedRoutes (app: FastifyInstance, routes: readonly WalkedRoute[], options: RouteWalkOptions): Promise<RouteWalkViolation[]> {
  const violations: RouteWalkViolation[] = []
  for (const route of routes) {
    if (route.requirement.public) continue
    const method = route.method.toUpperCase() as HTTPMethods
    const url = concretePath(route.url, options.paramValue ?? 'walk-cluster')
    const payload = ['POST', 'PUT', 'PATCH'].includes(method) ? {} : undefined

    const anonymous = await app.inject({ method, url, payload, headers: { ...options.headers } })
    if (anonymous.statusCode !== 401) {
      violations.push({ method, url: route.url, problem: `without credentials answered ${anonymous.statusCode}, expected 401` })
    } else if (!String(anonymous.headers['www-authenticate'] ?? '').startsWith('Bearer ')) {
      violations.push({ method, url: route.url, problem: 'the 401 carries no WWW-Authenticate: Bearer challenge' })
    }

    const ungranted = await app.inject({ method, url, payload, headers: { ...options.headers, authorization: options.ungrantedAuthorization } })
    if (ungranted.statusCode !== 403) {
      violations.push({ method, url: route.url, problem: `with an ungranted principal answered ${ungranted.statusCode}, expected 403` })
    }
  }
  return violations
}
