/**
 * The statements that PostgreSQL and SQLite both run as written (both read `$n` parameters);
 * postgres-sql.ts and sqlite-sql.ts add those that differ.
 */
const byRef = 'scope = $1 AND method = $2 AND route = $3 AND idempotency_key = $4'
/** Fenced writes: only the current lease owner ($5) of an in-progress record may write. */
const byOwner = `${byRef} AND state = 'in_progress' AND lease_owner = $5`

/** Without RETURNING, so that PostgreSQL can also use it inside a WITH. */
export const insertClaim = `
    INSERT INTO idempotency_records
      (scope, method, route, idempotency_key, fingerprint, state, lease_owner, lease_until,
       recovery_point, operation_id, created_at, expires_at)
    VALUES ($1, $2, $3, $4, $5, 'in_progress', $6, $7, 'started', $8, $9, $10)
    ON CONFLICT (scope, method, route, idempotency_key) DO NOTHING`

export const sharedIdempotencySql = {
  insertClaim: `${insertClaim} RETURNING *`,
  select: `SELECT * FROM idempotency_records WHERE ${byRef}`,
  deleteIfExpired: `
    DELETE FROM idempotency_records
    WHERE ${byRef} AND expires_at <= $5
      AND (state = 'completed' OR lease_until IS NULL OR lease_until <= $5)`,
  renewLease: `UPDATE idempotency_records SET lease_until = $6 WHERE ${byOwner} RETURNING 1 AS ok`,
  setRecoveryPoint: `UPDATE idempotency_records SET recovery_point = $6 WHERE ${byOwner} RETURNING 1 AS ok`,
  release: `UPDATE idempotency_records SET lease_owner = NULL, lease_until = NULL WHERE ${byOwner} RETURNING 1 AS ok`,
  purgeExpired: `
    DELETE FROM idempotency_records
    WHERE expires_at <= $1 AND (state = 'completed' OR lease_until IS NULL OR lease_until <= $1)
    RETURNING 1 AS ok`
} as const

/** Compare-and-set on the lease we observed ($9, null included), so two replicas cannot both take over. */
export const takeOver = (sameOwner: string) => `
    UPDATE idempotency_records SET lease_owner = $5, lease_until = $6
    WHERE ${byRef} AND state = 'in_progress' AND fingerprint = $7
      AND (lease_until IS NULL OR lease_until <= $8)
      AND ${sameOwner}
    RETURNING *`

/** Stores the answer; `headers` is parameter 7 as the database reads JSON text. */
export const complete = (headers: string) => `
    UPDATE idempotency_records
    SET state = 'completed', recovery_point = 'finished', response_status = $6,
        response_headers = ${headers}, response_body = $8, expires_at = $9,
        lease_owner = NULL, lease_until = NULL
    WHERE ${byOwner}
    RETURNING 1 AS ok`

export const selectOperation = 'SELECT * FROM operations WHERE id = $1'

export const sharedMigrationSql = {
  applied: 'SELECT version FROM schema_migrations ORDER BY version',
  record: 'INSERT INTO schema_migrations (version, name) VALUES ($1, $2)'
} as const

export const ping = 'SELECT 1 AS ok'
