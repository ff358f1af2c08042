/**
 * This service's operation records as callers see them: their own, or everyone's for admins of
 * the cluster. A record another caller may not see is answered as not found.
 */
import type { Authorizer } from '../auth/grants.ts'
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

  list (principal: string | undefined, cluster: string, query: OperationListQuery): Promise<OperationPage> {
    return this.#operations.listByCluster({ cluster, principal: this.#seesOthers(principal, cluster) ? undefined : principal, ...query })
  }

  /** One operation; with `cluster`, only if it concerns that cluster. */
  async describe (principal: string | undefined, operationId: string, cluster?: string): Promise<OperationRecord> {
    const record = await this.#operations.get(operationId)
    if (!record || (cluster !== undefined && record.cluster !== cluster) ||
      (record.principal !== principal && !this.#seesOthers(principal, record.cluster))) {
      throw problem('OperationNotFound', { detail: 'No operation with this id is visible to you.' })
    }
    return record
  }

  #seesOthers (principal: string | undefined, cluster: string) {
    return !this.#authorizer || this.#authorizer.allows(principal ?? '', 'admin', cluster)
  }
}
