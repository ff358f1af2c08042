/**
 * Every statement the store runs on the embedded SQLite database, with the parameters of
 * postgres-sql.ts (SQLite reads `$n` as a named parameter). Timestamps are ISO-8601 text in UTC,
 * so comparing them as text compares the instants; JSON is text. `json_shallow_concat` is
 * PostgreSQL's jsonb `||`, registered by sqlite-store.ts (SQLite's own json_patch merges
 * recursively and drops nulls).
 */
import type { SqlDialect } from './dialect.ts'
import { complete, ping, selectOperation, sharedIdempotencySql, sharedMigrationSql, takeOver } from './shared-sql.ts'

const unfinished = "status IN ('pending', 'in_progress')"
const leaseUntil = "details -> 'lease' ->> 'until'"

export const sqliteDialect: SqlDialect = {
  kind: 'sqlite',
  idempotency: {
    ...sharedIdempotencySql,
    takeOver: takeOver('lease_owner IS $9'),
    complete: complete('$7')
  },
  operations: {
    insert: `
      INSERT INTO operations
        (id, principal, action, cluster, resource, client_request_token, update_id, status, error,
         details, created_at, updated_at, account_id, region)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, $9, $10, $10, $11, $12)
      ON CONFLICT (id) DO NOTHING
      RETURNING *`,
    select: selectOperation,
    update: `
      UPDATE operations
      SET status = COALESCE($2, status),
          resource = COALESCE($3, resource),
          update_id = COALESCE($4, update_id),
          error = CASE WHEN $5 THEN $6 ELSE error END,
          details = json_shallow_concat(details, $7),
          updated_at = $8,
          aws_calls = json_shallow_concat(aws_calls, $10)
      WHERE id = $1 AND ($9 IS NULL OR details -> 'lease' ->> 'owner' = $9)
      RETURNING *`,
    listUnfinished: `
      SELECT * FROM operations
      WHERE action = $1 AND ${unfinished} AND details -> 'steps' IS NOT NULL
        AND ($2 IS NULL OR cluster = $2)
        AND ($3 IS NULL OR resource = $3)
        AND ($4 IS NULL OR id <> $4)
      ORDER BY created_at, id
      LIMIT $5`,
    listAwaitingUpdate: `
      SELECT * FROM operations
      WHERE status = 'in_progress' AND update_id IS NOT NULL AND details -> 'steps' IS NULL
        AND ($1 IS NULL OR details -> 'lease' IS NULL OR ${leaseUntil} <= $1)
      ORDER BY created_at, id
      LIMIT $2`,
    start: `
      UPDATE operations
      SET status = 'in_progress', details = json_shallow_concat(details, $2), updated_at = $3
      WHERE id = $1 AND ${unfinished}
      RETURNING *`,
    acquireLease: `
      UPDATE operations
      SET details = json_set(details, '$.lease', json_object('owner', $2, 'until', $3))
      WHERE id = $1 AND ${unfinished}
        AND (details -> 'lease' IS NULL OR details -> 'lease' ->> 'owner' = $2 OR ${leaseUntil} <= $4)
      RETURNING *`,
    releaseLease: `
      UPDATE operations SET details = json_remove(details, '$.lease')
      WHERE id = $1 AND details -> 'lease' ->> 'owner' = $2
      RETURNING 1 AS ok`,
    listByCluster: `
      SELECT * FROM operations
      WHERE cluster = $1
        AND ($2 IS NULL OR principal = $2)
        AND ($3 IS NULL OR (created_at, id) < ($3, $4))
      AND ($6 IS NULL OR account_id = $6)
        AND ($7 IS NULL OR region = $7)
      ORDER BY created_at DESC, id DESC
      LIMIT $5`
  },
  audit: {
    insert: `
      INSERT INTO audit_records
        (id, time, principal, action, cluster, resource, outcome, status, request_id,
         client_request_token, aws_request_id, operation_id, dry_run, aws_calls, account_id, region)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
    list: `
      SELECT * FROM audit_records
      WHERE ($1 IS NULL OR principal = $1)
        AND ($2 IS NULL OR cluster = $2)
        AND ($3 IS NULL OR action = $3)
        AND ($4 IS NULL OR outcome = $4)
        AND ($5 IS NULL OR time >= $5)
        AND ($6 IS NULL OR time < $6)
        AND ($7 IS NULL OR (time, id) < ($7, $8))
        AND ($10 IS NULL OR account_id = $10)
        AND ($11 IS NULL OR region = $11)
      ORDER BY time DESC, id DESC
      LIMIT $9`
  },
  migrationTable: {
    create: `
      CREATE TABLE IF NOT EXISTS schema_migrations (
        version    INTEGER PRIMARY KEY,
        name       TEXT    NOT NULL,
        applied_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
      ) STRICT`,
    ...sharedMigrationSql
  },
  ping
}
