/**
 * Drives migration runs recorded in the operation store, one step at a time, until every step has
 * ended. Like the config replacement runner (src/replace/runner.ts), the store is the only state:
 * the runner holds a lease on each operation it drives and fences every write by it, so a new
 * process resumes at the first unfinished step of what a stopped one left.
 */
import { ServiceError } from '../errors.ts'
import { LeasedRunner, type LeasedRunnerOptions } from '../changes/leased-runner.ts'
import { OperationStatus, type OperationError, type OperationRecord } from '../store/index.ts'
import { isUnfinished, MIGRATION_ACTION, migrationStepsOf, StepConflict, type MigrationStep, type MigrationStepActions } from './migration-steps.ts'

export interface MigrationRunnerOptions extends LeasedRunnerOptions {
  /** The step actions of the scope (account, region) the operation was recorded in. */
  actionsOf: (record: OperationRecord) => Pick<MigrationStepActions, 'addTrust' | 'createAssociation'>
  /** Wait before retrying a step that failed for a passing reason (throttling, AWS unavailable). */
  retryIntervalMs: number
}

/** Consecutive failed attempts of one step after which it fails. */
const MAX_ATTEMPTS = 30

function isRetryable (error: unknown) {
  if (error instanceof StepConflict) return false
  if (!(error instanceof ServiceError)) return true
  // AWS refusing the request (AccessDenied, ClientException) stays refused however often it is sent.
  return (error.status === 429 || error.status >= 500) && error.slug !== 'upstream-client-error'
}

export class MigrationRunner extends LeasedRunner {
  readonly #actionsOf: MigrationRunnerOptions['actionsOf']
  readonly #retryIntervalMs: number

  constructor (options: MigrationRunnerOptions) {
    super(options, { action: MIGRATION_ACTION, label: 'Pod Identity migration' })
    this.#actionsOf = options.actionsOf
    this.#retryIntervalMs = options.retryIntervalMs
  }

  protected async drive (id: string): Promise<void> {
    let attempts = 0
    let record: OperationRecord | undefined
    while (!this.closed && (record = await this.operations.acquireLease(id, this.lease()))) {
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
          this.log.warn({ err: error, operationId: id, attempt: attempts }, 'Pod Identity migration step failed; retrying')
          if (!await this.pause(this.#retryIntervalMs)) return
          continue
        }
        attempts = 0
        next = this.#fail(steps, index, error instanceof Error ? error.message : 'unexpected error')
      }
      const saved = await this.operations.update(id, { details: { steps: next }, leaseOwner: this.owner, now: this.now() })
      if (!saved) return
      this.log.info({ operationId: id, step: `${next[index].name}:${next[index].status}` }, 'Pod Identity migration progressed')
    }
  }

  /** Runs step `index` and answers the steps after it. */
  async #run (actions: Pick<MigrationStepActions, 'addTrust' | 'createAssociation'>, cluster: string, steps: MigrationStep[], index: number): Promise<MigrationStep[]> {
    const step = steps[index]
    const startedAt = step.startedAt ?? this.now().toISOString()
    let done: MigrationStep
    if (step.name === 'add-trust') {
      const outcome = await actions.addTrust(step.roleArn)
      done = { ...step, note: outcome === 'added' ? 'The Pod Identity statement was added; the IRSA statement stays.' : 'The role already trusted Pod Identity (another step or someone else added it).' }
    } else {
      done = { ...step, associationId: await actions.createAssociation(cluster, step) }
    }
    return replaced(steps, index, { ...done, status: 'succeeded', startedAt, endedAt: this.now().toISOString() })
  }

  /** Fails step `index`; the association of a service account whose trust step failed is not made. */
  #fail (steps: MigrationStep[], index: number, note: string): MigrationStep[] {
    const at = this.now().toISOString()
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
    await this.operations.update(record.id, {
      status: error ? OperationStatus.FAILED : OperationStatus.SUCCEEDED,
      error: error ?? null,
      leaseOwner: this.owner,
      now: this.now()
    })
    this.log.info({ operationId: record.id, error }, error ? 'Pod Identity migration failed' : 'Pod Identity migration succeeded')
  }
}

const replaced = (steps: MigrationStep[], index: number, step: MigrationStep) => steps.map((s, i) => i === index ? step : s)

function failureOf (steps: MigrationStep[]): OperationError | undefined {
  const failed = steps.filter(step => step.status === 'failed')
  if (failed.length === 0) return undefined
  return { code: 'StepFailed', message: `${failed.length} step(s) failed: ${failed.map(s => `${s.name} ${s.namespace}/${s.serviceAccount}: ${s.note ?? ''}`).join('; ')}` }
}
