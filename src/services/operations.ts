/**
 * This service's operation records as callers see them: their own, or everyone's for admins of
 * the cluster. A record another caller may not see is answered as not found.
 */
import type { Authorizer, GrantScope } from '../auth/grants.ts'
import { problem } from '../errors.ts'
import type { OperationPage, OperationRecord, OperationStore } from '../store/index.ts'

export interface OperationListQuery {
  limit?: number
  nextToken?: string
}

export class OperationService {
  readonly #operations: OperationStore
  readonly #authorizer: Authorizer | undefined

  /** Without an authorizer (authentication off) every caller sees every operation. */
  constructor (deps: { operations: OperationStore, authorizer?: Authorizer }) {
    this.#operations = deps.operations
    this.#authorizer = deps.authorizer
  }

  /** The operations on `cluster`; in `scope` only, when its account is known (the implicit account's records carry none). */
  list (principal: string | undefined, cluster: string, query: OperationListQuery, scope?: GrantScope): Promise<OperationPage> {
    const inScope = scope?.accountId === undefined ? {} : { accountId: scope.accountId, region: scope.region }
    return this.#operations.listByCluster({ cluster, principal: this.#seesOthers(principal, cluster, scope) ? undefined : principal, ...inScope, ...query })
  }

  /** One operation; with `cluster`, only if it concerns that cluster (in `scope`, when its account is known). */
  async describe (principal: string | undefined, operationId: string, cluster?: string, scope?: GrantScope): Promise<OperationRecord> {
    const record = await this.#operations.get(operationId)
    const recordScope = record?.accountId == null ? undefined : { accountId: record.accountId, region: record.region ?? '' }
    const elsewhere = scope?.accountId !== undefined && (record?.accountId !== scope.accountId || record.region !== scope.region)
    if (!record || (cluster !== undefined && (record.cluster !== cluster || elsewhere)) ||
      (record.principal !== principal && !this.#seesOthers(principal, record.cluster, recordScope))) {
      throw problem('OperationNotFound', { detail: 'No operation with this id is visible to you.' })
    }
    return record
  }

  #seesOthers (principal: string | undefined, cluster: string, scope: GrantScope | undefined) {
    return !this.#authorizer || this.#authorizer.allows(principal ?? '', 'admin', cluster, scope)
  }
}
