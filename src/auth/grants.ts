/**
 * Per-cluster authorization. A grants document lists, per principal, cluster names or glob
 * patterns (`*` any run of characters, `?` one character) and actions. Default deny: a principal
 * without a matching grant may do nothing. A request that names no cluster (e.g. the audit list)
 * needs a grant whose clusters include `*`.
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

interface CompiledGrant {
  patterns: RegExp[]
  coversAllClusters: boolean
  actions: AuthAction[]
}

export interface Authorizer {
  /** True when `principal` may do `action` on `cluster` (or, without a cluster, on every cluster). */
  allows (principal: string, action: AuthAction, cluster: string | undefined): boolean
}

export function createAuthorizer (grants: readonly Grant[]): Authorizer {
  const byPrincipal = new Map<string, CompiledGrant[]>()
  for (const grant of grants) {
    const compiled: CompiledGrant = {
      patterns: grant.clusters.map(globToRegExp),
      coversAllClusters: grant.clusters.includes(ALL_CLUSTERS),
      actions: grant.actions
    }
    byPrincipal.set(grant.principal, [...(byPrincipal.get(grant.principal) ?? []), compiled])
  }

  return {
    allows (principal, action, cluster) {
      return (byPrincipal.get(principal) ?? []).some(grant =>
        grant.actions.some(granted => actionCovers(granted, action)) &&
        (cluster === undefined ? grant.coversAllClusters : grant.patterns.some(pattern => pattern.test(cluster))))
    }
  }
}

const MAX_ECHOED_CLUSTER = 100

/** The 403 detail: names the missing grant, and reads the same whether or not the cluster exists. */
export function describeMissingGrant (principal: string, action: AuthAction, cluster: string | undefined): string {
  const where = cluster === undefined
    ? `all clusters ("${ALL_CLUSTERS}")`
    : `cluster ${JSON.stringify(cluster.slice(0, MAX_ECHOED_CLUSTER))}`
  return `principal ${JSON.stringify(principal)} lacks "${action}" on ${where}`
}
