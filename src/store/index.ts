/**
 * Store factory: PostgreSQL when a DATABASE_URL is given, embedded PGlite otherwise.
 * Migrations run before the store is returned.
 */
import { openPostgresStore } from './postgres-store.ts'
import type { Store } from './store.ts'

export interface StoreOptions {
  /** postgres://… — selects PostgreSQL (needed for more than one replica). */
  databaseUrl?: string
  /** PGlite data directory; undefined or `memory://` keeps the data in memory. Ignored with databaseUrl. */
  dataDir?: string
  /** PostgreSQL schema (search_path) to use, created if missing. */
  schema?: string
}

export async function createStore (options: StoreOptions = {}): Promise<Store> {
  const store = options.databaseUrl !== undefined && options.databaseUrl !== ''
    ? await openPostgresStore({ databaseUrl: options.databaseUrl, schema: options.schema })
    // Loaded only when used: a replica on PostgreSQL never loads the embedded engine.
    : await (await import('./pglite-store.ts')).openPgliteStore({ dataDir: options.dataDir, schema: options.schema })
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
