/**
 * The cluster's IAM OIDC provider (IRSA): what `eksctl utils associate-iam-oidc-provider` does,
 * as a declarative desired state with a plan mode.
 */
import type { GetOpenIDConnectProviderCommandOutput } from '@aws-sdk/client-iam'
import type { OidcProviderStatus, PlannedCall, PutOidcProviderRequest } from '../../schemas/iam.ts'
import type { ThumbprintDrift } from '../../schemas/issuers.ts'
import { thumbprintDrift, type ThumbprintService } from '../issuers/thumbprint.ts'
import { problem, ServiceError } from '../errors.ts'
import type { IamPort } from '../aws/ports.ts'
import { callAws, isAwsError, mapAwsError } from '../aws/errors.ts'
import { iamProviderUrl, oidcProviderArn } from './cluster-identity.ts'
import type { ClusterIdentity, ClusterService } from './clusters.ts'
import { convergenceCalls, createCall, type DesiredProvider } from './oidc-provider-plan.ts'

/** eksctl refuses these states too: the issuer is not (or no longer) usable. */
const UNUSABLE_CLUSTER_STATES = new Set(['CREATING', 'DELETING', 'FAILED'])

export interface PutResult {
  status: OidcProviderStatus
  created: boolean
  changes: PlannedCall[]
  dryRun: boolean
}

export interface PutOptions {
  dryRun: boolean
  /** Compute the thumbprints from the issuer's served chain (as eksctl does) instead of letting IAM do it. */
  computeThumbprints: boolean
}

/**
 * IAM's default quota "OpenID Connect providers per account":
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
 */
export const OIDC_PROVIDERS_PER_ACCOUNT = 100

export interface ProviderCount { count: number, quota: number }

export interface OidcProviderDeps {
  /** IAM of the account the provider is in. */
  iam: IamPort
  clusters: ClusterService
  thumbprints: Pick<ThumbprintService, 'forIssuer'>
  /** The account the provider is in, when it is not the cluster's (IRSA across accounts; `iam` is that account's). */
  account?: string
  /** Count the account's providers before a create and refuse one past this quota (OidcProviderQuotaReached). */
  providersPerAccount?: number
}

export class OidcProviderService {
  readonly #iam: IamPort
  readonly #clusters: ClusterService
  readonly #thumbprints: Pick<ThumbprintService, 'forIssuer'>
  readonly #account?: string
  readonly #quota?: number

  constructor (deps: OidcProviderDeps) {
    this.#iam = deps.iam
    this.#clusters = deps.clusters
    this.#thumbprints = deps.thumbprints
    this.#account = deps.account
    this.#quota = deps.providersPerAccount
  }

  /** How many OIDC providers the provider's account has, out of how many IAM allows (with `providersPerAccount` only). */
  async providerCount (): Promise<ProviderCount> {
    const listed = await callAws(() => this.#iam.listOpenIDConnectProviders({}))
    return { count: listed.OpenIDConnectProviderList?.length ?? 0, quota: this.#quota ?? OIDC_PROVIDERS_PER_ACCOUNT }
  }

  /** The provider and its thumbprint drift. */
  async get (clusterName: string): Promise<OidcProviderStatus> {
    const status = await this.status(clusterName)
    if (!status.exists) return status
    return { ...status, thumbprintDrift: await this.driftOf(status.issuerUrl, status.provider?.ThumbprintList ?? []) }
  }

  /** The provider as IAM has it, without contacting the issuer. */
  async status (clusterName: string): Promise<OidcProviderStatus> {
    return this.#status(await this.clusterWithIssuer(clusterName))
  }

  async put (clusterName: string, request: PutOidcProviderRequest, options: PutOptions): Promise<PutResult> {
    const cluster = await this.clusterWithIssuer(clusterName)
    if (UNUSABLE_CLUSTER_STATES.has(cluster.status ?? '')) {
      throw problem('ClusterStateConflict', { detail: `Cluster "${clusterName}" is ${cluster.status}; its OIDC issuer cannot be registered now.` })
    }
    const desired: DesiredProvider = {
      ClientIDList: request.ClientIDList,
      ThumbprintList: request.ThumbprintList ?? (options.computeThumbprints ? await this.#servedThumbprints(cluster.issuerUrl) : undefined),
      Tags: request.Tags
    }
    const current = await this.#status(cluster)
    const plan = current.exists
      ? convergenceCalls(current.OpenIDConnectProviderArn, stateOf(current), desired)
      : [createCall(iamProviderUrl(current.issuerUrl), desired)]
    if (!current.exists) await this.#checkQuota()
    if (options.dryRun || plan.length === 0) {
      return { status: current, created: false, changes: plan, dryRun: options.dryRun }
    }

    const changes = await this.#apply(cluster, current, desired, plan)
    return { status: await this.#status(cluster), created: !current.exists && changes[0]?.operation === 'CreateOpenIDConnectProvider', changes, dryRun: false }
  }

  /** Deletes the provider, answering its ARN; an absent provider is success (delete is idempotent). */
  async delete (clusterName: string): Promise<string> {
    const cluster = await this.clusterWithIssuer(clusterName)
    const arn = oidcProviderArn(cluster.arn, cluster.issuerUrl, this.#account)
    try {
      await this.#iam.deleteOpenIDConnectProvider({ OpenIDConnectProviderArn: arn })
    } catch (error) {
      if (!isAwsError(error, 'NoSuchEntityException')) throw mapAwsError(error)
    }
    return arn
  }

  async #apply (cluster: ClusterIdentity & { issuerUrl: string }, current: OidcProviderStatus, desired: DesiredProvider, plan: PlannedCall[]) {
    if (plan[0].operation !== 'CreateOpenIDConnectProvider') return this.#run(plan)
    try {
      return await this.#run(plan)
    } catch (error) {
      // Another create took the last place between our count and our create.
      if (this.#quota !== undefined && error instanceof ServiceError && error.code === 'LimitExceededException' && /OpenIdConnectProviders/i.test(error.message)) {
        throw this.#quotaReached(await this.providerCount().catch(() => undefined))
      }
      // Someone created it between our Get and our Create: converge what is there instead.
      if (!(error instanceof ServiceError && error.code === 'EntityAlreadyExistsException')) throw error
      const now = await this.#status(cluster)
      return this.#run(convergenceCalls(current.OpenIDConnectProviderArn, stateOf(now), desired))
    }
  }

  async #run (plan: PlannedCall[]) {
    for (const call of plan) await callAws(() => this.#send(call))
    return plan
  }

  #send ({ operation, input }: PlannedCall): Promise<unknown> {
    const iam = this.#iam
    switch (operation) {
      case 'CreateOpenIDConnectProvider': return iam.createOpenIDConnectProvider(input as never)
      case 'AddClientIDToOpenIDConnectProvider': return iam.addClientIDToOpenIDConnectProvider(input as never)
      case 'RemoveClientIDFromOpenIDConnectProvider': return iam.removeClientIDFromOpenIDConnectProvider(input as never)
      case 'UpdateOpenIDConnectProviderThumbprint': return iam.updateOpenIDConnectProviderThumbprint(input as never)
      case 'TagOpenIDConnectProvider': return iam.tagOpenIDConnectProvider(input as never)
      case 'UntagOpenIDConnectProvider': return iam.untagOpenIDConnectProvider(input as never)
      default: throw new Error(`No IAM call for planned operation ${operation}`)
    }
  }

  async #checkQuota () {
    if (this.#quota === undefined) return
    const counted = await this.providerCount()
    if (counted.count >= counted.quota) throw this.#quotaReached(counted)
  }

  #quotaReached (counted: ProviderCount | undefined) {
    const quota = this.#quota ?? OIDC_PROVIDERS_PER_ACCOUNT
    const account = this.#account === undefined ? 'The cluster\'s account' : `Account ${this.#account}`
    const has = counted === undefined ? 'has reached' : `has ${counted.count} IAM OIDC providers, at`
    return problem('OidcProviderQuotaReached', {
      detail: `${account} ${has} IAM's quota of ${quota} OpenID Connect providers per account; delete one there (or ask AWS for a higher quota) before adding this one.`,
      extensions: { quota, ...(counted === undefined ? {} : { count: counted.count }) }
    })
  }

  async #servedThumbprints (issuerUrl: string) {
    // IAM accepts at most 5; an issuer and a separate JWKS host give at most 2.
    return (await this.#thumbprints.forIssuer(issuerUrl)).thumbprints.slice(0, 5)
  }

  /** Drift is informational: an issuer the service cannot reach must not break the answer. */
  async driftOf (issuerUrl: string, registered: string[]): Promise<ThumbprintDrift> {
    try {
      return thumbprintDrift(registered, await this.#thumbprints.forIssuer(issuerUrl))
    } catch (error) {
      return { error: error instanceof ServiceError ? error.message : 'the issuer\'s certificate chain could not be read' }
    }
  }

  /** The cluster, refused with a 409 problem when it has no OIDC issuer. */
  async clusterWithIssuer (clusterName: string) {
    const cluster = await this.#clusters.identity(clusterName)
    if (!cluster.issuerUrl) {
      throw problem('ClusterStateConflict', { detail: `Cluster "${clusterName}" has no OIDC issuer URL (identity.oidc.issuer is empty).` })
    }
    return cluster as ClusterIdentity & { issuerUrl: string }
  }

  async #status (cluster: ClusterIdentity & { issuerUrl: string }): Promise<OidcProviderStatus> {
    const arn = oidcProviderArn(cluster.arn, cluster.issuerUrl, this.#account)
    const base = { clusterName: cluster.name, issuerUrl: cluster.issuerUrl, OpenIDConnectProviderArn: arn }
    let provider: GetOpenIDConnectProviderCommandOutput
    try {
      provider = await this.#iam.getOpenIDConnectProvider({ OpenIDConnectProviderArn: arn })
    } catch (error) {
      if (isAwsError(error, 'NoSuchEntityException')) return { ...base, exists: false }
      throw mapAwsError(error)
    }
    return {
      ...base,
      exists: true,
      provider: {
        Url: provider.Url,
        ClientIDList: provider.ClientIDList ?? [],
        ThumbprintList: provider.ThumbprintList ?? [],
        CreateDate: provider.CreateDate,
        Tags: (provider.Tags ?? []).map(t => ({ Key: t.Key ?? '', Value: t.Value ?? '' }))
      }
    }
  }
}

function stateOf (status: OidcProviderStatus) {
  return {
    ClientIDList: status.provider?.ClientIDList ?? [],
    ThumbprintList: status.provider?.ThumbprintList ?? [],
    Tags: status.provider?.Tags ?? []
  }
}
