/**
 * The plan of a migration from IRSA to EKS Pod Identity for one cluster: the roles whose trust
 * policy lets a service account of the cluster in through its IAM OIDC provider, and for each
 * service account the association to create and the trust statement its role needs. Read-only;
 * the IRSA trust stays in place (the caller removes it once the pods use Pod Identity).
 */
import type { PodIdentityAssociationSummary } from '@aws-sdk/client-eks'
import type { Role } from '@aws-sdk/client-iam'
import type { IamPort } from '../aws/ports.ts'
import { callAws } from '../aws/errors.ts'
import { problem } from '../errors.ts'
import { oidcProviderArn } from '../services/cluster-identity.ts'
import type { ClusterService } from '../services/clusters.ts'
import type { PodIdentityAssociationService } from './associations.ts'
import type { MigrationServiceAccount, PodIdentityMigrationPlan } from '../../schemas/pod-identity-migration.ts'
import { irsaSubjects, readPolicyDocument } from './irsa-roles.ts'
import type { PodIdentityPreflightChecks } from './preflight.ts'
import { missingPodIdentityActions, POD_IDENTITY_TRUST_STATEMENT } from './trust.ts'

/** ListRoles pages of at most this many roles (IAM's maximum MaxItems). */
const ROLE_PAGE = 1000

const saKey = (namespace: string, serviceAccount: string) => `${namespace}/${serviceAccount}`

export class PodIdentityMigrationPlanner {
  readonly #iam: Pick<IamPort, 'listRoles'>
  readonly #clusters: ClusterService
  readonly #associations: PodIdentityAssociationService
  readonly #preflight: PodIdentityPreflightChecks

  constructor (deps: { iam: Pick<IamPort, 'listRoles'>, clusters: ClusterService, associations: PodIdentityAssociationService, preflight: PodIdentityPreflightChecks }) {
    this.#iam = deps.iam
    this.#clusters = deps.clusters
    this.#associations = deps.associations
    this.#preflight = deps.preflight
  }

  async plan (clusterName: string): Promise<PodIdentityMigrationPlan> {
    const cluster = await this.#clusters.describe(clusterName)
    const issuer = cluster.identity?.oidc?.issuer
    if (!issuer) throw problem('ClusterStateConflict', { detail: `Cluster ${clusterName} has no OIDC issuer, so no role can trust it through IRSA.` })
    const providerArn = oidcProviderArn(cluster.arn, issuer)
    const [roles, associations, clusterChecks] = await Promise.all([this.#allRoles(), this.#allAssociations(clusterName), this.#preflight.clusterChecks(clusterName)])

    const trusted = new Map<string, Array<{ role: Role, trustsPodIdentity: boolean }>>()
    const skipped: PodIdentityMigrationPlan['skipped'] = []
    for (const role of roles) {
      const document = readPolicyDocument(role.AssumeRolePolicyDocument)
      const subjects = irsaSubjects(document, providerArn)
      for (const subject of subjects.wildcards) {
        skipped.push({ roleArn: role.Arn ?? '', subject, reason: 'A wildcard subject names no single service account, and a Pod Identity association is made for one. Create the associations by name.' })
      }
      for (const { namespace, serviceAccount } of subjects.serviceAccounts) {
        const key = saKey(namespace, serviceAccount)
        trusted.set(key, [...trusted.get(key) ?? [], { role, trustsPodIdentity: missingPodIdentityActions(document).length === 0 }])
      }
    }

    const serviceAccounts: MigrationServiceAccount[] = []
    for (const [key, candidates] of [...trusted].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)) {
      const [namespace, serviceAccount] = key.split('/')
      const existing = associations.get(key)
      for (const { role, trustsPodIdentity } of candidates) {
        const roleArn = role.Arn ?? ''
        serviceAccounts.push({
          namespace,
          serviceAccount,
          roleArn,
          association: await this.#associationStep(clusterName, existing, roleArn, candidates.length),
          trust: trustsPodIdentity
            ? { action: 'none', reason: 'The role already trusts pods.eks.amazonaws.com with sts:AssumeRole and sts:TagSession.' }
            : { action: 'add-statement', reason: 'Add this statement next to the IRSA one, which stays in place.', statementToAdd: POD_IDENTITY_TRUST_STATEMENT }
        })
      }
    }
    return { clusterName, oidcProviderArn: providerArn, dryRun: true, clusterChecks, serviceAccounts, skipped }
  }

  async #associationStep (clusterName: string, existing: PodIdentityAssociationSummary | undefined, roleArn: string, candidates: number): Promise<MigrationServiceAccount['association']> {
    if (candidates > 1) {
      return { action: 'ambiguous', reason: `${candidates} roles trust this service account through IRSA; Pod Identity gives a service account one role. Choose one and use the declarative PUT.` }
    }
    if (!existing?.associationId) return { action: 'create', reason: 'No association yet: one will be created with this role.' }
    const current = await this.#associations.describe(clusterName, existing.associationId)
    if (current.roleArn === roleArn) return { action: 'exists', associationId: existing.associationId, reason: 'The service account already has an association with this role.' }
    return { action: 'conflict', associationId: existing.associationId, reason: `The service account already has an association with another role (${current.roleArn ?? 'unknown'}); it is left alone.` }
  }

  async #allRoles (): Promise<Role[]> {
    const roles: Role[] = []
    let marker: string | undefined
    do {
      const page = await callAws(() => this.#iam.listRoles({ MaxItems: ROLE_PAGE, ...(marker ? { Marker: marker } : {}) }))
      roles.push(...page.Roles ?? [])
      marker = page.IsTruncated ? page.Marker : undefined
    } while (marker)
    return roles
  }

  async #allAssociations (clusterName: string): Promise<Map<string, PodIdentityAssociationSummary>> {
    const found = new Map<string, PodIdentityAssociationSummary>()
    let nextToken: string | undefined
    do {
      const page = await this.#associations.list(clusterName, { maxResults: 100, ...(nextToken ? { nextToken } : {}) })
      for (const summary of page.associations) found.set(saKey(summary.namespace ?? '', summary.serviceAccount ?? ''), summary)
      nextToken = page.nextToken
    } while (nextToken)
    return found
  }
}
