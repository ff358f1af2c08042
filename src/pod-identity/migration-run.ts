/**
 * The request side of a migration run: plan, persist every step in the operation's record before
 * the first write, and hand the operation to the MigrationRunner. One run per cluster at a time.
 */
import { problem } from '../errors.ts'
import { operationLocation } from '../replace/service.ts'
import type { OperationRecord, OperationStore } from '../store/index.ts'
import type { PodIdentityMigrationPlan } from '../../schemas/pod-identity-migration.ts'
import type { PodIdentityMigrationPlanner } from './migration-plan.ts'
import type { MigrationRunner } from './migration-runner.ts'
import { MIGRATION_ACTION, migrationSteps, migrationStepsOf, type MigrationStep } from './migration-steps.ts'

export interface MigrationRunStarted { clusterName: string, operationId: string, steps: MigrationStep[] }

export class PodIdentityMigrationService {
  readonly #planner: Pick<PodIdentityMigrationPlanner, 'plan'>
  readonly #operations: OperationStore
  readonly #runner: Pick<MigrationRunner, 'lease' | 'reserve'>

  constructor (deps: { planner: Pick<PodIdentityMigrationPlanner, 'plan'>, operations: OperationStore, runner: Pick<MigrationRunner, 'lease' | 'reserve'> }) {
    this.#planner = deps.planner
    this.#operations = deps.operations
    this.#runner = deps.runner
  }

  plan (clusterName: string): Promise<PodIdentityMigrationPlan> {
    return this.#planner.plan(clusterName)
  }

  /** Starts the run in operation `operationId` (its record exists: the change pipeline made it). */
  async run (clusterName: string, operationId: string): Promise<MigrationRunStarted> {
    // A retry of a request that already started its run (same Idempotency-Key) continues it.
    const own = migrationStepsOf((await this.#operations.get(operationId))?.details ?? {})
    if (own) {
      this.#runner.reserve(operationId)
      return { clusterName, operationId, steps: own }
    }
    const [running] = await this.#operations.listUnfinished({ action: MIGRATION_ACTION, cluster: clusterName, resource: clusterName, exceptId: operationId, limit: 1 })
    if (running) throw migrationInProgress(running)
    const steps = migrationSteps(await this.#planner.plan(clusterName), operationId)
    const result = await this.#operations.startExclusive(operationId, {
      action: MIGRATION_ACTION, cluster: clusterName, resource: clusterName, details: { steps }, lease: this.#runner.lease()
    })
    if (result.running) throw migrationInProgress(result.running)
    this.#runner.reserve(operationId)
    return { clusterName, operationId, steps }
  }
}

function migrationInProgress (running: OperationRecord) {
  return problem('MigrationInProgress', {
    detail: `Operation ${running.id} is already migrating cluster "${running.cluster}" to Pod Identity; follow it at ${operationLocation(running.cluster, running.id)} and send the request again once it has finished.`,
    extensions: { operationId: running.id }
  })
}
