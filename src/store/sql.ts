/**
 * Every statement the store runs, shared verbatim by PGlite and PostgreSQL, plus the mapping from
 * rows to records. Optional filters use `$n::type IS NULL OR …` so the SQL text stays static.
 * JSON goes in as text (`$n::text::jsonb`) so both drivers serialise parameters the same way.
 */
import type { AuditOutcome, AuditRecord, AwsCall } from './audit-contract.ts'
import type {
  IdempotencyRecord, IdempotencyState, OperationError, OperationRecord, OperationStatus, RecoveryPoint
} from './store.ts'

const byRef = 'scope = $1 AND method = $2 AND route = $3 AND idempotency_key = $4'
/** Fenced writes: only the current lease owner ($5) of an in-progress record may write. */
const byOwner = `${byRef} AND state = 'in_progress' AND lease_owner = $5`

const insertClaim = `
    INSERT INTO idempotency_records
      (scope, method, route, idempotency_key, fingerprint, state, lease_owner, lease_until,
       recovery_point, operation_id, created_at, expires_at)
    VALUES ($1, $2, $3, $4, $5, 'in_progress', $6, $7, 'started', $8, $9, $10)
    ON CONFLICT (scope, method, route, idempotency_key) DO NOTHING`

const complete = `
    UPDATE idempotency_records
    SET state = 'completed', recovery_point = 'finished', response_status = $6,
        response_headers = $7::text::jsonb, response_body = $8, expires_at = $9,
        lease_owner = NULL, lease_until = NULL
    WHERE ${byOwner}`

export const idempotencySql = {
  insertClaim: `${insertClaim} RETURNING *`,
  /** The same claim, plus its operation record when (and only when) the claim row was inserted. */
  insertClaimWithOperation: `
    WITH claimed AS (${insertClaim} RETURNING *),
    operation AS (
      INSERT INTO operations
        (id, principal, action, cluster, resource, client_request_token, update_id, status, error,
         details, created_at, updated_at)
      SELECT operation_id, $11, $12, $13, $14, $15, NULL, 'pending', NULL, '{}'::jsonb, $9, $9 FROM claimed
      ON CONFLICT (id) DO NOTHING
    )
    SELECT * FROM claimed`,
  select: `SELECT * FROM idempotency_records WHERE ${byRef}`,
  deleteIfExpired: `
    DELETE FROM idempotency_records
    WHERE ${byRef} AND expires_at <= $5
      AND (state = 'completed' OR lease_until IS NULL OR lease_until <= $5)`,
  /** Compare-and-set on the lease we observed, so two replicas cannot both take over. */
  takeOver: `
    UPDATE idempotency_records SET lease_owner = $5, lease_until = $6
    WHERE ${byRef} AND state = 'in_progress' AND fingerprint = $7
      AND (lease_until IS NULL OR lease_until <= $8)
      AND lease_owner IS NOT DISTINCT FROM $9::text
    RETURNING *`,
  renewLease: `UPDATE idempotency_records SET lease_until = $6 WHERE ${byOwner} RETURNING 1 AS ok`,
  setRecoveryPoint: `UPDATE idempotency_records SET recovery_point = $6 WHERE ${byOwner} RETURNING 1 AS ok`,
  complete: `${complete} RETURNING 1 AS ok`,
  release: `UPDATE idempotency_records SET lease_owner = NULL, lease_until = NULL WHERE ${byOwner} RETURNING 1 AS ok`,
  purgeExpired: `
    WITH purged AS (
      DELETE FROM idempotency_records
      WHERE expires_at <= $1 AND (state = 'completed' OR lease_until IS NULL OR lease_until <= $1)
      RETURNING 1
    ) SELECT count(*)::int AS n FROM purged`
} as const

export const operationSql = {
  insert: `
    INSERT INTO operations
      (id, principal, action, cluster, resource, client_request_token, update_id, status, error,
       details, created_at, updated_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, $9::text::jsonb, $10, $10)
    ON CONFLICT (id) DO NOTHING
    RETURNING *`,
  select: 'SELECT * FROM operations WHERE id = $1',
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
  /** Held until the transaction ends: two starts for one resource run one after the other. */
  lockExclusive: 'SELECT pg_advisory_xact_lock(hashtext($1))',
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
    ORDER BY created_at DESC, id DESC
    LIMIT $5`
} as const

export const auditSql = {
  insert: `
    INSERT INTO audit_records
      (id, time, principal, action, cluster, resource, outcome, status, request_id,
       client_request_token, aws_request_id, operation_id, dry_run, aws_calls)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::text::jsonb)`,
  list: `
    SELECT * FROM audit_records
    WHERE ($1::text IS NULL OR principal = $1)
      AND ($2::text IS NULL OR cluster = $2)
      AND ($3::text IS NULL OR action = $3)
      AND ($4::text IS NULL OR outcome = $4)
      AND ($5::timestamptz IS NULL OR time >= $5)
      AND ($6::timestamptz IS NULL OR time < $6)
      AND ($7::timestamptz IS NULL OR (time, id) < ($7, $8::text))
    ORDER BY time DESC, id DESC
    LIMIT $9`
} as const

export const migrationSql = {
  /** Held until the migration transaction ends; keyed per schema so test schemas do not wait on each other. */
  lock: 'SELECT pg_advisory_xact_lock(hashtext($1))',
  createTable: `
    CREATE TABLE IF NOT EXISTS schema_migrations (
      version    integer     PRIMARY KEY,
      name       text        NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`,
  applied: 'SELECT version FROM schema_migrations ORDER BY version',
  record: 'INSERT INTO schema_migrations (version, name) VALUES ($1, $2)'
} as const

export const ping = 'SELECT 1 AS ok'

export interface IdempotencyRow {
  scope: string
  method: string
  route: string
  idempotency_key: string
  fingerprint: string
  state: IdempotencyState
  lease_owner: string | null
  lease_until: Date | null
  recovery_point: RecoveryPoint
  operation_id: string
  response_status: number | null
  response_headers: Record<string, string> | null
  response_body: string | null
  created_at: Date
  expires_at: Date
}

export function toIdempotencyRecord (row: IdempotencyRow): IdempotencyRecord {
  return {
    scope: row.scope,
    method: row.method,
    route: row.route,
    key: row.idempotency_key,
    fingerprint: row.fingerprint,
    state: row.state,
    leaseOwner: row.lease_owner,
    leaseUntil: row.lease_until,
    recoveryPoint: row.recovery_point,
    operationId: row.operation_id,
    response: row.response_status === null
      ? null
      : { status: row.response_status, headers: row.response_headers ?? {}, body: row.response_body },
    createdAt: row.created_at,
    expiresAt: row.expires_at
  }
}

export interface OperationRow {
  id: string
  principal: string
  action: string
  cluster: string
  resource: string | null
  client_request_token: string | null
  update_id: string | null
  status: OperationStatus
  error: OperationError | null
  details: Record<string, unknown>
  aws_calls: AwsCall[]
  created_at: Date
  updated_at: Date
}

export function toOperationRecord (row: OperationRow): OperationRecord {
  return {
    id: row.id,
    principal: row.principal,
    action: row.action,
    cluster: row.cluster,
    resource: row.resource,
    clientRequestToken: row.client_request_token,
    updateId: row.update_id,
    status: row.status,
    error: row.error,
    details: row.details,
    awsCalls: row.aws_calls,
    createdAt: row.created_at,
    updatedAt: row.updated_at
  }
}

export interface AuditRow {
  id: string
  time: Date
  principal: string
  action: string
  cluster: string | null
  resource: string | null
  outcome: AuditOutcome
  status: number
  request_id: string
  client_request_token: string | null
  aws_request_id: string | null
  operation_id: string | null
  dry_run: boolean
  aws_calls: AwsCall[]
}

export function toAuditRecord (row: AuditRow): AuditRecord {
  const record: AuditRecord = {
    id: row.id,
    time: row.time,
    principal: row.principal,
    action: row.action,
    outcome: row.outcome,
    status: row.status,
    requestId: row.request_id,
    dryRun: row.dry_run,
    awsCalls: row.aws_calls
  }
  if (row.cluster !== null) record.cluster = row.cluster
  if (row.resource !== null) record.resource = row.resource
  if (row.client_request_token !== null) record.clientRequestToken = row.client_request_token
  if (row.aws_request_id !== null) record.awsRequestId = row.aws_request_id
  if (row.operation_id !== null) record.operationId = row.operation_id
  return record
}
