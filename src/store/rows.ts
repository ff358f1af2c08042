/**
 * Rows as the stores hand them back (timestamps as Date, JSON parsed, booleans as booleans), and
 * their mapping to records. Shared by PostgreSQL and SQLite.
 */
import type { AuditOutcome, AuditRecord, AwsCall } from './audit-contract.ts'
import type {
  IdempotencyRecord, IdempotencyState, OperationError, OperationRecord, OperationStatus, RecoveryPoint
} from './store.ts'

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
  account_id: string | null
  region: string | null
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
    accountId: row.account_id ?? null,
    region: row.region ?? null,
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
  account_id: string | null
  region: string | null
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
  if (row.account_id != null) record.accountId = row.account_id
  if (row.region != null) record.region = row.region
  if (row.resource !== null) record.resource = row.resource
  if (row.client_request_token !== null) record.clientRequestToken = row.client_request_token
  if (row.aws_request_id !== null) record.awsRequestId = row.aws_request_id
  if (row.operation_id !== null) record.operationId = row.operation_id
  return record
}
