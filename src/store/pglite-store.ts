/**
 * Embedded PostgreSQL (PGlite, WASM) for a single replica: persisted under a data directory, or
 * in memory. PGlite has one connection and already queues statements behind open transactions.
 */
import { mkdir } from 'node:fs/promises'
import { PGlite } from '@electric-sql/pglite'
import type { Transaction } from '@electric-sql/pglite'
import { assertSchemaName, createSqlStore } from './sql-store.ts'
import type { SqlClient, SqlRunner } from './sql-store.ts'
import type { Store } from './store.ts'

export interface PgliteStoreOptions {
  /** Directory for the database files; undefined or `memory://` keeps everything in memory. */
  dataDir?: string
  schema?: string
}

export const isInMemory = (dataDir: string | undefined) => dataDir === undefined || dataDir === 'memory://'

function runner (db: PGlite | Transaction): SqlRunner {
  return {
    query: async <R>(text: string, params?: unknown[]) => (await db.query<R>(text, params)).rows,
    exec: async (text: string) => { await db.exec(text) }
  }
}

export async function openPgliteStore (options: PgliteStoreOptions = {}): Promise<Store> {
  const { dataDir } = options
  const schema = options.schema === undefined ? undefined : assertSchemaName(options.schema)
  if (!isInMemory(dataDir)) await mkdir(dataDir as string, { recursive: true })
  const db = isInMemory(dataDir) ? await PGlite.create() : await PGlite.create(dataDir)
  if (schema !== undefined) {
    // One connection, so a session-level search_path applies to every later statement.
    await db.exec(`CREATE SCHEMA IF NOT EXISTS ${schema}; SET search_path TO ${schema}`)
  }
  const client: SqlClient = {
    ...runner(db),
    transaction: (fn) => db.transaction((tx) => fn(runner(tx))),
    close: () => db.close()
  }
  return createSqlStore('pglite', client, { schema })
}
