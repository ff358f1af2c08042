/**
 * The embedded store: SQLite, built into Node (`node:sqlite`), in one file under a data
 * directory or in memory. It serves one process only, which holds the file's lock from opening
 * to closing; several replicas need PostgreSQL.
 *
 * node:sqlite is synchronous and has one connection, so each statement runs whole, and
 * transactions, whose callbacks await between statements, are queued one behind the other with
 * every statement outside them (as PostgreSQL's row locks would make them wait).
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite'
import { sqliteDialect } from './sqlite-sql.ts'
import { createSqlStore } from './sql-store.ts'
import type { SqlClient, SqlRunner } from './sql-store.ts'
import type { Store } from './store.ts'

export const IN_MEMORY = 'memory://'
export const DATABASE_FILE = 'eks-oidc-api.sqlite'

export interface SqliteStoreOptions {
  /** Directory of the database file, created if missing; undefined or `memory://` keeps everything in memory. */
  dataDir?: string
}

/** The columns that hold timestamps, JSON and booleans, as the migrations declare them (all TEXT or INTEGER in SQLite). */
const TIMESTAMP_COLUMNS = new Set(['lease_until', 'created_at', 'expires_at', 'updated_at', 'time', 'applied_at'])
const JSON_COLUMNS = new Set(['response_headers', 'error', 'details', 'aws_calls'])
const BOOLEAN_COLUMNS = new Set(['dry_run'])

function toParameter (value: unknown): SQLInputValue {
  if (value instanceof Date) return value.toISOString()
  if (typeof value === 'boolean') return value ? 1 : 0
  if (value === undefined) return null
  return value as SQLInputValue
}

/** `$1`, `$2`, … bound by name: Node 22.18 refuses an array for numbered parameters (`column index out of range`). */
function namedParameters (params: unknown[]): Record<string, SQLInputValue> {
  return Object.fromEntries(params.map((value, index) => [`$${index + 1}`, toParameter(value)]))
}

function fromRow (row: Record<string, unknown>): Record<string, unknown> {
  const decoded: Record<string, unknown> = {}
  for (const [column, value] of Object.entries(row)) {
    if (value === null) decoded[column] = null
    else if (TIMESTAMP_COLUMNS.has(column)) decoded[column] = new Date(value as string)
    else if (JSON_COLUMNS.has(column)) decoded[column] = JSON.parse(value as string)
    else if (BOOLEAN_COLUMNS.has(column)) decoded[column] = value === 1
    else decoded[column] = value
  }
  return decoded
}

/** PostgreSQL's jsonb `||`: objects merge their top-level members (the right one wins), arrays concatenate. */
function jsonShallowConcat (left: unknown, right: unknown): string | null {
  if (typeof left !== 'string' || typeof right !== 'string') return null
  const [a, b] = [JSON.parse(left) as unknown, JSON.parse(right) as unknown]
  if (Array.isArray(a) && Array.isArray(b)) return JSON.stringify([...a, ...b])
  if (isObject(a) && isObject(b)) return JSON.stringify({ ...a, ...b })
  throw new Error('json_shallow_concat takes two objects or two arrays')
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/** SQLITE_BUSY: another connection holds the lock. */
const isBusy = (error: unknown) => (error as { errcode?: number }).errcode === 5

function open (file: string): DatabaseSync {
  const db = new DatabaseSync(file)
  try {
    db.function('json_shallow_concat', { deterministic: true }, jsonShallowConcat)
    if (file === ':memory:') return db
    // One process owns the file (EXCLUSIVE: its lock is held until close); WAL keeps commits cheap
    // and FULL syncs every commit, so a recovery point is on disk before the AWS call it guards.
    db.exec('PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL')
    db.exec('BEGIN EXCLUSIVE; COMMIT')
    return db
  } catch (error) {
    db.close()
    if (isBusy(error)) {
      throw new Error(`the embedded store ${file} is in use by another process: it serves one process only (use DATABASE_URL for several replicas)`, { cause: error })
    }
    throw error
  }
}

function serialClient (db: DatabaseSync): SqlClient {
  const statements = new Map<string, StatementSync>()
  const prepared = (text: string) => {
    let statement = statements.get(text)
    if (statement === undefined) {
      statement = db.prepare(text)
      statements.set(text, statement)
    }
    return statement
  }
  const runner: SqlRunner = {
    query: async <R>(text: string, params: unknown[] = []) =>
      prepared(text).all(namedParameters(params)).map((row) => fromRow(row as Record<string, unknown>)) as R[],
    exec: async (text: string) => { db.exec(text) }
  }

  let tail: Promise<unknown> = Promise.resolve()
  const inTurn = <T>(work: () => Promise<T>): Promise<T> => {
    const turn = tail.then(work)
    tail = turn.catch(() => {})
    return turn
  }

  return {
    query: (text, params) => inTurn(() => runner.query(text, params)),
    exec: (text) => inTurn(() => runner.exec(text)),
    transaction: (fn) => inTurn(async () => {
      db.exec('BEGIN IMMEDIATE')
      try {
        const result = await fn(runner)
        db.exec('COMMIT')
        return result
      } catch (error) {
        if (db.isTransaction) db.exec('ROLLBACK')
        throw error
      }
    }),
    close: () => inTurn(async () => { db.close() })
  }
}

export async function openSqliteStore (options: SqliteStoreOptions = {}): Promise<Store> {
  const { dataDir } = options
  let file = ':memory:'
  if (dataDir !== undefined && dataDir !== IN_MEMORY) {
    await mkdir(dataDir, { recursive: true })
    file = join(dataDir, DATABASE_FILE)
  }
  return createSqlStore(sqliteDialect, serialClient(open(file)))
}
