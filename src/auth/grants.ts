/**
 * Per-cluster authorization. A grants document lists, per principal, cluster names or glob
 * patterns (`*` any run of characters, `?` one character) and actions, and optionally the accounts
 * and regions (ids, names or globs) the grant reaches; without them it reaches every account and
 * region. Default deny: a principal without a matching grant may do nothing. A request that names
 * no cluster (e.g. the audit list) needs a grant whose clusters include `*`; one about no account
 * (the audit list, GET /accounts) one that reaches every account and region.
 */
import { Type } from 'typebox'
import type { Static } from 'typebox'
import { actionCovers, AUTH_ACTIONS } from './principal.ts'
import type { AuthAction } from './principal.ts'
import { describeSchemaErrors } from './schema-errors.ts'

export const ALL_CLUSTERS = '*'

export const Grant = Type.Object({
  principal: Type.String({
    minLength: 1,
    maxLength: 300,
    description: 'A static token name, or `jwt:` followed by the value of the JWT principal claim.'
  }),
  clusters: Type.Array(Type.String({
    pattern: '^[A-Za-z0-9_*?-]{1,100}$',
    description: 'EKS cluster name or glob pattern (`*`, `?`).'
  }), { minItems: 1 }),
  accounts: Type.Optional(Type.Array(Type.String({
    pattern: '^[0-9*?]{1,12}$',
    description: 'AWS account id or glob pattern (`*`, `?`); absent: every account.'
  }), { minItems: 1 })),
  regions: Type.Optional(Type.Array(Type.String({
    pattern: '^[a-z0-9*?-]{1,32}$',
    description: 'AWS region or glob pattern (`eu-*`); absent: every region.'
  }), { minItems: 1 })),
  actions: Type.Array(Type.Enum([...AUTH_ACTIONS]), {
    minItems: 1,
    description: '`read`, `write` or `admin`; admin implies write, write implies read.'
  })
}, { additionalProperties: false })
export type Grant = Static<typeof Grant>

export const GrantsDocument = Type.Object({
  grants: Type.Array(Grant)
}, { additionalProperties: false })
export type GrantsDocument = Static<typeof GrantsDocument>

export function validateGrants (value: unknown, label: string): { grants: Grant[], errors: string[] } {
  const errors = describeSchemaErrors(GrantsDocument, value, label)
  return errors.length === 0 ? { grants: (value as GrantsDocument).grants, errors } : { grants: [], errors }
}

function globToRegExp (pattern: string): RegExp {
  const body = pattern.replace(/[*?]|[^*?]+/g, part =>
    part === '*' ? '.*' : part === '?' ? '.' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
  return new RegExp(`^${body}$`)
}

/** Which names a grant reaches along one dimension (clusters, accounts or regions). */
interface Reach {
  patterns: RegExp[]
  all: boolean
}

const reachOf = (patterns: readonly string[] | undefined): Reach => patterns === undefined
  ? { patterns: [], all: true }
  : { patterns: patterns.map(globToRegExp), all: patterns.includes(ALL_CLUSTERS) }

/** A name (undefined: every name, or one not known) is reached by the patterns, or only by `*`. */
const reaches = (reach: Reach, name: string | undefined) => reach.all || (name !== undefined && reach.patterns.some(pattern => pattern.test(name)))

interface CompiledGrant {
  clusters: Reach
  accounts: Reach
  regions: Reach
  actions: AuthAction[]
}

/** The account and region a request acts in; undefined for a request about no single scope. */
export interface GrantScope {
  /** Undefined for the implicit account whose id is not known: only grants on every account reach it. */
  accountId?: string
  region: string
}

export interface Authorizer {
  /**
   * True when `principal` may do `action` on `cluster` (or, without a cluster, on every cluster)
   * in `scope` (or, without a scope, in every account and region).
   */
  allows (principal: string, action: AuthAction, cluster: string | undefined, scope?: GrantScope): boolean
  /** True when some grant of `principal` lets it do `action` on at least one cluster of `scope` (without one: of any scope). */
  reachesScope (principal: string, action: AuthAction, scope?: GrantScope): boolean
}

export function createAuthorizer (grants: readonly Grant[]): Authorizer {
  const byPrincipal = new Map<string, CompiledGrant[]>()
  for (const grant of grants) {
    const compiled: CompiledGrant = {
      clusters: { patterns: grant.clusters.map(globToRegExp), all: grant.clusters.includes(ALL_CLUSTERS) },
      accounts: reachOf(grant.accounts),
      regions: reachOf(grant.regions),
      actions: grant.actions
    }
    byPrincipal.set(grant.principal, [...(byPrincipal.get(grant.principal) ?? []), compiled])
  }

  return {
    allows (principal, action, cluster, scope) {
      return (byPrincipal.get(principal) ?? []).some(grant =>
        grant.actions.some(granted => actionCovers(granted, action)) &&
        reaches(grant.clusters, cluster) &&
        (scope === undefined
          ? grant.accounts.all && grant.regions.all
          : reaches(grant.accounts, scope.accountId) && reaches(grant.regions, scope.region)))
    },
    reachesScope (principal, action, scope) {
      return (byPrincipal.get(principal) ?? []).some(grant =>
        grant.actions.some(granted => actionCovers(granted, action)) &&
        (scope === undefined || (reaches(grant.accounts, scope.accountId) && reaches(grant.regions, scope.region))))
    }
  }
}

const MAX_ECHOED_CLUSTER = 100

/** The 403 detail: names the missing grant, and reads the same whether or not the cluster exists. */
export function describeMissingGrant (principal: string, action: AuthAction, cluster: string | undefined, scope?: GrantScope): string {
  const where = cluster === undefined
    ? `all clusters ("${ALL_CLUSTERS}")`
    : `cluster ${JSON.stringify(cluster.slice(0, MAX_ECHOED_CLUSTER))}`
  const inScope = scope === undefined ? '' : ` in ${scope.accountId === undefined ? 'the default account' : `account ${JSON.stringify(scope.accountId.slice(0, 12))}`}, region ${JSON.stringify(scope.region.slice(0, 32))}`
  return `principal ${JSON.stringify(principal)} lacks "${action}" on ${where}${inScope}`
}
