/**
 * PUT of a whole identity provider config: nothing when it is already there, a plain association
 * when there is none, otherwise a replacement (disassociate → wait until gone → associate) run as
 * one durable operation by the ReplaceRunner. Everything that can be refused is refused here,
 * before any write, so that the old config is never removed for a new one that cannot be added.
 */
import type { OidcIdentityProviderConfig as SdkOidcConfig } from '@aws-sdk/client-eks'
import { problem } from '../errors.ts'
import type { IdentityProviderConfigService, IssuerChecksOutcome } from '../services/identity-provider-configs.ts'
import type { OperationRecord, OperationStore } from '../store/index.ts'
import {
  expectedDowntime, expectedDuration, initialSteps, planKind, REPLACE_ACTION, replaceDetailsOf,
  type DesiredConfig, type MinutesRange, type PlanKind, type ReplaceStep
} from './plan.ts'
import { currentConfig } from './current-config.ts'
import type { ReplaceRunner } from './runner.ts'

export interface ReplaceRequest {
  clusterName: string
  configName: string
  desired: DesiredConfig
  /** The request's operation (its record exists: the change pipeline creates it); none for a dry run. */
  operationId?: string
  dryRun: boolean
  skipIssuerChecks: boolean
}

interface PlanSummary {
  plan: PlanKind
  steps: ReplaceStep[]
  expectedDowntime: MinutesRange | null
  expectedDuration: MinutesRange
}

export interface ReplaceOutcome extends PlanSummary {
  /** `unchanged` and `dry-run` changed nothing; `started` means an operation now carries out the steps. */
  kind: 'unchanged' | 'dry-run' | 'started'
  /** The config associated now (unchanged and dry-run answers). */
  current?: SdkOidcConfig
  issuerChecks?: IssuerChecksOutcome
}

export const operationLocation = (cluster: string, operationId: string) =>
  `/clusters/${encodeURIComponent(cluster)}/operations/${encodeURIComponent(operationId)}`

export class ReplaceService {
  readonly #configs: Pick<IdentityProviderConfigService, 'describe' | 'checkAssociable'>
  readonly #operations: OperationStore
  readonly #runner: ReplaceRunner

  constructor (deps: { configs: Pick<IdentityProviderConfigService, 'describe' | 'checkAssociable'>, operations: OperationStore, runner: ReplaceRunner }) {
    this.#configs = deps.configs
    this.#operations = deps.operations
    this.#runner = deps.runner
  }

  get runner () {
    return this.#runner
  }

  async replace (request: ReplaceRequest): Promise<ReplaceOutcome> {
    const { clusterName, configName, desired } = request
    if (desired.oidc.identityProviderConfigName !== configName) {
      throw problem('InvalidParameter', {
        detail: `The body names config "${desired.oidc.identityProviderConfigName}" but the path names "${configName}"; a PUT replaces the config of its path.`,
        errors: [{ pointer: '/body/oidc/identityProviderConfigName', detail: 'must equal the configName of the path' }]
      })
    }
    const { operationId } = request
    // A retry of a request that already started its operation (same Idempotency-Key) continues it.
    const own = operationId === undefined ? undefined : await this.#ownOperation(operationId)
    if (own) return own
    await this.#refuseWhileRunning(clusterName, configName, operationId)

    const current = await currentConfig(this.#configs, clusterName, configName)
    const plan = planKind(current, desired)
    const steps = initialSteps(plan, request.dryRun ? undefined : operationId)
    if (plan === 'unchanged' && !request.dryRun) return { kind: 'unchanged', ...summary(plan, steps), current }
    const issuerChecks = plan === 'unchanged'
      ? undefined
      : await this.#configs.checkAssociable(clusterName, desired.oidc, { skipIssuerChecks: request.skipIssuerChecks })
    if (request.dryRun || operationId === undefined) return { kind: 'dry-run', ...summary(plan, steps), current, issuerChecks }

    const result = await this.#operations.startExclusive(operationId, {
      action: REPLACE_ACTION,
      cluster: clusterName,
      resource: configName,
      details: { desired: { oidc: desired.oidc, ...(desired.tags ? { tags: desired.tags } : {}) }, steps },
      lease: this.#runner.lease()
    })
    if (result.running) throw replaceInProgress(result.running)
    this.#runner.reserve(operationId)
    return { kind: 'started', ...summary(plan, steps), issuerChecks }
  }

  /** Call once the request's answer is recorded: the runner then drives the operation. */
  begin (operationId: string): void {
    this.#runner.kick(operationId)
  }

  async #ownOperation (operationId: string): Promise<ReplaceOutcome | undefined> {
    const record = await this.#operations.get(operationId)
    const details = record && replaceDetailsOf(record.details)
    if (!record || !details) return undefined
    this.#runner.reserve(operationId)
    return { kind: 'started', ...summary(details.steps.length > 1 ? 'replace' : 'associate', details.steps) }
  }

  async #refuseWhileRunning (cluster: string, resource: string, exceptId: string | undefined) {
    const [running] = await this.#operations.listUnfinished({ action: REPLACE_ACTION, cluster, resource, exceptId, limit: 1 })
    if (running) throw replaceInProgress(running)
  }
}

function summary (plan: PlanKind, steps: ReplaceStep[]): PlanSummary {
  return { plan, steps, expectedDowntime: expectedDowntime(plan), expectedDuration: expectedDuration(plan) }
}

function replaceInProgress (running: OperationRecord) {
  return problem('ReplaceInProgress', {
    detail: `Operation ${running.id} is already changing config "${running.resource}" of cluster "${running.cluster}"; follow it at ${operationLocation(running.cluster, running.id)} and send the PUT again once it has finished.`,
    extensions: { operationId: running.id }
  })
}
