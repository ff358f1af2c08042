/**
 * Brings operations that are a single EKS update (an association or a disassociation) to their
 * end: follows the update through the shared UpdateWatcher and writes how it ended. The store is
 * the only state. The follower holds a lease on each operation it follows, renewed while it waits,
 * and the outcome write is fenced by it: of several replicas one follows an operation, and what a
 * stopped or dead process left is picked up by a sweep once its lease is released or expires.
 * Multi-step operations (`details.steps`) belong to the replacement runner and are never touched.
 */
import { randomUUID } from 'node:crypto'
import {
  OperationStatus, type OperationLease, type OperationRecord, type OperationStore
} from '../store/store.ts'
import { ServiceError } from '../errors.ts'
import type { Logger } from '../observability/request-context.ts'
import type { UpdateWatcher, WatchEvent } from '../watch/update-watcher.ts'
import { outcomeOfUpdate, outcomeOfWatchError, type UpdateOutcome } from './update-outcome.ts'

export interface OperationFollowerDeps {
  operations: OperationStore
  /** The update watcher of the scope (account, region) the operation was recorded in. */
  watcherOf: (operation: OperationRecord) => Pick<UpdateWatcher, 'subscribe'>
  /** How long a lease on a followed operation lasts without renewal; also the interval of the sweep. */
  leaseMs: number
  log: Logger
  now?: () => Date
}

export interface FollowedOperation {
  id: string
  cluster: string
  updateId: string
}

/** Why a follow ended. */
type Ending =
  | { kind: 'outcome', outcome: UpdateOutcome }
  /** Closing, or the watcher shut down: hand the operation back. */
  | { kind: 'stopped' }
  /** The lease is gone (another follower took it, or the operation ended elsewhere). */
  | { kind: 'lost' }

type AwaitingOperation = OperationRecord & { updateId: string }

const SWEEP_BATCH = 100
/** Renewals per lease period, so a late or failed renewal still leaves time for the next one. */
const RENEWALS_PER_LEASE = 3

function awaitsUpdate (record: OperationRecord): record is AwaitingOperation {
  return record.status === OperationStatus.IN_PROGRESS && record.updateId !== null && !('steps' in record.details)
}

function endingOf (event: WatchEvent): Ending | undefined {
  if (event.kind === 'shutdown') return { kind: 'stopped' }
  if (event.kind === 'state') return event.terminal ? { kind: 'outcome', outcome: outcomeOfUpdate(event.update) } : undefined
  return event.final ? { kind: 'outcome', outcome: outcomeOfWatchError(event.error) } : undefined
}

export class OperationFollower {
  /** This follower's identity in operation leases. */
  readonly owner = randomUUID()
  readonly #operations: OperationStore
  readonly #watcherOf: (operation: OperationRecord) => Pick<UpdateWatcher, 'subscribe'>
  readonly #leaseMs: number
  readonly #log: Logger
  readonly #now: () => Date
  /** Operation id → its whole follow, from loading it to the outcome write or the lease release. */
  readonly #following = new Map<string, Promise<void>>()
  /** Ends every follow's wait at once when the follower closes. */
  readonly #closing = new AbortController()
  #sweepTimer?: NodeJS.Timeout
  #sweeping?: Promise<void>
  #closed = false

  constructor (deps: OperationFollowerDeps) {
    this.#operations = deps.operations
    this.#watcherOf = deps.watcherOf
    this.#leaseMs = deps.leaseMs
    this.#log = deps.log
    this.#now = deps.now ?? (() => new Date())
  }

  /**
   * Follows the operation's update to its end, unless this follower already does, another holds
   * its lease, or the store does not show it in progress on this update (then the sweep decides).
   */
  follow (operation: FollowedOperation): void {
    this.#track(operation.id, async () => {
      const record = await this.#operations.get(operation.id)
      if (record === undefined || !awaitsUpdate(record)) return undefined
      if (record.cluster === operation.cluster && record.updateId === operation.updateId) return record
      this.#log.warn({ operationId: operation.id, updateId: operation.updateId, recordedUpdateId: record.updateId }, 'not following: the operation records another update')
      return undefined
    })
  }

  /** Resumes the operations waiting on an update now, then sweeps for orphans every lease period. */
  start (): Promise<void> {
    if (this.#closed || this.#sweepTimer) return this.#sweeping ?? Promise.resolve()
    // sweep() logs its own errors and never rejects.
    this.#sweepTimer = setInterval(() => { this.#sweep().catch(() => {}) }, this.#leaseMs).unref()
    return this.#sweep()
  }

  /** Stops the sweep and every follow; leases are released so another process resumes at once. */
  async close (): Promise<void> {
    this.#closed = true
    clearInterval(this.#sweepTimer)
    this.#closing.abort()
    await this.#sweeping
    await Promise.allSettled([...this.#following.values()])
  }

  #sweep (): Promise<void> {
    this.#sweeping ??= this.#sweepOnce().finally(() => { this.#sweeping = undefined })
    return this.#sweeping
  }

  async #sweepOnce (): Promise<void> {
    try {
      const awaiting = await this.#operations.listAwaitingUpdate({ leaseFreeAt: this.#now(), limit: SWEEP_BATCH })
      for (const record of awaiting) this.#track(record.id, async () => record)
    } catch (error) {
      this.#log.error({ err: error }, 'could not list the operations waiting on an EKS update')
    }
  }

  #track (id: string, load: () => Promise<OperationRecord | undefined>): void {
    if (this.#closed || this.#following.has(id)) return
    const run = this.#run(load)
      .catch((error: unknown) => this.#log.error({ err: error, operationId: id }, 'following the operation failed; a later sweep retries it'))
      .finally(() => this.#following.delete(id))
    this.#following.set(id, run)
  }

  async #run (load: () => Promise<OperationRecord | undefined>): Promise<void> {
    const loaded = await load()
    if (loaded === undefined || this.#closed) return
    const leased = await this.#operations.acquireLease(loaded.id, this.#lease())
    // Someone else follows it, or it ended in the meantime.
    if (leased === undefined) return
    if (!awaitsUpdate(leased)) {
      await this.#release(leased.id)
      return
    }
    this.#log.info({ operationId: leased.id, cluster: leased.cluster, updateId: leased.updateId }, 'following the EKS update of the operation')
    const ending = await this.#watch(leased)
    if (ending.kind === 'outcome') await this.#finish(leased, ending.outcome)
    else if (ending.kind === 'stopped') await this.#release(leased.id)
    else this.#log.warn({ operationId: leased.id }, 'lost the lease of the operation; another follower has it')
  }

  /** Waits for the update's end (or for closing), renewing the lease meanwhile. */
  #watch (operation: AwaitingOperation): Promise<Ending> {
    const signal = this.#closing.signal
    if (signal.aborted) return Promise.resolve({ kind: 'stopped' })
    let watcher: Pick<UpdateWatcher, 'subscribe'>
    try {
      watcher = this.#watcherOf(operation)
    } catch (error) {
      // The operation's scope is gone (its account left the registry): it can never be followed.
      if (error instanceof ServiceError) return Promise.resolve({ kind: 'outcome', outcome: outcomeOfWatchError(error) })
      throw error
    }
    return new Promise((resolve) => {
      let renewing: Promise<void> = Promise.resolve()
      let ended = false
      const end = (ending: Ending) => {
        if (ended) return
        ended = true
        clearInterval(renewal)
        subscription.unsubscribe()
        signal.removeEventListener('abort', onAbort)
        // A renewal still in flight must land before the release or the outcome write.
        resolve(renewing.then(() => ending))
      }
      const onAbort = () => end({ kind: 'stopped' })
      const renewal = setInterval(() => {
        renewing = this.#renew(operation.id).then((held) => { if (!held) end({ kind: 'lost' }) })
      }, this.#leaseMs / RENEWALS_PER_LEASE).unref()
      // The watcher never calls a listener before subscribe returns, so `end` always finds `subscription`.
      const subscription = watcher.subscribe(operation.cluster, operation.updateId, (event) => {
        const ending = endingOf(event)
        if (ending !== undefined) end(ending)
        else if (event.kind === 'error') this.#log.warn({ err: event.error, operationId: operation.id }, 'polling the EKS update failed; still following it')
      })
      signal.addEventListener('abort', onAbort, { once: true })
    })
  }

  /** False once the lease is someone else's; a store error is not that, so it keeps the follow going. */
  async #renew (id: string): Promise<boolean> {
    try {
      return await this.#operations.acquireLease(id, this.#lease()) !== undefined
    } catch (error) {
      this.#log.warn({ err: error, operationId: id }, 'could not renew the lease of the operation')
      return true
    }
  }

  async #finish (operation: AwaitingOperation, outcome: UpdateOutcome): Promise<void> {
    const saved = await this.#operations.update(operation.id, { ...outcome, leaseOwner: this.owner, now: this.#now() })
    if (saved === undefined) {
      this.#log.warn({ operationId: operation.id }, 'the outcome of the operation was not written: its lease had passed to another follower')
      return
    }
    this.#log.info({ operationId: operation.id, updateId: operation.updateId, status: saved.status, error: saved.error }, 'operation ended with its EKS update')
  }

  async #release (id: string): Promise<void> {
    await this.#operations.releaseLease(id, this.owner).catch((error: unknown) => {
      this.#log.warn({ err: error, operationId: id }, 'could not release the lease of the operation; it expires on its own')
    })
  }

  #lease (): OperationLease {
    const now = this.#now()
    return { owner: this.owner, now, until: new Date(now.getTime() + this.#leaseMs) }
  }
}
