/**
 * The prefixed form of a cluster route (`/accounts/{accountId}/regions/{region}/clusters/...`),
 * made from the same route file: an onRoute hook of the prefixed registration gives the route its
 * own operationId (suffix `InAccount`) and the two path parameters. Its operation and audit
 * records keep the route's own operationId as their action (`config.recordAs`); they carry the
 * account and region besides. See routes/README.md.
 */
import type { RouteOptions } from 'fastify'
import { Type, type TObject } from 'typebox'
import { ACCOUNT_ID_PATTERN, REGION_PATTERN } from '../../schemas/common.ts'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The action of the route's operation and audit records, when it is not its operationId. */
    recordAs?: string
  }
}

export const IN_ACCOUNT_SUFFIX = 'InAccount'

export const AccountScopeParams = {
  accountId: Type.String({ pattern: ACCOUNT_ID_PATTERN, description: 'The 12-digit id of an account of the registry (GET /accounts).' }),
  region: Type.String({ pattern: REGION_PATTERN, description: 'One of the account\'s allowed regions.' })
}

function withScopeParams (params: unknown): TObject {
  const own = params as TObject | undefined
  return Type.Object({ ...AccountScopeParams, ...own?.properties }, { additionalProperties: false })
}

/** onRoute hook of the prefixed registration in routes/index.ts. */
export function inAccountScope (route: RouteOptions): void {
  const schema = route.schema ?? {}
  const operationId = schema.operationId
  if (operationId === undefined) throw new Error(`route ${route.url} has no operationId to serve in an account scope`)
  route.schema = { ...schema, operationId: operationId + IN_ACCOUNT_SUFFIX, params: withScopeParams(schema.params) }
  route.config = Object.assign(route.config ?? {}, { recordAs: operationId })
}
