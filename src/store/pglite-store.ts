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

/**
 * Runs work strictly in the order it was handed in, each piece after the previous one settled:
 * what the Store promises as `inOrder`, whatever PGlite's own queueing does.
 */
function fifo () {
  let tail: Promise<unknown> = Promise.resolve()
  return <T>(work: () => Promise<T>): Promise<T> => {
    const result = tail.then(work)
    tail = result.catch(() => {})
    return result
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
  const inOrder = fifo()
  const direct = runner(db)
  const client: SqlClient = {
    query: (text, params) => inOrder(() => direct.query(text, params)),
    exec: (text) => inOrder(() => direct.exec(text)),
    transaction: (fn) => inOrder(() => db.transaction((tx) => fn(runner(tx)))),
    close: () => inOrder(() => db.close())
  }
  return createSqlStore('pglite', client, { schema, inOrder: true })
}
