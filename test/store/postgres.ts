/**
 * PostgreSQL for tests: reachable at DATABASE_URL (default the local loopback server). Under
 * CI=true an unreachable server is a failure; otherwise the caller skips with a clear message.
 */
import pg from 'pg'
import type { Test } from 'tap'

export const testDatabaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

/** Undefined when reachable, otherwise the reason. */
export async function postgresUnavailable (): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: testDatabaseUrl, connectionTimeoutMillis: 3000 })
  try {
    await client.connect()
    await client.query('SELECT 1')
    return undefined
  } catch (error) {
    return `PostgreSQL not reachable at ${testDatabaseUrl}: ${(error as Error).message}`
  } finally {
    await client.end().catch(() => {})
  }
}

export function freshSchemaName (label: string): string {
  return `t_${label}_${process.pid}_${Date.now().toString(36)}`
}

export async function dropSchema (schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: testDatabaseUrl })
  await client.connect()
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
  } finally {
    await client.end()
  }
}

/** Registers the skip (or, under CI, the failure) and returns false when PostgreSQL is missing. */
export async function requirePostgres (t: Test): Promise<boolean> {
  const reason = await postgresUnavailable()
  if (reason === undefined) return true
  if (process.env.CI === 'true') t.fail(`${reason} (CI=true requires PostgreSQL)`)
  else t.plan(0, `${reason}; skipping the PostgreSQL tests (set CI=true to make this fail)`)
  return false
}
