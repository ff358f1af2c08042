/**
 * PostgreSQL through a `pg` Pool, for several replicas sharing one database.
 */
import pg from 'pg'
import { postgresDialect } from './postgres-sql.ts'
import { assertSchemaName, createSqlStore } from './sql-store.ts'
import type { SqlClient } from './sql-store.ts'
import type { Store } from './store.ts'

export interface PostgresStoreOptions {
  databaseUrl: string
  /** Sets search_path on every connection (e.g. one schema per test file). */
  schema?: string
  /** Pool size; default 10. */
  maxConnections?: number
}

export async function openPostgresStore (options: PostgresStoreOptions): Promise<Store> {
  const schema = options.schema === undefined ? undefined : assertSchemaName(options.schema)
  const pool = new pg.Pool({
    connectionString: options.databaseUrl,
    max: options.maxConnections ?? 10,
    options: schema === undefined ? undefined : `-c search_path=${schema}`
  })
  // An idle client that dies emits here; without a listener the process would crash. The next
  // query gets a fresh connection or a proper error.
  pool.on('error', () => {})

  const client: SqlClient = {
    query: async (text, params) => (await pool.query(text, params)).rows,
    exec: async (text) => { await pool.query(text) },
    async transaction (fn) {
      const connection = await pool.connect()
      try {
        await connection.query('BEGIN')
        const result = await fn({
          query: async (text, params) => (await connection.query(text, params)).rows,
          exec: async (text) => { await connection.query(text) }
        })
        await connection.query('COMMIT')
        return result
      } catch (error) {
        await connection.query('ROLLBACK').catch(() => {})
        throw error
      } finally {
        connection.release()
      }
    },
    close: () => pool.end()
  }
  return createSqlStore(postgresDialect, client, { schema })
}
