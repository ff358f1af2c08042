/**
 * What a route declares about access, read from its `config`:
 *   - `config: { public: true }` — no authentication (health, readiness, docs, openapi, metrics);
 *   - `config: { change: … }` — a mutating route: as `auth: { action: 'write' }`;
 *   - `config: { auth: { action, cluster? } }` — authenticate, then require `action` on the
 *     cluster named by a path parameter. `cluster` is `'param:<name>'` (default `'param:name'`
 *     when the path has a `:name` parameter) or `'none'` for routes about no single cluster,
 *     which need a grant on `*`. `account: 'param:<name>'` names a second account the route acts
 *     in (IRSA across accounts): the grant must reach the cluster in that account too. `'filtered'`
 *     (as `cluster`) is for routes that answer only what the caller's grants reach (the handler
 *     filters with `request.visibility`; any caller with a grant for the action).
 * A route declaring neither is refused at start.
 */
import { AUTH_ACTIONS } from './principal.ts'
import type { AuthAction } from './principal.ts'

export type ClusterSource = `param:${string}` | 'none' | 'filtered'

export interface RouteAuthConfig {
  action: AuthAction
  cluster?: ClusterSource
  /** A path parameter naming another account the route writes in or reads from, besides the cluster's. */
  account?: `param:${string}`
}

/** The members of a route's `config` that the auth plugin reads. */
export interface RouteAccessConfig {
  public?: boolean
  auth?: RouteAuthConfig
}

/** A mutating route (`config.change`, see src/changes/declaration.ts) needs a `write` grant unless it declares `auth`. */
const declaresChange = (config: unknown) => (config as { change?: unknown } | undefined)?.change !== undefined

const CHANGE_AUTH: RouteAuthConfig = { action: 'write' }

export type RouteAuthRequirement =
  | { public: true }
  | { public: false, action: AuthAction, clusterParam?: string, accountParam?: string, filtered?: true }

export interface RouteLike {
  method?: string | string[]
  url?: string
  config?: unknown
}

const DEFAULT_CLUSTER_PARAM = 'name'

export class RouteAccessDeclarationError extends Error {
  constructor (route: RouteLike, problem: string) {
    super(`Route ${[route.method].flat().join(',')} ${route.url ?? '?'}: ${problem}`)
    this.name = 'RouteAccessDeclarationError'
  }
}

function pathParams (url: string | undefined): string[] {
  return [...(url ?? '').matchAll(/:([A-Za-z0-9_]+)/g)].map(match => match[1])
}

/**
 * The access requirement of a route, or a RouteAccessDeclarationError when it declares none or a
 * malformed one. Usable on Fastify's onRoute options and on `request.routeOptions`.
 */
export function routeAuthRequirement (route: RouteLike): RouteAuthRequirement {
  const config = (route.config ?? {}) as RouteAccessConfig
  if (config.public === true) {
    if (config.auth !== undefined) throw new RouteAccessDeclarationError(route, 'declares both public: true and auth')
    return { public: true }
  }
  const auth = config.auth ?? (declaresChange(config) ? CHANGE_AUTH : undefined)
  if (auth === undefined) {
    throw new RouteAccessDeclarationError(route, 'declares neither config.public, config.auth nor config.change (every route must choose)')
  }
  if (!AUTH_ACTIONS.includes(auth.action)) {
    throw new RouteAccessDeclarationError(route, `config.auth.action must be one of ${AUTH_ACTIONS.join(', ')}`)
  }
  const params = pathParams(route.url)
  const accountParam = auth.account?.slice('param:'.length)
  if (accountParam !== undefined && !params.includes(accountParam)) {
    throw new RouteAccessDeclarationError(route, `config.auth.account "${auth.account}" names no path parameter of the route`)
  }
  return { ...clusterRequirement(route, auth, params), ...(accountParam === undefined ? {} : { accountParam }) }
}

function clusterRequirement (route: RouteLike, auth: RouteAuthConfig, params: string[]): RouteAuthRequirement {
  if (auth.cluster === 'none') return { public: false, action: auth.action }
  if (auth.cluster === 'filtered') return { public: false, action: auth.action, filtered: true }
  if (auth.cluster === undefined) {
    return params.includes(DEFAULT_CLUSTER_PARAM)
      ? { public: false, action: auth.action, clusterParam: DEFAULT_CLUSTER_PARAM }
      : { public: false, action: auth.action }
  }
  const param = auth.cluster.startsWith('param:') ? auth.cluster.slice('param:'.length) : ''
  if (!params.includes(param)) {
    throw new RouteAccessDeclarationError(route, `config.auth.cluster "${auth.cluster}" names no path parameter of the route`)
  }
  return { public: false, action: auth.action, clusterParam: param }
}
