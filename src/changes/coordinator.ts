/**
 * One coordinator for every change a request makes, framework-free (after AWS Powertools'
 * idempotency: a store interface, record states, one set of errors):
 *
 *   open(subject)        who does what to which cluster and resource
 *   change.begin(start)  claim the Idempotency-Key (a replay answers at once) and create the
 *                        operation record; a dry run claims and records nothing
 *   change.guard         what the service needs before its AWS write: the token, `resuming`,
 *                        beforeWrite() (the recovery point)
 *   change.report(…)     the outcome, as data: the resource acted on, the EKS update, who goes on
 *   change.finish(…)     the answer: stored answer, operation outcome and audit record in one
 *                        transaction, before the answer leaves; a failure is AuditUnavailable (503)
 *
 * Semantics of the key: reliability.md §7 items 1–16.
 */
import { randomUUID } from 'node:crypto'
import { AuditOutcome, type AuditRecord, type AwsCall } from '../store/audit-contract.ts'
import { idempotencyKeyReused, idempotencyRequestInProgress, idempotencyStoreUnavailable } from '../idempotency/errors.ts'
import { fingerprint } from '../idempotency/fingerprint.ts'
import { isDefinitiveResponse } from '../idempotency/response-policy.ts'
import {
  ClaimOutcome, OperationStatus, RecoveryPoint,
  type IdempotencyRef, type OperationError, type OperationPatch, type Store, type StoredResponse
} from '../store/store.ts'
import type { Logger } from '../observability/request-context.ts'
import { auditUnavailable } from './errors.ts'
import { clientRequestTokenFor, tokenOnlyGuard, type WriteGuard } from '../services/write-guard.ts'

export const DEFAULT_RETENTION_SECONDS = 24 * 3600
export const DEFAULT_LEASE_SECONDS = 60
export const DEFAULT_PURGE_INTERVAL_SECONDS = 300
/** The longest clientRequestToken an audit record keeps (EKS allows 126). */
const MAX_AUDITED_TOKEN_LENGTH = 128

/** Who does what, where: known before the change starts, and all an audit record needs of the request. */
export interface ChangeSubject {
  principal: string
  /** The route's operationId, e.g. `associateIdentityProviderConfig`. */
  action: string
  cluster?: string
  /** The account and region the change acts in (absent: no scope, or the implicit account whose id is not known). */
  accountId?: string
  region?: string
  /** The resource named by the request (a path parameter), before the outcome names it better. */
  resource?: string
  requestId: string
}

export interface ChangeStart {
  method: string
  /** Route template, e.g. `/clusters/:name/identity-provider-configs`. */
  route: string
  params: unknown
  /** The body after validation and defaults. */
  body: unknown
  /** The parsed Idempotency-Key, if one was sent. */
  key?: string
  /** The client's own clientRequestToken from the body, if any. */
  bodyToken?: string
  dryRun: boolean
}

/** Who carries a started change on once its answer is recorded. */
export type Continuation = 'follow-update' | 'run-steps' | 'run-migration'

export interface ChangeOutcome {
  /** Name or ARN of the resource acted on (a provider ARN, a config name). */
  resource?: string
  /** The EKS update the change started. */
  updateId?: string
  next?: Continuation
}

/** The answer a change ends with, as the HTTP layer sends it. */
export interface ChangeAnswer {
  status: number
  /** Headers replayed with a stored answer (location, content-type). */
  headers: Record<string, string>
  /** The serialized body; undefined when it cannot be stored (a stream). */
  body: string | null | undefined
  retryAfter: boolean
  /** The problem answered, for the operation record. */
  error?: OperationError
  awsCalls: AwsCall[]
}

export interface StartedOperation {
  id: string
  cluster: string
  updateId: string | undefined
}

export type IdempotencyOutcome = 'new' | 'replayed' | 'conflict' | 'mismatch'

export interface ChangeCoordinatorOptions {
  store: Store
  log: Logger
  /** How long a completed answer is replayed (and a key stays bound to its request). */
  retentionSeconds?: number
  /** Lease of an in-progress claim; renewed every half lease while the request runs. */
  leaseSeconds?: number
  /** How often expired idempotency records are deleted; 0 turns the reaper off. */
  purgeIntervalSeconds?: number
  now?: () => Date
  onIdempotency?: (outcome: IdempotencyOutcome) => void
  /** Told of each started change whose outcome names a continuation, once its record is written. */
  continuations?: Partial<Record<Continuation, (operation: StartedOperation) => void>>
}

const OUTCOME_OF_CLAIM: Record<ClaimOutcome, IdempotencyOutcome> = {
  [ClaimOutcome.CLAIMED]: 'new',
  [ClaimOutcome.TAKEN_OVER]: 'new',
  [ClaimOutcome.COMPLETED]: 'replayed',
  [ClaimOutcome.IN_PROGRESS]: 'conflict',
  [ClaimOutcome.MISMATCH]: 'mismatch'
}

type ChangeState = 'open' | 'dry-run' | 'replayed' | 'running' | 'finished'

interface Claim {
  ref: IdempotencyRef
  leaseOwner: string
  renewal: NodeJS.Timeout
  settled: boolean
}

/**
 * Whose keys an Idempotency-Key is one of: the principal's, in one account and region, so that one
 * key sent to the same route in two accounts makes two changes. The implicit account keeps the
 * principal alone, as before the registry.
 */
export function idempotencyScope (subject: ChangeSubject): string {
  return subject.accountId === undefined ? subject.principal : `${subject.principal} ${subject.accountId} ${subject.region ?? ''}`
}

/** How a request ended, for its audit record. */
export function auditOutcome (status: number, replayed: boolean): AuditOutcome {
  if (status === 401 || status === 403) return AuditOutcome.DENIED
  if (status >= 400) return AuditOutcome.FAILED
  return replayed ? AuditOutcome.REPLAYED : AuditOutcome.SUCCEEDED
}

function operationStatusAfter (status: number) {
  if (status === 202) return OperationStatus.IN_PROGRESS
  return status < 400 ? OperationStatus.SUCCEEDED : OperationStatus.FAILED
}

export class ChangeCoordinator {
  readonly store: Store
  readonly log: Logger
  readonly retentionMs: number
  readonly leaseMs: number
  readonly now: () => Date
  readonly #purgeIntervalMs: number
  readonly #onIdempotency: (outcome: IdempotencyOutcome) => void
  readonly #continuations: Partial<Record<Continuation, (operation: StartedOperation) => void>>
  readonly #claims = new Set<Claim>()
  #reaper?: NodeJS.Timeout

  constructor (options: ChangeCoordinatorOptions) {
    this.store = options.store
    this.log = options.log
    this.retentionMs = (options.retentionSeconds ?? DEFAULT_RETENTION_SECONDS) * 1000
    this.leaseMs = (options.leaseSeconds ?? DEFAULT_LEASE_SECONDS) * 1000
    this.#purgeIntervalMs = (options.purgeIntervalSeconds ?? DEFAULT_PURGE_INTERVAL_SECONDS) * 1000
    this.now = options.now ?? (() => new Date())
    this.#onIdempotency = options.onIdempotency ?? (() => {})
    this.#continuations = options.continuations ?? {}
  }

  /** A change of `subject`; nothing is written until it begins or finishes. */
  open (subject: ChangeSubject): Change {
    return new Change(this, subject)
  }

  /** Starts the reaper of expired idempotency records. */
  start (): void {
    if (this.#purgeIntervalMs <= 0 || this.#reaper) return
    this.#reaper = setInterval(() => {
      this.store.idempotency.purgeExpired(this.now()).then(
        (purged) => { if (purged > 0) this.log.debug({ purged }, 'purged expired idempotency records') },
        (error: unknown) => this.log.error({ err: error }, 'purging expired idempotency records failed'))
    }, this.#purgeIntervalMs).unref()
  }

  /** Stops the reaper and releases the claims of requests still running, so a retry can take over. */
  async close (): Promise<void> {
    clearInterval(this.#reaper)
    const pending = [...this.#claims]
    for (const claim of pending) this.settle(claim)
    await Promise.allSettled(pending.map((claim) => this.store.idempotency.release(claim.ref, claim.leaseOwner)))
  }

  after (ms: number): Date {
    return new Date(this.now().getTime() + ms)
  }

  countIdempotency (outcome: ClaimOutcome): void {
    this.#onIdempotency(OUTCOME_OF_CLAIM[outcome])
  }

  track (claim: Claim): void {
    this.#claims.add(claim)
  }

  settle (claim: Claim): void {
    claim.settled = true
    clearInterval(claim.renewal)
    this.#claims.delete(claim)
  }

  continueAfter (next: Continuation | undefined, operation: StartedOperation): void {
    const continuation = next && this.#continuations[next]
    if (!continuation) return
    try {
      continuation(operation)
    } catch (error) {
      this.log.error({ err: error, operationId: operation.id }, 'a started change could not be handed on; the sweep picks it up')
    }
  }
}

export class Change {
  readonly subject: ChangeSubject
  readonly #coordinator: ChangeCoordinator
  #state: ChangeState = 'open'
  #operationId: string | undefined
  #guard: WriteGuard | undefined
  #claim: Claim | undefined
  #outcome: ChangeOutcome = {}

  constructor (coordinator: ChangeCoordinator, subject: ChangeSubject) {
    this.#coordinator = coordinator
    this.subject = subject
  }

  get finished (): boolean {
    return this.#state === 'finished'
  }

  get dryRun (): boolean {
    return this.#state === 'dry-run'
  }

  /** The operation id: the same on every retry of one keyed request. Undefined before begin and for dry runs. */
  get operationId (): string | undefined {
    return this.#operationId
  }

  /** What the service needs before its AWS write; only once the change has begun. */
  get guard (): WriteGuard {
    if (this.#guard === undefined) throw new Error(`change ${this.subject.action} has not begun`)
    return this.#guard
  }

  /**
   * Claims the key and records the operation. Answers the stored response of a completed earlier
   * request with the same key (to replay), or undefined when the change runs now. Throws the
   * idempotency problems (422 key reused, 409 in progress, 503 store unavailable).
   */
  async begin (start: ChangeStart): Promise<StoredResponse | undefined> {
    if (this.#state !== 'open') throw new Error(`change ${this.subject.action} has already begun`)
    if (start.dryRun) {
      this.#state = 'dry-run'
      this.#guard = tokenOnlyGuard(start.bodyToken ?? clientRequestTokenFor(randomUUID()))
      return undefined
    }
    return start.key === undefined ? this.#beginUnkeyed(start) : this.#beginKeyed(start, start.key)
  }

  /** The outcome, as the handler knows it; merged, so a later report adds to an earlier one. */
  report (outcome: ChangeOutcome): void {
    this.#outcome = { ...this.#outcome, ...outcome }
  }

  /**
   * Records how the change ended, before its answer leaves: the stored answer (keyed and
   * definitive), the operation's outcome and the audit record, together. Throws AuditUnavailable
   * (503) when they cannot be written; the key is then released so a retry can run. Answers the
   * audit record written (undefined when the change had already finished).
   */
  async finish (answer: ChangeAnswer): Promise<AuditRecord | undefined> {
    if (this.#state === 'finished') return undefined
    const state = this.#state
    this.#state = 'finished'
    const coordinator = this.#coordinator
    const claim = this.#claim
    if (claim) coordinator.settle(claim)
    const now = coordinator.now()
    const audit = this.#auditRecord(answer, state, now)
    const completion = claim && answer.body !== undefined && isDefinitiveResponse(answer.status, answer.retryAfter)
      ? { ref: claim.ref, leaseOwner: claim.leaseOwner, response: { status: answer.status, headers: answer.headers, body: answer.body }, expiresAt: coordinator.after(coordinator.retentionMs) }
      : undefined
    const operation = state === 'running' && this.#operationId !== undefined
      ? { id: this.#operationId, patch: this.#operationPatch(answer, now) }
      : undefined

    let completed: boolean
    try {
      ({ completed } = await coordinator.store.recordChange({ completion, operation, audit }))
    } catch (error) {
      coordinator.log.error({ err: error, auditId: audit.id }, 'the records of a change could not be stored; answering 503')
      if (claim) await this.#release(claim)
      throw auditUnavailable(error)
    }
    if (claim && completion === undefined) await this.#release(claim)
    if (!completed) coordinator.log.warn({ operationId: this.#operationId }, 'idempotency lease was taken over; this answer was not stored')
    else if (operation && answer.status === 202) {
      coordinator.continueAfter(this.#outcome.next, { id: operation.id, cluster: this.subject.cluster ?? '', updateId: this.#outcome.updateId })
    }
    return audit
  }

  /** For answers that never reached finish (a destroyed response): frees the key for a retry. */
  async abandon (): Promise<void> {
    if (this.#state === 'finished') return
    this.#state = 'finished'
    const claim = this.#claim
    if (!claim) return
    this.#coordinator.settle(claim)
    await this.#release(claim)
  }

  async #beginUnkeyed (start: ChangeStart): Promise<undefined> {
    const operationId = randomUUID()
    const clientRequestToken = start.bodyToken ?? clientRequestTokenFor(operationId)
    const { store, now } = this.#coordinator
    await store.operations.create({ id: operationId, ...this.#recorded(), clientRequestToken, now: now() }).catch((error: unknown) => {
      this.#coordinator.log.error({ err: error }, 'the operation record could not be created')
      throw idempotencyStoreUnavailable(error)
    })
    this.#running(operationId, tokenOnlyGuard(clientRequestToken))
    return undefined
  }

  async #beginKeyed (start: ChangeStart, key: string): Promise<StoredResponse | undefined> {
    const coordinator = this.#coordinator
    const ref: IdempotencyRef = { scope: idempotencyScope(this.subject), method: start.method, route: start.route, key }
    const leaseOwner = randomUUID()
    const newOperationId = randomUUID()
    const tokenFor = (id: string) => start.bodyToken ?? clientRequestTokenFor(id)
    const { outcome, record } = await coordinator.store.idempotency.claim({
      ...ref,
      fingerprint: fingerprint({ method: start.method, route: start.route, params: start.params, body: start.body }),
      leaseOwner,
      now: coordinator.now(),
      leaseUntil: coordinator.after(coordinator.leaseMs),
      expiresAt: coordinator.after(coordinator.retentionMs),
      operationId: newOperationId,
      operation: { ...this.#recorded(), clientRequestToken: tokenFor(newOperationId) }
    }).catch((error: unknown) => {
      coordinator.log.error({ err: error }, 'idempotency claim failed')
      throw idempotencyStoreUnavailable(error)
    })
    coordinator.countIdempotency(outcome)
    if (outcome === ClaimOutcome.MISMATCH) throw idempotencyKeyReused()
    if (outcome === ClaimOutcome.IN_PROGRESS) throw idempotencyRequestInProgress()
    if (outcome === ClaimOutcome.COMPLETED) {
      if (record.response === null) throw new Error('completed idempotency record without a response')
      this.#state = 'replayed'
      this.#operationId = record.operationId
      return record.response
    }

    const claim: Claim = { ref, leaseOwner, renewal: this.#renewEvery(ref, leaseOwner), settled: false }
    this.#claim = claim
    coordinator.track(claim)
    this.#running(record.operationId, this.#claimGuard(claim, tokenFor(record.operationId), record.recoveryPoint === RecoveryPoint.AWS_CALL_ISSUED))
    return undefined
  }

  #running (operationId: string, guard: WriteGuard) {
    this.#state = 'running'
    this.#operationId = operationId
    this.#guard = guard
  }

  #recorded () {
    const { principal, action, cluster, accountId, region, resource } = this.subject
    return { principal, action, cluster: cluster ?? '', accountId, region, resource }
  }

  #claimGuard (claim: Claim, clientRequestToken: string, resuming: boolean): WriteGuard {
    const { store, log } = this.#coordinator
    return {
      clientRequestToken,
      resuming,
      async beforeWrite () {
        if (claim.settled || !await store.idempotency.setRecoveryPoint(claim.ref, claim.leaseOwner, RecoveryPoint.AWS_CALL_ISSUED)) {
          throw idempotencyRequestInProgress()
        }
      },
      async writeNotSent () {
        if (claim.settled) return
        await store.idempotency.setRecoveryPoint(claim.ref, claim.leaseOwner, RecoveryPoint.STARTED).catch((error: unknown) => {
          log.warn({ err: error }, 'could not put the idempotency recovery point back; a retry will skip the checks before the AWS call')
        })
      }
    }
  }

  #renewEvery (ref: IdempotencyRef, leaseOwner: string): NodeJS.Timeout {
    const coordinator = this.#coordinator
    const timer = setInterval(() => {
      coordinator.store.idempotency.renewLease(ref, leaseOwner, coordinator.after(coordinator.leaseMs)).then((held) => {
        if (!held) {
          clearInterval(timer)
          coordinator.log.warn({ operationId: this.#operationId }, 'idempotency lease lost to another request; its response will not be stored')
        }
      }, (error: unknown) => coordinator.log.error({ err: error }, 'idempotency lease renewal failed'))
    }, coordinator.leaseMs / 2)
    timer.unref()
    return timer
  }

  async #release (claim: Claim): Promise<void> {
    try {
      await this.#coordinator.store.idempotency.release(claim.ref, claim.leaseOwner)
    } catch (error) {
      this.#coordinator.log.error({ err: error }, 'could not release an idempotency key; it frees up when its lease expires')
    }
  }

  #operationPatch (answer: ChangeAnswer, now: Date): OperationPatch {
    const failed = answer.status >= 400
    return {
      status: operationStatusAfter(answer.status),
      resource: this.#outcome.resource,
      updateId: this.#outcome.updateId,
      error: failed ? answer.error ?? { code: `HTTP${answer.status}`, message: `the request was answered ${answer.status}` } : null,
      details: { httpStatus: answer.status, requestId: this.subject.requestId },
      awsCalls: answer.awsCalls,
      now
    }
  }

  #auditRecord (answer: ChangeAnswer, state: ChangeState, now: Date): AuditRecord {
    const token = state === 'running' ? this.#guard?.clientRequestToken : undefined
    const awsRequestId = answer.awsCalls.findLast((call) => call.awsRequestId !== undefined)?.awsRequestId
    const resource = this.#outcome.resource ?? this.subject.resource
    return {
      id: randomUUID(),
      time: now,
      principal: this.subject.principal,
      action: this.subject.action,
      outcome: auditOutcome(answer.status, state === 'replayed'),
      status: answer.status,
      requestId: this.subject.requestId,
      dryRun: state === 'dry-run',
      awsCalls: answer.awsCalls,
      ...(this.subject.cluster !== undefined ? { cluster: this.subject.cluster } : {}),
      ...(this.subject.accountId !== undefined ? { accountId: this.subject.accountId } : {}),
      ...(this.subject.region !== undefined ? { region: this.subject.region } : {}),
      ...(resource !== undefined ? { resource } : {}),
      ...(token !== undefined && token.length <= MAX_AUDITED_TOKEN_LENGTH ? { clientRequestToken: token } : {}),
      ...(awsRequestId !== undefined ? { awsRequestId } : {}),
      ...(this.#operationId !== undefined ? { operationId: this.#operationId } : {})
    }
  }
}
