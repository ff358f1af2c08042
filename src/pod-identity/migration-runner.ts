/**
 * Drives migration runs recorded in the operation store, one step at a time, until every step has
 * ended. Like the config replacement runner (src/replace/runner.ts), the store is the only state:
 * the runner holds a lease on each operation it drives and fences every write by it, so a new
 * process resumes at the first unfinished step of what a stopped one left.
 */
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { ServiceError } from '../errors.ts'
import type { Logger } from '../observability/request-context.ts'
import { OperationStatus, type OperationError, type OperationLease, type OperationRecord, type OperationStore } from '../store/index.ts'
import { isUnfinished, MIGRATION_ACTION, migrationStepsOf, StepConflict, type MigrationStep, type MigrationStepActions } from './migration-steps.ts'

export interface MigrationRunnerOptions {
  operations: OperationStore
  /** The step actions of the scope (account, region) the operation was recorded in. */
  actionsOf: (record: OperationRecord) => Pick<MigrationStepActions, 'addTrust' | 'createAssociation'>
  /** Wait before retrying a step that failed for a passing reason (throttling, AWS unavailable). */
  retryIntervalMs: number
  /** How long a claim on an operation lasts without renewal; also the interval of the sweep for orphans. */
  leaseMs: number
  log: Logger
  now?: () => Date
}

/** Consecutive failed attempts of one step after which it fails. */
const MAX_ATTEMPTS = 30
const SWEEP_BATCH = 100

function isRetryable (error: unknown) {
  if (error instanceof StepConflict) return false
  if (!(error instanceof ServiceError)) return true
  // AWS refusing the request (AccessDenied, ClientException) stays refused however often it is sent.
  return (error.status === 429 || error.status >= 500) && error.slug !== 'upstream-client-error'
}

export class MigrationRunner {
  readonly owner = randomUUID()
  readonly #operations: OperationStore
  readonly #actionsOf: MigrationRunnerOptions['actionsOf']
  readonly #retryIntervalMs: number
  readonly #leaseMs: number
  readonly #log: Logger
  readonly #now: () => Date
  readonly #active = new Map<string, Promise<void>>()
  readonly #reserved = new Set<string>()
  readonly #abort = new AbortController()
  #sweepTimer?: NodeJS.Timeout
  #closed = false

  constructor (options: MigrationRunnerOptions) {
    this.#operations = options.operations
    this.#actionsOf = options.actionsOf
    this.#retryIntervalMs = options.retryIntervalMs
    this.#leaseMs = options.leaseMs
    this.#log = options.log
    this.#now = options.now ?? (() => new Date())
  }

  lease (): OperationLease {
    const now = this.#now()
    return { owner: this.owner, now, until: new Date(now.getTime() + this.#leaseMs) }
  }

  /** Resumes unfinished runs now, then sweeps for orphaned ones every lease period. */
  start (): Promise<void> {
    if (this.#closed || this.#sweepTimer) return Promise.resolve()
    this.#sweepTimer = setInterval(() => { this.sweep().catch(() => {}) }, this.#leaseMs).unref()
    return this.sweep()
  }

  async sweep (): Promise<void> {
    try {
      const unfinished = await this.#operations.listUnfinished({ action: MIGRATION_ACTION, limit: SWEEP_BATCH })
      for (const operation of unfinished) if (!this.#reserved.has(operation.id)) this.kick(operation.id)
    } catch (error) {
      this.#log.error({ err: error }, 'could not list unfinished Pod Identity migrations')
    }
  }

  /** Keeps the sweep off an operation whose request is still being answered. */
  reserve (id: string): void {
    this.#reserved.add(id)
  }

  kick (id: string): void {
    this.#reserved.delete(id)
    if (this.#closed || this.#active.has(id)) return
    const run = this.#drive(id)
      .catch((error: unknown) => this.#log.error({ err: error, operationId: id }, 'Pod Identity migration runner crashed; the sweep retries it'))
      .finally(() => this.#active.delete(id))
    this.#active.set(id, run)
  }

  async idle (id: string): Promise<void> {
    await this.#active.get(id)
  }

  async close (): Promise<void> {
    this.#closed = true
    clearInterval(this.#sweepTimer)
    this.#abort.abort()
    await Promise.allSettled([...this.#active.values()])
  }

  async #drive (id: string): Promise<void> {
    let attempts = 0
    let record: OperationRecord | undefined
    try {
      while (!this.#closed && (record = await this.#operations.acquireLease(id, this.lease()))) {
        const steps = migrationStepsOf(record.details)
        if (!steps) return await this.#finish(record, { code: 'InvalidOperation', message: 'the operation has no migration steps' })
        const index = steps.findIndex(isUnfinished)
        if (index === -1) return await this.#finish(record, failureOf(steps))
        let next: MigrationStep[]
        try {
          next = await this.#run(this.#actionsOf(record), record.cluster, steps, index)
          attempts = 0
        } catch (error) {
          if (isRetryable(error) && ++attempts < MAX_ATTEMPTS) {
            this.#log.warn({ err: error, operationId: id, attempt: attempts }, 'Pod Identity migration step failed; retrying')
            if (!await this.#wait()) return
            continue
          }
          attempts = 0
          next = this.#fail(steps, index, error instanceof Error ? error.message : 'unexpected error')
        }
        const saved = await this.#operations.update(id, { details: { steps: next }, leaseOwner: this.owner, now: this.#now() })
        if (!saved) return
        this.#log.info({ operationId: id, step: `${next[index].name}:${next[index].status}` }, 'Pod Identity migration progressed')
      }
    } finally {
      if (this.#closed) await this.#operations.releaseLease(id, this.owner).catch(() => false)
    }
  }

  async #wait (): Promise<boolean> {
    try {
      await sleep(Math.min(this.#retryIntervalMs, this.#leaseMs / 3), undefined, { signal: this.#abort.signal })
      return true
    } catch {
      return false
    }
  }

  /** Runs step `index` and answers the steps after it. */
  async #run (actions: Pick<MigrationStepActions, 'addTrust' | 'createAssociation'>, cluster: string, steps: MigrationStep[], index: number): Promise<MigrationStep[]> {
    const step = steps[index]
    const startedAt = step.startedAt ?? this.#now().toISOString()
    let done: MigrationStep
    if (step.name === 'add-trust') {
      const outcome = await actions.addTrust(step.roleArn)
      done = { ...step, note: outcome === 'added' ? 'The Pod Identity statement was added; the IRSA statement stays.' : 'The role already trusted Pod Identity (another step or someone else added it).' }
    } else {
      done = { ...step, associationId: await actions.createAssociation(cluster, step) }
    }
    return replaced(steps, index, { ...done, status: 'succeeded', startedAt, endedAt: this.#now().toISOString() })
  }

  /** Fails step `index`; the association of a service account whose trust step failed is not made. */
  #fail (steps: MigrationStep[], index: number, note: string): MigrationStep[] {
    const at = this.#now().toISOString()
    const failed = steps[index]
    return steps.map((step, i) => {
      if (i === index) return { ...step, status: 'failed', endedAt: at, note }
      const sameAccount = step.namespace === failed.namespace && step.serviceAccount === failed.serviceAccount && step.roleArn === failed.roleArn
      if (failed.name === 'add-trust' && sameAccount && step.name === 'create-association' && isUnfinished(step)) {
        return { ...step, status: 'skipped', endedAt: at, note: 'Not created: the trust step of this service account failed.' }
      }
      return step
    })
  }

  async #finish (record: OperationRecord, error: OperationError | undefined): Promise<void> {
    await this.#operations.update(record.id, {
      status: error ? OperationStatus.FAILED : OperationStatus.SUCCEEDED,
      error: error ?? null,
      leaseOwner: this.owner,
      now: this.#now()
    })
    this.#log.info({ operationId: record.id, error }, error ? 'Pod Identity migration failed' : 'Pod Identity migration succeeded')
  }
}

const replaced = (steps: MigrationStep[], index: number, step: MigrationStep) => steps.map((s, i) => i === index ? step : s)

function failureOf (steps: MigrationStep[]): OperationError | undefined {
  const failed = steps.filter(step => step.status === 'failed')
  if (failed.length === 0) return undefined
  return { code: 'StepFailed', message: `${failed.length} step(s) failed: ${failed.map(s => `${s.name} ${s.namespace}/${s.serviceAccount}: ${s.note ?? ''}`).join('; ')}` }
}
