/**
 * The durable state of the service behind one interface: idempotency records, operation records
 * and the audit trail, kept by one implementation (sql-store.ts) on embedded SQLite or on PostgreSQL.
 * The store holds no clock and no policy: callers pass `now`, lease deadlines and expiry times.
 */
import type { AuditRecord, AuditStore, AwsCall } from './audit-contract.ts'

export const IdempotencyState = { IN_PROGRESS: 'in_progress', COMPLETED: 'completed' } as const

export type IdempotencyState = typeof IdempotencyState[keyof typeof IdempotencyState]

/** How far an idempotent request got; a retry re-enters at this point. */
export const RecoveryPoint = { STARTED: 'started', AWS_CALL_ISSUED: 'aws_call_issued', FINISHED: 'finished' } as const

export type RecoveryPoint = typeof RecoveryPoint[keyof typeof RecoveryPoint]

export const ClaimOutcome = {
  CLAIMED: 'claimed',
  TAKEN_OVER: 'taken_over',
  IN_PROGRESS: 'in_progress',
  COMPLETED: 'completed',
  MISMATCH: 'mismatch'
} as const

export type ClaimOutcome = typeof ClaimOutcome[keyof typeof ClaimOutcome]

export const OperationStatus = { PENDING: 'pending', IN_PROGRESS: 'in_progress', SUCCEEDED: 'succeeded', FAILED: 'failed' } as const

export type OperationStatus = typeof OperationStatus[keyof typeof OperationStatus]

/** Identity of an idempotency record: the client key scoped by principal, method and route template. */
export interface IdempotencyRef {
  scope: string
  method: string
  route: string
  key: string
}

export interface StoredResponse {
  status: number
  /** Only whitelisted headers (location, content-type), lower-case names. */
  headers: Record<string, string>
  body: string | null
}

export interface IdempotencyRecord extends IdempotencyRef {
  fingerprint: string
  state: IdempotencyState
  leaseOwner: string | null
  leaseUntil: Date | null
  recoveryPoint: RecoveryPoint
  /** Server-generated UUID, created at the first claim and kept across takeovers. */
  operationId: string
  response: StoredResponse | null
  createdAt: Date
  expiresAt: Date
}

export interface ClaimInput extends IdempotencyRef {
  fingerprint: string
  /** Random id of this attempt; every later write is fenced by it. */
  leaseOwner: string
  now: Date
  leaseUntil: Date
  /** Expiry of a new record (claim time + retention). */
  expiresAt: Date
  /** Operation id for a new record; ignored when an existing record is taken over. */
  operationId: string
  /**
   * The operation record of a new claim, created in the same statement (id = operationId), so a
   * claim never exists without its operation. Nothing is created on any other outcome.
   */
  operation?: ClaimedOperation
}

export type ClaimedOperation = Omit<NewOperation, 'id' | 'now' | 'updateId' | 'status' | 'details'>

export interface ClaimResult {
  outcome: ClaimOutcome
  /** The record as it stands after the claim (the caller's own on claimed/taken_over). */
  record: IdempotencyRecord
}

export interface IdempotencyStore {
  claim (input: ClaimInput): Promise<ClaimResult>
  get (ref: IdempotencyRef): Promise<IdempotencyRecord | undefined>
  /** The write methods below return false when `leaseOwner` no longer holds the record. */
  renewLease (ref: IdempotencyRef, leaseOwner: string, leaseUntil: Date): Promise<boolean>
  setRecoveryPoint (ref: IdempotencyRef, leaseOwner: string, point: RecoveryPoint): Promise<boolean>
  /** Stores the response, while `leaseOwner` holds the record (see Store.recordChange for a change's last writes). */
  complete (ref: IdempotencyRef, leaseOwner: string, response: StoredResponse, expiresAt: Date): Promise<boolean>
  /** Drops the lease but keeps the record (and its operation id) so a retry takes over. */
  release (ref: IdempotencyRef, leaseOwner: string): Promise<boolean>
  /** Deletes records past `expiresAt` unless a live lease still holds them; returns the count. */
  purgeExpired (now: Date): Promise<number>
}

export interface OperationError {
  code: string
  message: string
}

export interface OperationRecord {
  id: string
  principal: string
  /** operationId of the route that started it, e.g. `associateIdentityProviderConfig`. */
  action: string
  cluster: string
  /** The account and region it acts in; null on records older than the account registry (the default scope). */
  accountId: string | null
  region: string | null
  resource: string | null
  clientRequestToken: string | null
  /** EKS update id, for asynchronous operations. */
  updateId: string | null
  status: OperationStatus
  error: OperationError | null
  details: Record<string, unknown>
  /** The AWS calls made for it, by every attempt, in order. */
  awsCalls: AwsCall[]
  createdAt: Date
  updatedAt: Date
}

export interface NewOperation {
  id: string
  principal: string
  action: string
  cluster: string
  /** Absent for the implicit account whose id is not known. */
  accountId?: string
  region?: string
  resource?: string
  clientRequestToken?: string
  updateId?: string
  status?: OperationStatus
  details?: Record<string, unknown>
  now: Date
}

export interface OperationPatch {
  status?: OperationStatus
  resource?: string
  updateId?: string
  error?: OperationError | null
  /** Shallow-merged into the stored details. */
  details?: Record<string, unknown>
  /** Appended to the recorded calls. */
  awsCalls?: AwsCall[]
  /** Fence: apply the patch only while this owner holds the operation's lease. */
  leaseOwner?: string
  now: Date
}

/**
 * A lease on an operation that a runner drives step by step, kept in `details.lease`, so that of
 * several replicas only one drives an operation at a time.
 */
export interface OperationLease {
  owner: string
  now: Date
  until: Date
}

/** A multi-step operation is one whose `details` carry `steps`; a runner drives it to the end. */
export interface UnfinishedQuery {
  action: string
  cluster?: string
  resource?: string
  /** Leave this operation out. */
  exceptId?: string
  /** 1..100, default 50. */
  limit?: number
}

/** Single-update operations (no `details.steps`) in progress on a known EKS update, oldest first. */
export interface AwaitingUpdateQuery {
  /** Leave out operations whose lease is still live at this instant (another follower has them). */
  leaseFreeAt?: Date
  /** 1..100, default 50. */
  limit?: number
}

export interface ExclusiveStart {
  action: string
  cluster: string
  resource: string
  /** Shallow-merged into the stored details; must include `steps`. */
  details: Record<string, unknown>
  lease: OperationLease
}

export type ExclusiveStartResult = { started: OperationRecord, running?: undefined } | { started?: undefined, running: OperationRecord }

export interface OperationListQuery {
  cluster: string
  principal?: string
  /** Only operations in this account and region, when given. */
  accountId?: string
  region?: string
  /** 1..100, default 50. */
  limit?: number
  nextToken?: string
}

export interface OperationPage { items: OperationRecord[], nextToken?: string }

export interface OperationStore {
  /** Idempotent by id: creating an existing id returns the stored record unchanged. */
  create (input: NewOperation): Promise<OperationRecord>
  update (id: string, patch: OperationPatch): Promise<OperationRecord | undefined>
  get (id: string): Promise<OperationRecord | undefined>
  /** Newest first. */
  listByCluster (query: OperationListQuery): Promise<OperationPage>
  /** Multi-step operations still pending or in progress, oldest first. */
  listUnfinished (query: UnfinishedQuery): Promise<OperationRecord[]>
  /** Operations whose outcome is that of their EKS update, still waiting for it to end. */
  listAwaitingUpdate (query: AwaitingUpdateQuery): Promise<OperationRecord[]>
  /**
   * Turns operation `id` into a running multi-step operation holding `lease`, unless another
   * unfinished one has the same action, cluster and resource: that one is answered instead.
   * Atomic across replicas (serialised by an advisory lock on action, cluster and resource).
   */
  startExclusive (id: string, input: ExclusiveStart): Promise<ExclusiveStartResult>
  /** Takes, or renews, the lease of an unfinished operation: undefined while someone else holds it. */
  acquireLease (id: string, lease: OperationLease): Promise<OperationRecord | undefined>
  /** Drops the lease if `owner` holds it, so another runner may take over at once. */
  releaseLease (id: string, owner: string): Promise<boolean>
}

export interface MigrationResult {
  /** Versions applied by this call (empty when already up to date). */
  applied: number[]
  /** Highest version now present. */
  current: number
}

/** The last writes of a change, made together (see Store.recordChange). */
export interface ChangeRecordInput {
  /** The idempotent answer to store, fenced by the claim's lease. */
  completion?: { ref: IdempotencyRef, leaseOwner: string, response: StoredResponse, expiresAt: Date }
  /** The operation's outcome; skipped when the completion lost its lease (the new owner records it). */
  operation?: { id: string, patch: OperationPatch }
  audit: AuditRecord
}

export interface Store extends AuditStore {
  readonly kind: 'sqlite' | 'postgres'
  readonly idempotency: IdempotencyStore
  readonly operations: OperationStore
  /**
   * In one transaction: the idempotent answer, the operation's outcome and the audit record. All
   * or nothing; `completed` is false when the claim's lease was lost, so no answer was stored.
   */
  recordChange (input: ChangeRecordInput): Promise<{ completed: boolean }>
  /** Applies pending migrations; safe to run concurrently from several processes. */
  migrate (): Promise<MigrationResult>
  /** Resolves when the database answers; rejects otherwise (for readiness). */
  ping (): Promise<void>
  close (): Promise<void>
}
