/**
 * Drives config replacements recorded in the operation store, step by step, until they succeed or
 * fail. The store is the only state: a runner holds a lease on each operation it drives (renewed
 * every round, and every write is fenced by it), so of several replicas one drives an operation,
 * and a new process resumes what a stopped one left, re-reading AWS before each step.
 */
import type { OidcIdentityProviderConfig as SdkOidcConfig, Update as SdkUpdate } from '@aws-sdk/client-eks'
import { LeasedRunner, type LeasedRunnerOptions } from '../changes/leased-runner.ts'
import { tokenOnlyGuard } from '../services/write-guard.ts'
import { ServiceError } from '../errors.ts'
import { sameConfig, type IdentityProviderConfigService } from '../services/identity-provider-configs.ts'
import { OperationStatus, type OperationError, type OperationRecord } from '../store/index.ts'
import { currentConfig } from './current-config.ts'
import {
  isStepDone, REPLACE_ACTION, replaceDetailsOf, StepName, StepStatus, type DesiredConfig, type ReplaceDetails, type ReplaceStep
} from './plan.ts'

export type ConfigPort = Pick<IdentityProviderConfigService, 'describe' | 'disassociate' | 'associate' | 'describeUpdate'>

export interface ReplaceRunnerOptions extends LeasedRunnerOptions {
  /** The configs of the scope (account, region) the operation was recorded in. */
  configsOf: (record: OperationRecord) => ConfigPort
  /** First wait between polls of a step; grows ×1.5 per unchanged poll up to maxPollIntervalMs. */
  pollIntervalMs: number
  maxPollIntervalMs: number
}

/** Consecutive failed rounds (AWS unavailable, throttled) after which an operation fails. */
const MAX_CONSECUTIVE_ERRORS = 30
const BACKOFF_GROWTH = 1.5
/** The cluster is busy with another update: later, not never. */
const BUSY_CODES = new Set(['ResourceInUseException', 'ConcurrentModificationException'])
const PERMANENT_UPSTREAM_CODES = new Set(['AccessDeniedException', 'ClientException'])

/** Ends an operation for good: a failed EKS update, or a state the replacement cannot continue from. */
class StepFailure extends Error {
  readonly code: string
  constructor (code: string, message: string) {
    super(message)
    this.code = code
  }
}

interface Round {
  steps: ReplaceStep[]
  /** Nothing more to do until time passes (an update runs, a config is still DELETING). */
  wait: boolean
}

const isBusy = (error: unknown) => error instanceof ServiceError && BUSY_CODES.has(error.code)

function isRetryable (error: unknown) {
  if (!(error instanceof ServiceError)) return true
  if (isBusy(error)) return true
  return (error.status === 429 || error.status >= 500) && !PERMANENT_UPSTREAM_CODES.has(error.code)
}

function failureOf (error: unknown): OperationError {
  if (error instanceof StepFailure || error instanceof ServiceError) return { code: error.code, message: error.message }
  return { code: 'InternalError', message: 'the replacement stopped on an unexpected error' }
}

export class ReplaceRunner extends LeasedRunner {
  readonly #configsOf: (record: OperationRecord) => ConfigPort
  readonly #pollIntervalMs: number
  readonly #maxPollIntervalMs: number

  constructor (options: ReplaceRunnerOptions) {
    super(options, { action: REPLACE_ACTION, label: 'config replacement' })
    this.#configsOf = options.configsOf
    this.#pollIntervalMs = options.pollIntervalMs
    this.#maxPollIntervalMs = options.maxPollIntervalMs
  }

  protected async drive (id: string): Promise<void> {
    let intervalMs = this.#pollIntervalMs
    let errors = 0
    let record: OperationRecord | undefined
    while (!this.closed && (record = await this.operations.acquireLease(id, this.lease()))) {
      const details = replaceDetailsOf(record.details)
      if (!details) return await this.#finish(record, undefined, { code: 'InvalidOperation', message: 'the operation has no replacement steps' })
      const failedStep = details.steps.find(step => step.status === StepStatus.FAILED)
      if (failedStep) return await this.#finish(record, details.steps, { code: 'StepFailed', message: failedStep.note ?? `step ${failedStep.name} failed` })
      if (details.steps.every(isStepDone)) return await this.#finish(record, details.steps)

      let round: Round
      try {
        round = await this.#advance(this.#configsOf(record), record.cluster, record.resource ?? details.desired.oidc.identityProviderConfigName, details)
        errors = 0
      } catch (error) {
        // A busy cluster (another update running) is a reason to wait, however long; failures are counted.
        if (!isBusy(error)) errors++
        if (!(error instanceof StepFailure) && isRetryable(error) && errors < MAX_CONSECUTIVE_ERRORS) {
          this.log.warn({ err: error, operationId: id, attempt: errors }, 'config replacement step failed; retrying')
          round = { steps: details.steps, wait: true }
        } else {
          return await this.#finish(record, markFailed(details.steps, this.#stamp(), failureOf(error)), failureOf(error))
        }
      }
      if (JSON.stringify(round.steps) !== JSON.stringify(details.steps)) {
        const current = round.steps.find(step => !isStepDone(step)) ?? round.steps.at(-1)
        const saved = await this.operations.update(id, { details: { steps: round.steps }, updateId: current?.updateId, leaseOwner: this.owner, now: this.now() })
        if (!saved) return
        this.log.info({ operationId: id, steps: round.steps.map(s => `${s.name}:${s.status}`) }, 'config replacement progressed')
        intervalMs = this.#pollIntervalMs
      }
      if (round.wait) {
        if (!await this.pause(intervalMs)) return
        intervalMs = Math.min(intervalMs * BACKOFF_GROWTH, this.#maxPollIntervalMs)
      }
    }
  }

  async #finish (record: OperationRecord, steps: ReplaceStep[] | undefined, error?: OperationError): Promise<void> {
    await this.operations.update(record.id, {
      status: error ? OperationStatus.FAILED : OperationStatus.SUCCEEDED,
      error: error ?? null,
      ...(steps ? { details: { steps } } : {}),
      leaseOwner: this.owner,
      now: this.now()
    })
    this.log.info({ operationId: record.id, error }, error ? 'config replacement failed' : 'config replacement succeeded')
  }

  #stamp () {
    return this.now().toISOString()
  }

  /** One round: the first unfinished step looks at AWS and moves as far as it can. */
  async #advance (configs: ConfigPort, cluster: string, configName: string, details: ReplaceDetails): Promise<Round> {
    const index = details.steps.findIndex(step => !isStepDone(step))
    const step = details.steps[index]
    const replaceFrom = (...changed: ReplaceStep[]) => details.steps.map((s, i) => i < index || i >= index + changed.length ? s : changed[i - index])
    if (step.name === StepName.ASSOCIATE) {
      return { steps: replaceFrom(await this.#associate(configs, cluster, details.desired, step)), wait: true }
    }
    if (step.updateId) {
      const next = await this.#followUpdate(configs, cluster, step)
      return { steps: replaceFrom(next), wait: !isStepDone(next) }
    }
    const current = await currentConfig(configs, cluster, configName)
    const desiredThere = current !== undefined && current.status !== 'DELETING' && sameConfig(current, details.desired.oidc)
    if (desiredThere) {
      // Someone (or an earlier run) already put the desired config in place: only the association is left.
      const skipped = details.steps.slice(index).filter(s => s.name !== StepName.ASSOCIATE).map(s => this.#skip(s, 'the desired config is already associated'))
      return { steps: replaceFrom(...skipped), wait: false }
    }
    if (step.name === StepName.DISASSOCIATE) {
      if (current === undefined) return { steps: replaceFrom(this.#skip(step, 'the config was already gone')), wait: false }
      const next = await this.#disassociate(configs, cluster, configName, current, step)
      return { steps: replaceFrom(next), wait: !isStepDone(next) }
    }
    // wait-gone
    if (current === undefined) return { steps: replaceFrom(this.#done(step)), wait: false }
    if (current.status !== 'DELETING') {
      throw new StepFailure('ConfigReappeared', `config ${configName} is associated again with other settings; the replacement stopped without associating the desired config`)
    }
    return { steps: replaceFrom(this.#started(step)), wait: true }
  }

  async #disassociate (configs: ConfigPort, cluster: string, configName: string, current: SdkOidcConfig, step: ReplaceStep): Promise<ReplaceStep> {
    let update: SdkUpdate | null
    try {
      update = await configs.disassociate(cluster, configName, tokenOnlyGuard(step.clientRequestToken!))
    } catch (error) {
      // A config already DELETING is being removed by someone else's update: just wait for it.
      if (current.status === 'DELETING' && error instanceof ServiceError && error.code === 'ResourceInUseException') {
        return this.#skip(step, 'another update was already removing the config')
      }
      throw error
    }
    if (update === null) return this.#skip(step, 'the config was already gone')
    return this.#afterUpdate({ ...this.#started(step), updateId: update.id }, update)
  }

  async #associate (configs: ConfigPort, cluster: string, desired: DesiredConfig, step: ReplaceStep): Promise<ReplaceStep> {
    if (step.updateId) return this.#followUpdate(configs, cluster, step)
    if (step.status === StepStatus.IN_PROGRESS) {
      // Adopted without a known update: the config's own status tells when it is done.
      const current = await currentConfig(configs, cluster, desired.oidc.identityProviderConfigName)
      if (current?.status === 'ACTIVE') return this.#done(step)
      if (current === undefined) throw new StepFailure('ConfigVanished', 'the desired config disappeared while it was being associated')
      return step
    }
    // The issuer was checked when the replacement was requested; the old config is gone by now.
    const outcome = await configs.associate(cluster, { oidc: desired.oidc, tags: desired.tags }, tokenOnlyGuard(step.clientRequestToken!), { skipIssuerChecks: true })
    if (outcome.kind === 'adopted') {
      // The update found for an adopted config may be an older association of the same name.
      return { ...this.#started(step), note: 'the desired config was already associated; following its status' }
    }
    return this.#afterUpdate({ ...this.#started(step), updateId: outcome.update.id }, outcome.update)
  }

  async #followUpdate (configs: ConfigPort, cluster: string, step: ReplaceStep): Promise<ReplaceStep> {
    return this.#afterUpdate(step, await configs.describeUpdate(cluster, step.updateId!))
  }

  #afterUpdate (step: ReplaceStep, update: SdkUpdate): ReplaceStep {
    if (update.status === 'Successful') return this.#done(step)
    if (update.status === 'Failed' || update.status === 'Cancelled') {
      const reasons = (update.errors ?? []).map(e => [e.errorCode, e.errorMessage].filter(Boolean).join(': ')).join('; ')
      throw new StepFailure(`Update${update.status}`, `EKS update ${update.id} of step ${step.name} ended ${update.status}${reasons ? ` (${reasons})` : ''}`)
    }
    return step
  }

  #started (step: ReplaceStep): ReplaceStep {
    return { ...step, status: StepStatus.IN_PROGRESS, startedAt: step.startedAt ?? this.#stamp() }
  }

  #done (step: ReplaceStep): ReplaceStep {
    return { ...this.#started(step), status: StepStatus.SUCCEEDED, endedAt: this.#stamp() }
  }

  #skip (step: ReplaceStep, note: string): ReplaceStep {
    return { ...step, status: StepStatus.SKIPPED, endedAt: this.#stamp(), note }
  }
}

function markFailed (steps: ReplaceStep[], at: string, error: OperationError): ReplaceStep[] {
  const index = steps.findIndex(step => !isStepDone(step))
  return steps.map((step, i) => i === index ? { ...step, status: StepStatus.FAILED, endedAt: at, note: error.message } : step)
}
