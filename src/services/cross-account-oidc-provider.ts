/**
 * IRSA across accounts: pods of cluster C (account A) can assume a role in account B only if B has
 * an IAM OIDC provider for C's issuer. This manages that provider with the semantics of the
 * cluster's own (OidcProviderService), composed from C's cluster service and B's IAM, and counts
 * B's providers against IAM's quota before any create.
 */
import type { IamPort } from '../aws/ports.ts'
import type { ThumbprintService } from '../issuers/thumbprint.ts'
import { problem } from '../errors.ts'
import { parseClusterArn } from './cluster-identity.ts'
import type { ClusterService } from './clusters.ts'
import { OIDC_PROVIDERS_PER_ACCOUNT, OidcProviderService, type ProviderCount, type PutOptions, type PutResult } from './oidc-provider.ts'
import type { OidcProviderStatus, PutOidcProviderRequest } from '../../schemas/iam.ts'

export interface CrossAccountOidcProviderDeps {
  clusters: ClusterService
  thumbprints: Pick<ThumbprintService, 'forIssuer'>
  /** IAM of the cluster's own scope: used when the account named is the cluster's and the registry does not list it by id. */
  clusterIam: IamPort
  /** IAM of an account of the registry (through its assumed role), or undefined for an account the registry does not list. */
  iamOfAccount: (accountId: string) => IamPort | undefined
}

/** The path parameter naming the provider's account (routes/clusters/oidc-provider-accounts.ts). */
const ACCOUNT_POINTER = '/params/providerAccountId'

export type CrossAccountStatus = OidcProviderStatus & { accountId: string, oidcProviders: ProviderCount }

export class CrossAccountOidcProviderService {
  readonly #deps: CrossAccountOidcProviderDeps

  constructor (deps: CrossAccountOidcProviderDeps) {
    this.#deps = deps
  }

  /** The provider in `accountId`, its thumbprint drift, and how many providers that account has out of its quota. */
  async get (clusterName: string, accountId: string): Promise<CrossAccountStatus> {
    const providers = await this.#inAccount(clusterName, accountId)
    const [status, oidcProviders] = await Promise.all([providers.get(clusterName), providers.providerCount()])
    return { ...status, accountId, oidcProviders }
  }

  async put (clusterName: string, accountId: string, request: PutOidcProviderRequest, options: PutOptions): Promise<PutResult> {
    return (await this.#inAccount(clusterName, accountId)).put(clusterName, request, options)
  }

  /** Deletes the provider in `accountId`, answering its ARN; an absent provider is success. */
  async delete (clusterName: string, accountId: string): Promise<string> {
    return (await this.#inAccount(clusterName, accountId)).delete(clusterName)
  }

  async #inAccount (clusterName: string, accountId: string): Promise<OidcProviderService> {
    const { clusters, thumbprints } = this.#deps
    const iam = this.#deps.iamOfAccount(accountId) ?? await this.#clusterIamIfOwn(clusterName, accountId)
    if (iam === undefined) {
      throw problem('AccountNotFound', {
        detail: `Account ${JSON.stringify(accountId)} is not in the service's account registry, so its IAM cannot be reached.`,
        errors: [{ pointer: ACCOUNT_POINTER, detail: 'must be an account of the registry (GET /accounts lists them) or the cluster\'s own' }]
      })
    }
    return new OidcProviderService({ iam, clusters, thumbprints, account: accountId, providersPerAccount: OIDC_PROVIDERS_PER_ACCOUNT })
  }

  async #clusterIamIfOwn (clusterName: string, accountId: string): Promise<IamPort | undefined> {
    const cluster = await this.#deps.clusters.identity(clusterName)
    return parseClusterArn(cluster.arn).account === accountId ? this.#deps.clusterIam : undefined
  }
}
