/**
 * Store factory: PostgreSQL when a DATABASE_URL is given, the embedded SQLite store otherwise.
 * Migrations run before the store is returned.
 */
import type { Store } from './store.ts'

export interface StoreOptions {
  /** postgres://… — selects PostgreSQL (needed for more than one replica). */
  databaseUrl?: string
  /** Directory of the embedded store; undefined or `memory://` keeps the data in memory. Ignored with databaseUrl. */
  dataDir?: string
  /** PostgreSQL schema (search_path) to use, created if missing. Ignored by the embedded store. */
  schema?: string
}

export async function createStore (options: StoreOptions = {}): Promise<Store> {
  const store = options.databaseUrl !== undefined && options.databaseUrl !== ''
    // Each loaded only when used: the embedded store never loads the PostgreSQL driver.
    ? await (await import('./postgres-store.ts')).openPostgresStore({ databaseUrl: options.databaseUrl, schema: options.schema })
    : await (await import('./sqlite-store.ts')).openSqliteStore({ dataDir: options.dataDir })
  try {
    await store.migrate()
  } catch (error) {
    await store.close().catch(() => {})
    throw error
  }
  return store
}

export * from './store.ts'
export type { AuditFilter, AuditPage, AuditRecord, AuditStore } from './audit-contract.ts'
export { AuditOutcome } from './audit-contract.ts'
