/**
 * EKS Pod Identity associations: create, list, describe, update and delete, and the declarative
 * form that converges the one association of a service account. Writes run the pre-flight checks
 * first (src/pod-identity/preflight.ts) and refuse when one fails, unless forced.
 */
import type { PodIdentityAssociation as SdkAssociation } from '@aws-sdk/client-eks'
import type {
  CreatePodIdentityAssociationRequest, PodIdentityPreflight, PutServiceAccountPodIdentityRequest, UpdatePodIdentityAssociationRequest
} from '../../schemas/pod-identity.ts'
import type { EksPort } from '../aws/ports.ts'
import { callAws, isAwsError, mapAwsError } from '../aws/errors.ts'
import { problem } from '../errors.ts'
import type { PodIdentityPreflightChecks } from './preflight.ts'
import type { ClusterService, PageQuery } from '../services/clusters.ts'
import type { WriteGuard } from '../services/write-guard.ts'

export interface WriteOptions {
  /** Write even when a pre-flight check fails. */
  force: boolean
}

export type CreateOutcome =
  | { kind: 'created', association: SdkAssociation, preflight?: PodIdentityPreflight }
  | { kind: 'adopted', association: SdkAssociation }

export interface ServiceAccountRef { namespace: string, serviceAccount: string }

/** The members the declarative form converges, as EKS reports them when unset. */
const CONVERGED = ['roleArn', 'targetRoleArn', 'disableSessionTags'] as const
type Converged = typeof CONVERGED[number]

export interface ConvergeOutcome {
  outcome: 'created' | 'updated' | 'unchanged'
  dryRun: boolean
  changes: Converged[]
  association?: SdkAssociation
  preflight: PodIdentityPreflight
}

function desiredValue (desired: PutServiceAccountPodIdentityRequest, member: Converged) {
  if (member === 'targetRoleArn') return desired.targetRoleArn ?? ''
  if (member === 'disableSessionTags') return desired.disableSessionTags ?? false
  return desired.roleArn
}

function currentValue (association: SdkAssociation, member: Converged) {
  if (member === 'targetRoleArn') return association.targetRoleArn ?? ''
  if (member === 'disableSessionTags') return association.disableSessionTags ?? false
  return association.roleArn
}

const differences = (association: SdkAssociation, desired: PutServiceAccountPodIdentityRequest) =>
  CONVERGED.filter(member => currentValue(association, member) !== desiredValue(desired, member))

function refusal (preflight: PodIdentityPreflight) {
  const failed = preflight.checks.filter(check => check.status === 'failed')
  return problem('PodIdentityPreflightFailed', {
    detail: `Pods of this service account would not get the role: ${failed.map(check => `${check.name}: ${check.reason}`).join(' ')} Fix it and retry, or send force=true to write anyway.`,
    extensions: { preflight }
  })
}

export class PodIdentityAssociationService {
  readonly #eks: EksPort
  readonly #clusters: ClusterService
  readonly #preflight: PodIdentityPreflightChecks

  constructor (deps: { eks: EksPort, clusters: ClusterService, preflight: PodIdentityPreflightChecks }) {
    this.#eks = deps.eks
    this.#clusters = deps.clusters
    this.#preflight = deps.preflight
  }

  async list (clusterName: string, query: PageQuery & Partial<ServiceAccountRef>) {
    const out = await callAws(() => this.#eks.listPodIdentityAssociations({ clusterName, ...query }))
    return { associations: out.associations ?? [], nextToken: out.nextToken }
  }

  async describe (clusterName: string, associationId: string): Promise<SdkAssociation> {
    const out = await callAws(() => this.#eks.describePodIdentityAssociation({ clusterName, associationId }))
    if (!out.association) throw problem('UpstreamInvalidResponse', { detail: 'EKS answered DescribePodIdentityAssociation without an association.' })
    return out.association
  }

  preflight (clusterName: string, roleArn: string): Promise<PodIdentityPreflight> {
    return this.#preflight.run(clusterName, roleArn)
  }

  /** The association of one service account, if it has one (EKS allows one per service account). */
  async forServiceAccount (clusterName: string, ref: ServiceAccountRef): Promise<SdkAssociation | undefined> {
    const { associations } = await this.list(clusterName, ref)
    const summary = associations.find(a => a.namespace === ref.namespace && a.serviceAccount === ref.serviceAccount)
    return summary?.associationId ? await this.describe(clusterName, summary.associationId) : undefined
  }

  async create (clusterName: string, request: CreatePodIdentityAssociationRequest, guard: WriteGuard, options: WriteOptions): Promise<CreateOutcome> {
    // A retry of an attempt that may have reached EKS re-sends its token, so EKS answers the
    // association that attempt made; the checks passed before it and are not repeated.
    const preflight = guard.resuming ? undefined : await this.preflight(clusterName, request.roleArn)
    if (preflight && !preflight.passed && !options.force) throw refusal(preflight)
    await guard.beforeWrite()
    try {
      const { clientRequestToken: _own, ...fields } = request
      const out = await this.#eks.createPodIdentityAssociation({ clusterName, ...fields, clientRequestToken: guard.clientRequestToken })
      return { kind: 'created', association: out.association ?? {}, preflight }
    } catch (error) {
      if (!isAwsError(error, 'ResourceInUseException')) throw mapAwsError(error)
      const existing = await this.forServiceAccount(clusterName, request)
      // The same association already there (a retry whose token EKS no longer knows, or someone else's identical one) is adopted.
      if (existing && differences(existing, { roleArn: request.roleArn, targetRoleArn: request.targetRoleArn, disableSessionTags: request.disableSessionTags }).length === 0) {
        return { kind: 'adopted', association: existing }
      }
      throw problem('PodIdentityAssociationExists', {
        detail: `Service account ${request.namespace}/${request.serviceAccount} already has the Pod Identity association ${existing?.associationId ?? '(unknown)'} with other settings; EKS allows one per service account. Update it, or use PUT /clusters/${clusterName}/service-accounts/${request.namespace}/${request.serviceAccount}/pod-identity.`,
        extensions: existing?.associationId ? { associationId: existing.associationId } : undefined
      })
    }
  }

  async update (clusterName: string, associationId: string, request: UpdatePodIdentityAssociationRequest, guard: WriteGuard, options: WriteOptions): Promise<SdkAssociation> {
    if (request.roleArn !== undefined && !guard.resuming) {
      const preflight = await this.preflight(clusterName, request.roleArn)
      if (!preflight.passed && !options.force) throw refusal(preflight)
    }
    await guard.beforeWrite()
    const { clientRequestToken: _own, ...fields } = request
    const out = await callAws(() => this.#eks.updatePodIdentityAssociation({ clusterName, associationId, ...fields, clientRequestToken: guard.clientRequestToken }))
    return out.association ?? {}
  }

  /** Deletes the association; answers null when it is already gone (an unknown cluster is still a 404). */
  async delete (clusterName: string, associationId: string, guard: WriteGuard): Promise<SdkAssociation | null> {
    await guard.beforeWrite()
    try {
      const out = await this.#eks.deletePodIdentityAssociation({ clusterName, associationId })
      return out.association ?? {}
    } catch (error) {
      if (!isAwsError(error, 'ResourceNotFoundException')) throw mapAwsError(error)
      await this.#clusters.describe(clusterName)
      return null
    }
  }

  /** Makes the one association of a service account equal to `desired`: create, update, or nothing. */
  async converge (clusterName: string, ref: ServiceAccountRef, desired: PutServiceAccountPodIdentityRequest, guard: WriteGuard, options: WriteOptions & { dryRun: boolean }): Promise<ConvergeOutcome> {
    const [existing, preflight] = await Promise.all([this.forServiceAccount(clusterName, ref), this.preflight(clusterName, desired.roleArn)])
    const changes = existing ? differences(existing, desired) : []
    const outcome = !existing ? 'created' : changes.length > 0 ? 'updated' : 'unchanged'
    if (options.dryRun || outcome === 'unchanged') return { outcome, dryRun: options.dryRun, changes, association: existing, preflight }
    if (!preflight.passed && !options.force) throw refusal(preflight)
    if (!existing?.associationId) {
      const created = await this.create(clusterName, { ...ref, ...desired }, guard, { force: true })
      return { outcome: 'created', dryRun: false, changes, association: created.association, preflight }
    }
    const update: UpdatePodIdentityAssociationRequest = Object.fromEntries(changes.map(member => [member, desiredValue(desired, member)]))
    const association = await this.update(clusterName, existing.associationId, update, guard, { force: true })
    return { outcome: 'updated', dryRun: false, changes, association, preflight }
  }
}
