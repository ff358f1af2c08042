/**
 * IRSA trust policies: render the one a role needs for a cluster's service account, diagnose a
 * role whose pods get "Not authorized to perform sts:AssumeRoleWithWebIdentity", and repair its
 * trust policy (adding or mending one statement, never removing any).
 */
import type { PlannedCall, TrustPolicyDiagnosis, TrustPolicyRendering, TrustPolicyRepairRequest } from '../../schemas/iam.ts'
import type { IamPort } from '../aws/ports.ts'
import { callAws, isAwsError, mapAwsError } from '../aws/errors.ts'
import { problem } from '../errors.ts'
import { diagnose, type Diagnosis, type ProviderFacts } from '../trust/diagnosis.ts'
import { irsaPolicy, type IrsaTarget } from '../trust/irsa.ts'
import { parsePolicyDocument, PolicyDocumentError, policySize, policyText, renderPolicy, type PolicyDocument } from '../trust/policy-document.ts'
import { issuerHostPath, parseClusterArn } from './cluster-identity.ts'
import type { ClusterIdentity } from './clusters.ts'
import type { OidcProviderService } from './oidc-provider.ts'
import type { WriteGuard } from './write-guard.ts'

export interface RenderQuery { namespace: string, serviceAccount: string, accountId?: string, wildcards?: boolean }

export interface RepairResult { diagnosis: TrustPolicyDiagnosis, changes: PlannedCall[], dryRun: boolean }

type Cluster = ClusterIdentity & { issuerUrl: string }

export interface TrustPolicyServiceDeps {
  /** IAM of the service's own account: the clusters' account. */
  iam: IamPort
  oidcProvider: Pick<OidcProviderService, 'clusterWithIssuer' | 'driftOf'>
  /** IAM of another account (one of the account registry), or undefined when the service does not reach it. */
  iamForAccount?: (accountId: string) => IamPort | undefined
  /** The accounts' trust-policy quota, in characters without white space. */
  sizeLimit: number
}

export class TrustPolicyService {
  readonly #deps: TrustPolicyServiceDeps

  constructor (deps: TrustPolicyServiceDeps) {
    this.#deps = deps
  }

  async render (clusterName: string, query: RenderQuery): Promise<TrustPolicyRendering> {
    // The cluster first: a request for a cluster that does not exist is a 404 whatever its query.
    const cluster = await this.#deps.oidcProvider.clusterWithIssuer(clusterName)
    refuseUnaskedWildcards(query)
    const accountId = query.accountId ?? parseClusterArn(cluster.arn).account
    const target = irsaTarget(cluster, accountId, query)
    const iam = this.#iamOrUndefined(cluster, accountId)
    const exists = iam && await readProvider(iam, target.providerArn) !== undefined
    const document = irsaPolicy(target)
    return {
      clusterName: cluster.name,
      issuerUrl: cluster.issuerUrl,
      accountId,
      OpenIDConnectProviderArn: target.providerArn,
      ...(exists === undefined ? {} : { exists }),
      policy: renderPolicy(document) as TrustPolicyRendering['policy'],
      size: policySize(policyText(document)),
      sizeLimit: this.#deps.sizeLimit
    }
  }

  /** Reads the role and the provider; writes nothing. */
  async diagnose (clusterName: string, request: TrustPolicyRepairRequest): Promise<TrustPolicyDiagnosis> {
    return (await this.#examine(clusterName, request, 'querystring')).answer
  }

  /**
   * Updates the trust policy with the diagnosis's fix. A policy that already allows the call, or
   * one that no added statement can help (a Deny), is left as it is and no call is made.
   */
  async repair (clusterName: string, request: TrustPolicyRepairRequest, options: { dryRun: boolean }, guard: WriteGuard): Promise<RepairResult> {
    const examined = await this.#examine(clusterName, request, 'body')
    const { fix } = examined.diagnosis
    if (!fix) return { diagnosis: examined.answer, changes: [], dryRun: options.dryRun }
    if (fix.size > this.#deps.sizeLimit) {
      throw problem('TrustPolicyTooLarge', {
        detail: `The fixed trust policy of role "${examined.roleName}" would have ${fix.size} characters (white space not counted), over IAM's quota of ${this.#deps.sizeLimit}; nothing was changed. Remove statements that are no longer needed, or raise the quota (up to 8,192) and TRUST_POLICY_SIZE_LIMIT.`,
        extensions: { size: fix.size, sizeLimit: this.#deps.sizeLimit }
      })
    }
    const call: PlannedCall = { operation: 'UpdateAssumeRolePolicy', input: { RoleName: examined.roleName, PolicyDocument: fix.text } }
    if (options.dryRun) return { diagnosis: examined.answer, changes: [call], dryRun: true }
    await guard.beforeWrite()
    await callAws(() => examined.iam.updateAssumeRolePolicy({ RoleName: examined.roleName, PolicyDocument: fix.text }))
    const after = this.#diagnosis(examined.target, parsePolicyDocument(fix.text), examined.provider)
    return { diagnosis: answerOf(examined.base, after, parsePolicyDocument(fix.text)), changes: [call], dryRun: false }
  }

  /** `from`: where the request's members are, for the pointers of problems. */
  async #examine (clusterName: string, request: TrustPolicyRepairRequest, from: 'querystring' | 'body') {
    const cluster = await this.#deps.oidcProvider.clusterWithIssuer(clusterName)
    const role = parseRoleArn(request.roleArn)
    const clusterPartition = parseClusterArn(cluster.arn).partition
    if (role.partition !== clusterPartition) {
      throw problem('ValidationException', {
        detail: `The role is in partition "${role.partition}", the cluster in "${clusterPartition}".`,
        errors: [{ pointer: `/${from}/roleArn`, detail: `must be a role in the cluster's partition (${clusterPartition})` }]
      })
    }
    const iam = this.#iamIn(cluster, role.account, `/${from}/roleArn`)
    const target = irsaTarget(cluster, role.account, request)
    const document = await readTrustPolicy(iam, role.name, role.account)
    const provider = await this.#providerFacts(iam, cluster, target.providerArn)
    const diagnosis = this.#diagnosis(target, document, provider)
    const base = { clusterName: cluster.name, issuerUrl: cluster.issuerUrl, roleArn: request.roleArn, namespace: request.namespace, serviceAccount: request.serviceAccount, OpenIDConnectProviderArn: target.providerArn }
    return { iam, target, roleName: role.name, provider, diagnosis, base, answer: answerOf(base, diagnosis, document) }
  }

  #diagnosis (target: IrsaTarget, document: PolicyDocument, provider: ProviderFacts): Diagnosis {
    const hint = 'create it with PUT /clusters/{name}/oidc-provider (the cluster\'s account) or in the role\'s account.'
    return diagnose({ document, target, provider, sizeLimit: this.#deps.sizeLimit, createProviderHint: hint })
  }

  async #providerFacts (iam: IamPort, cluster: Cluster, providerArn: string): Promise<ProviderFacts> {
    const provider = await readProvider(iam, providerArn)
    if (!provider) return { exists: false }
    const drift = await this.#deps.oidcProvider.driftOf(cluster.issuerUrl, provider.ThumbprintList ?? [])
    return { exists: true, thumbprints: drift.error !== undefined ? { error: drift.error } : { matches: drift.matches ?? false, missing: drift.missing ?? [] } }
  }

  #iamOrUndefined (cluster: Cluster, accountId: string): IamPort | undefined {
    return accountId === parseClusterArn(cluster.arn).account ? this.#deps.iam : this.#deps.iamForAccount?.(accountId)
  }

  #iamIn (cluster: Cluster, accountId: string, pointer: string): IamPort {
    const iam = this.#iamOrUndefined(cluster, accountId)
    if (iam) return iam
    throw problem('AccountNotReachable', {
      detail: `The role is in account ${accountId}, which is neither the cluster's account (${parseClusterArn(cluster.arn).account}) nor one of the service's account registry (GET /accounts lists them).`,
      errors: [{ pointer, detail: `names account ${accountId}, which the service has no access to` }]
    })
  }
}

function answerOf (base: Omit<TrustPolicyDiagnosis, 'allowed' | 'checks' | 'policy' | 'size' | 'sizeLimit' | 'fix'>, diagnosis: Diagnosis, document: PolicyDocument): TrustPolicyDiagnosis {
  const { fix } = diagnosis
  return {
    ...base,
    allowed: diagnosis.allowed,
    checks: diagnosis.checks,
    policy: renderPolicy(document) as TrustPolicyDiagnosis['policy'],
    size: diagnosis.size,
    sizeLimit: diagnosis.sizeLimit,
    ...(fix ? { fix: { ...fix.diff, policy: fix.policy as TrustPolicyDiagnosis['policy'], size: fix.size } } : {})
  }
}

function irsaTarget (cluster: Cluster, accountId: string, who: { namespace: string, serviceAccount: string }): IrsaTarget {
  const { partition } = parseClusterArn(cluster.arn)
  // The provider ARN and the condition keys name the issuer by host and path, never a port.
  const issuerKey = issuerHostPath(cluster.issuerUrl, { withPort: false })
  return { providerArn: `arn:${partition}:iam::${accountId}:oidc-provider/${issuerKey}`, issuerKey, namespace: who.namespace, serviceAccount: who.serviceAccount }
}

function parseRoleArn (arn: string) {
  const [, partition, account, resource] = /^arn:([a-z-]+):iam::(\d{12}):(role\/.+)$/.exec(arn) as RegExpExecArray
  return { partition, account, name: resource.slice(resource.lastIndexOf('/') + 1) }
}

function refuseUnaskedWildcards (query: RenderQuery) {
  if (query.wildcards === true) return
  const fields = (['namespace', 'serviceAccount'] as const).filter(field => /[*?]/.test(query[field]))
  if (fields.length === 0) return
  throw problem('ValidationException', {
    detail: `${fields.join(' and ')} may hold "*" or "?" only with wildcards=true.`,
    errors: fields.map(field => ({ pointer: `/querystring/${field}`, detail: 'must not contain "*" or "?" unless wildcards=true (the sub condition is then StringLike)' }))
  })
}

/** The provider, or undefined when it does not exist. */
async function readProvider (iam: IamPort, providerArn: string) {
  try {
    return await iam.getOpenIDConnectProvider({ OpenIDConnectProviderArn: providerArn })
  } catch (error) {
    if (isAwsError(error, 'NoSuchEntityException')) return undefined
    throw mapAwsError(error)
  }
}

async function readTrustPolicy (iam: IamPort, roleName: string, accountId: string): Promise<PolicyDocument> {
  let text: string | undefined
  try {
    text = (await iam.getRole({ RoleName: roleName })).Role?.AssumeRolePolicyDocument
  } catch (error) {
    if (isAwsError(error, 'NoSuchEntityException')) {
      throw problem('NoSuchEntityException', { detail: `Role "${roleName}" does not exist in account ${accountId}.` })
    }
    throw mapAwsError(error)
  }
  try {
    return parsePolicyDocument(text ?? '')
  } catch (error) {
    if (!(error instanceof PolicyDocumentError)) throw error
    throw problem('UpstreamInvalidResponse', { detail: `IAM answered a trust policy for role "${roleName}" that cannot be read: ${error.message}.` })
  }
}
