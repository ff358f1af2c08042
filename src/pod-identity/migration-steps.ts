/**
 * The run of a migration from IRSA to EKS Pod Identity, as stored in an operation's `details.steps`:
 * per service account of the plan, `add-trust` (the Pod Identity statement next to the IRSA one)
 * then `create-association`, each run at most once in effect. Entries the plan cannot carry out
 * (exists, conflict, ambiguous) are recorded as skipped with the plan's reason.
 */
import { ServiceError } from '../errors.ts'
import type { IamPort } from '../aws/ports.ts'
import { callAws } from '../aws/errors.ts'
import type { PodIdentityAssociationService } from './associations.ts'
import { CLIENT_REQUEST_TOKEN_PREFIX, type WriteGuard } from '../services/write-guard.ts'
import type { MigrationRunStep, PodIdentityMigrationPlan } from '../../schemas/pod-identity-migration.ts'
import { readPolicyDocument } from './irsa-roles.ts'
import { missingPodIdentityActions, POD_IDENTITY_TRUST_STATEMENT, roleNameOf } from './trust.ts'

/** `action` of the operation records of a migration run (the route's operationId). */
export const MIGRATION_ACTION = 'migrateToPodIdentity'

export type MigrationStep = MigrationRunStep

export const isUnfinished = (step: MigrationStep) => step.status === 'pending' || step.status === 'in_progress'

/** `eks-oidc-api-<operation id>-<step index>`: at most 54 characters for a UUID, inside EKS's 33–126. */
export const associationToken = (operationId: string, index: number) => `${CLIENT_REQUEST_TOKEN_PREFIX}${operationId}-${index}`

/** The steps of a plan, in the plan's order; the create steps carry their EKS token. */
export function migrationSteps (plan: PodIdentityMigrationPlan, operationId: string): MigrationStep[] {
  const steps: MigrationStep[] = []
  for (const entry of plan.serviceAccounts) {
    const target = { namespace: entry.namespace, serviceAccount: entry.serviceAccount, roleArn: entry.roleArn }
    const runnable = entry.association.action === 'create'
    // An association already made with this role still needs the role to trust Pod Identity.
    const migrates = runnable || entry.association.action === 'exists'
    const trustRuns = migrates && entry.trust.action === 'add-statement'
    steps.push({ name: 'add-trust', ...target, status: trustRuns ? 'pending' : 'skipped', ...(trustRuns ? {} : { note: migrates ? entry.trust.reason : entry.association.reason }) })
    steps.push({
      name: 'create-association',
      ...target,
      status: runnable ? 'pending' : 'skipped',
      ...(runnable ? { clientRequestToken: associationToken(operationId, steps.length) } : { note: entry.association.reason }),
      ...(entry.association.associationId ? { associationId: entry.association.associationId } : {})
    })
  }
  return steps
}

/** Reads what a service stored; undefined when the record is not a migration run. */
export function migrationStepsOf (details: Record<string, unknown>): MigrationStep[] | undefined {
  const { steps } = details
  if (!Array.isArray(steps) || !steps.every(step => step?.name === 'add-trust' || step?.name === 'create-association')) return undefined
  return steps as MigrationStep[]
}

/** A step that cannot succeed by retrying: recorded as failed on that step. */
export class StepConflict extends Error {}

/** The AWS side of the steps, in one scope (account, region). */
export class MigrationStepActions {
  readonly #iam: Pick<IamPort, 'getRole' | 'updateAssumeRolePolicy'>
  readonly #associations: Pick<PodIdentityAssociationService, 'create'>

  constructor (deps: { iam: Pick<IamPort, 'getRole' | 'updateAssumeRolePolicy'>, associations: Pick<PodIdentityAssociationService, 'create'> }) {
    this.#iam = deps.iam
    this.#associations = deps.associations
  }

  /** Adds the Pod Identity statement unless the role trusts Pod Identity already (so a resumed step adds none). */
  async addTrust (roleArn: string): Promise<'added' | 'already'> {
    const RoleName = roleNameOf(roleArn)
    const { Role } = await callAws(() => this.#iam.getRole({ RoleName }))
    const text = Role?.AssumeRolePolicyDocument
    if (missingPodIdentityActions(readPolicyDocument(text)).length === 0) return 'already'
    // Written back as read, with one statement more: the IRSA statements stay exactly as they are.
    const document = JSON.parse(decodeURIComponent(text ?? '{}')) as { Statement?: unknown }
    const statements = document.Statement === undefined ? [] : Array.isArray(document.Statement) ? document.Statement : [document.Statement]
    const PolicyDocument = JSON.stringify({ ...document, Statement: [...statements, POD_IDENTITY_TRUST_STATEMENT] })
    await callAws(() => this.#iam.updateAssumeRolePolicy({ RoleName, PolicyDocument }))
    return 'added'
  }

  /** Creates the association (or finds the same one there already); another role's association is a conflict. */
  async createAssociation (clusterName: string, step: MigrationStep): Promise<string> {
    // `resuming`: the trust was just added by the step before; the pre-flight checks are the plan's.
    const guard: WriteGuard = { clientRequestToken: step.clientRequestToken!, resuming: true, beforeWrite: async () => {}, writeNotSent: async () => {} }
    try {
      const outcome = await this.#associations.create(clusterName, { namespace: step.namespace, serviceAccount: step.serviceAccount, roleArn: step.roleArn }, guard, { force: true })
      return outcome.association.associationId ?? ''
    } catch (error) {
      if (error instanceof ServiceError && error.catalogueCode === 'PodIdentityAssociationExists') throw new StepConflict(error.message)
      throw error
    }
  }
}
