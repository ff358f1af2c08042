/**
 * Every statement the store runs on PostgreSQL. Optional filters use `$n::type IS NULL OR …` so
 * the SQL text stays static. JSON goes in as text (`$n::text::jsonb`), as on SQLite.
 */
import type { SqlDialect } from './dialect.ts'
import { complete, insertClaim, ping, selectOperation, sharedIdempotencySql, sharedMigrationSql, takeOver } from './shared-sql.ts'

/** The claim, plus its operation record when (and only when) the claim row was inserted. */
const insertClaimWithOperation = `
    WITH claimed AS (${insertClaim} RETURNING *),
    operation AS (
      INSERT INTO operations
        (id, principal, action, cluster, resource, client_request_token, update_id, status, error,
         details, created_at, updated_at, account_id, region)
      SELECT operation_id, $11, $12, $13, $14, $15, NULL, 'pending', NULL, '{}'::jsonb, $9, $9, $16::text, $17::text FROM claimed
      ON CONFLICT (id) DO NOTHING
    )
    SELECT * FROM claimed`

const idempotencySql = {
  ...sharedIdempotencySql,
  takeOver: takeOver('lease_owner IS NOT DISTINCT FROM $9::text'),
  complete: complete('$7::text::jsonb')
} as const

const operationSql = {
  insert: `
    INSERT INTO operations
      (id, principal, action, cluster, resource, client_request_token, update_id, status, error,
       details, created_at, updated_at, account_id, region)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, $9::text::jsonb, $10, $10, $11::text, $12::text)
    ON CONFLICT (id) DO NOTHING
    RETURNING *`,
  select: selectOperation,
  /** $5 says whether the patch touches `error` at all, so `null` can clear it. */
  update: `
    UPDATE operations
    SET status = COALESCE($2::text, status),
        resource = COALESCE($3::text, resource),
        update_id = COALESCE($4::text, update_id),
        error = CASE WHEN $5::boolean THEN $6::text::jsonb ELSE error END,
        details = details || $7::text::jsonb,
        updated_at = $8,
        aws_calls = aws_calls || $10::text::jsonb
    WHERE id = $1 AND ($9::text IS NULL OR details -> 'lease' ->> 'owner' = $9)
    RETURNING *`,
  listUnfinished: `
    SELECT * FROM operations
    WHERE action = $1 AND status IN ('pending', 'in_progress') AND details -> 'steps' IS NOT NULL
      AND ($2::text IS NULL OR cluster = $2)
      AND ($3::text IS NULL OR resource = $3)
      AND ($4::uuid IS NULL OR id <> $4)
    ORDER BY created_at, id
    LIMIT $5`,
  /** The WHERE of the first three lines is the predicate of index operations_awaiting_update (migration 2). */
  listAwaitingUpdate: `
    SELECT * FROM operations
    WHERE status = 'in_progress' AND update_id IS NOT NULL AND details -> 'steps' IS NULL
      AND ($1::timestamptz IS NULL OR details -> 'lease' IS NULL
           OR (details -> 'lease' ->> 'until')::timestamptz <= $1::timestamptz)
    ORDER BY created_at, id
    LIMIT $2`,
  start: `
    UPDATE operations
    SET status = 'in_progress', details = details || $2::text::jsonb, updated_at = $3
    WHERE id = $1 AND status IN ('pending', 'in_progress')
    RETURNING *`,
  /** Lease writes leave updated_at alone: they are bookkeeping, not progress. */
  acquireLease: `
    UPDATE operations
    SET details = jsonb_set(details, '{lease}', jsonb_build_object('owner', $2::text, 'until', $3::text))
    WHERE id = $1 AND status IN ('pending', 'in_progress')
      AND (details -> 'lease' IS NULL OR details -> 'lease' ->> 'owner' = $2
           OR (details -> 'lease' ->> 'until')::timestamptz <= $4::timestamptz)
    RETURNING *`,
  releaseLease: `
    UPDATE operations SET details = details - 'lease'
    WHERE id = $1 AND details -> 'lease' ->> 'owner' = $2
    RETURNING 1 AS ok`,
  listByCluster: `
    SELECT * FROM operations
    WHERE cluster = $1
      AND ($2::text IS NULL OR principal = $2)
      AND ($3::timestamptz IS NULL OR (created_at, id) < ($3, $4::uuid))
    AND ($6::text IS NULL OR account_id = $6)
      AND ($7::text IS NULL OR region = $7)
    ORDER BY created_at DESC, id DESC
    LIMIT $5`
} as const

const auditSql = {
  insert: `
    INSERT INTO audit_records
      (id, time, principal, action, cluster, resource, outcome, status, request_id,
       client_request_token, aws_request_id, operation_id, dry_run, aws_calls, account_id, region)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::text::jsonb, $15::text, $16::text)`,
  list: `
    SELECT * FROM audit_records
    WHERE ($1::text IS NULL OR principal = $1)
      AND ($2::text IS NULL OR cluster = $2)
      AND ($3::text IS NULL OR action = $3)
      AND ($4::text IS NULL OR outcome = $4)
      AND ($5::timestamptz IS NULL OR time >= $5)
      AND ($6::timestamptz IS NULL OR time < $6)
      AND ($7::timestamptz IS NULL OR (time, id) < ($7, $8::text))
      AND ($10::text IS NULL OR account_id = $10)
      AND ($11::text IS NULL OR region = $11)
    ORDER BY time DESC, id DESC
    LIMIT $9`
} as const

export const postgresDialect: SqlDialect = {
  kind: 'postgres',
  idempotency: idempotencySql,
  insertClaimWithOperation,
  operations: operationSql,
  audit: auditSql,
  migrationTable: {
    create: `
      CREATE TABLE IF NOT EXISTS schema_migrations (
        version    integer     PRIMARY KEY,
        name       text        NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`,
    ...sharedMigrationSql
  },
  /** Keyed per resource (startExclusive) or per schema (migrations), so unrelated work never waits. */
  transactionLock: 'SELECT pg_advisory_xact_lock(hashtext($1))',
  ping
}
