/** In-memory AuditStore for tests: filters like the contract says, newest first, offset cursors. */
import type { AuditFilter, AuditPage, AuditRecord, AuditStore } from '../../src/store/audit-contract.ts'

export class MemoryAuditStore implements AuditStore {
  readonly records: AuditRecord[] = []

  async appendAudit (record: AuditRecord): Promise<void> {
    this.records.push(structuredClone(record))
  }

  async listAudit (filter: AuditFilter): Promise<AuditPage> {
    const matching = this.records
      .filter(record =>
        (filter.principal === undefined || record.principal === filter.principal) &&
        (filter.cluster === undefined || record.cluster === filter.cluster) &&
        (filter.action === undefined || record.action === filter.action) &&
        (filter.outcome === undefined || record.outcome === filter.outcome) &&
        (filter.since === undefined || record.time >= filter.since) &&
        (filter.until === undefined || record.time < filter.until))
      .sort((a, b) => b.time.getTime() - a.time.getTime())
    const limit = filter.limit ?? 50
    const offset = filter.nextToken === undefined ? 0 : Number(Buffer.from(filter.nextToken, 'base64url').toString())
    const items = matching.slice(offset, offset + limit)
    const next = offset + limit
    return next < matching.length ? { items, nextToken: Buffer.from(String(next)).toString('base64url') } : { items }
  }
}
