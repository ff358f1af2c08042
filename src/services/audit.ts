/** The audit trail, read back for admins. */
import type { AuditFilter, AuditPage, AuditStore } from '../store/audit-contract.ts'

export interface AuditQuery extends Omit<AuditFilter, 'since' | 'until'> {
  since?: string
  until?: string
}

export class AuditService {
  readonly #store: AuditStore

  constructor (deps: { store: AuditStore }) {
    this.#store = deps.store
  }

  list (query: AuditQuery): Promise<AuditPage> {
    const { since, until, ...filter } = query
    return this.#store.listAudit({
      ...filter,
      since: since === undefined ? undefined : new Date(since),
      until: until === undefined ? undefined : new Date(until)
    })
  }
}
