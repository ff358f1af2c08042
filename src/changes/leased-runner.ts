/**
 * What every runner of multi-step operations shares (config replacements, Pod Identity migrations):
 * a lease per operation it drives, a sweep that picks up unfinished operations of its action that
 * no live lease holds (a replica died, the process restarted), and a clean stop. The subclass
 * drives one operation; the store is the only state.
 */
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Logger } from '../observability/request-context.ts'
import type { OperationLease, OperationStore } from '../store/index.ts'

export interface LeasedRunnerOptions {
  operations: OperationStore
  /** How long a claim on an operation lasts without renewal; also the interval of the sweep for orphans. */
  leaseMs: number
  log: Logger
  now?: () => Date
}

const SWEEP_BATCH = 100

export abstract class LeasedRunner {
  /** This runner's identity in operation leases. */
  readonly owner = randomUUID()
  protected readonly operations: OperationStore
  protected readonly log: Logger
  protected readonly now: () => Date
  readonly #action: string
  /** What the runner drives, in log lines. */
  readonly #label: string
  readonly #leaseMs: number
  readonly #active = new Map<string, Promise<void>>()
  /** Started by a request whose answer has not gone out yet; driven once it has (see kick). */
  readonly #reserved = new Set<string>()
  readonly #abort = new AbortController()
  #sweepTimer?: NodeJS.Timeout
  #sweeping?: Promise<void>
  #closed = false

  constructor (options: LeasedRunnerOptions, driven: { action: string, label: string }) {
    this.operations = options.operations
    this.log = options.log
    this.now = options.now ?? (() => new Date())
    this.#leaseMs = options.leaseMs
    this.#action = driven.action
    this.#label = driven.label
  }

  /** Drives one operation until it ends, the lease is lost or the runner closes. */
  protected abstract drive (id: string): Promise<void>

  protected get closed (): boolean {
    return this.#closed
  }

  /** A fresh lease for this runner, from now. */
  lease (): OperationLease {
    const now = this.now()
    return { owner: this.owner, now, until: new Date(now.getTime() + this.#leaseMs) }
  }

  /** Resumes unfinished operations now, then sweeps for orphaned ones every lease period. */
  start (): Promise<void> {
    if (this.#closed || this.#sweepTimer) return this.#sweeping ?? Promise.resolve()
    // sweep() logs its own errors and never rejects.
    this.#sweepTimer = setInterval(() => { this.sweep().catch(() => {}) }, this.#leaseMs).unref()
    return this.sweep()
  }

  /** Picks up every unfinished operation of the action that no live lease holds. */
  sweep (): Promise<void> {
    this.#sweeping ??= this.#sweepOnce().finally(() => { this.#sweeping = undefined })
    return this.#sweeping
  }

  /** Keeps the sweep off an operation whose request is still being answered. */
  reserve (id: string): void {
    this.#reserved.add(id)
  }

  /** Starts driving an operation (after its request was answered); no-op if already driven here. */
  kick (id: string): void {
    this.#reserved.delete(id)
    if (this.#closed || this.#active.has(id)) return
    const run = this.#driveReleasing(id)
      .catch((error: unknown) => this.log.error({ err: error, operationId: id }, `${this.#label} runner crashed; the sweep retries it`))
      .finally(() => this.#active.delete(id))
    this.#active.set(id, run)
  }

  /** Resolves when this runner no longer drives the operation (for tests and shutdown). */
  async idle (id: string): Promise<void> {
    await this.#active.get(id)
  }

  /** Stops every loop at its next wait and hands its operations back (leases released). */
  async close (): Promise<void> {
    this.#closed = true
    clearInterval(this.#sweepTimer)
    this.#abort.abort()
    await this.#sweeping
    await Promise.allSettled([...this.#active.values()])
  }

  /** Sleeps at most a third of the lease, so the lease is renewed in time; false when closing. */
  protected async pause (ms: number): Promise<boolean> {
    try {
      await sleep(Math.min(ms, this.#leaseMs / 3), undefined, { signal: this.#abort.signal })
      return true
    } catch {
      return false
    }
  }

  async #driveReleasing (id: string): Promise<void> {
    try {
      await this.drive(id)
    } finally {
      if (this.#closed) await this.operations.releaseLease(id, this.owner).catch(() => false)
    }
  }

  async #sweepOnce (): Promise<void> {
    try {
      const unfinished = await this.operations.listUnfinished({ action: this.#action, limit: SWEEP_BATCH })
      for (const operation of unfinished) {
        if (!this.#reserved.has(operation.id)) this.kick(operation.id)
      }
    } catch (error) {
      this.log.error({ err: error }, `could not list unfinished ${this.#label}s`)
    }
  }
}
