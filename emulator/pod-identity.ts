/**
 * EKS Pod Identity associations and the add-ons the emulator knows (restJson1): create, list,
 * describe, update and delete associations; describe and list add-ons (for the
 * `eks-pod-identity-agent` a pre-flight asks about). Limits and errors follow the EKS model
 * (botocore data/eks/2017-11-01) and the EKS User Guide.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import canonicalize from 'canonicalize'
import type { EmulatorContext } from './context.ts'
import { checkClientRequestToken, checkTagMap, isObject, requireString } from './eks-input.ts'
import { paginate, parseMaxResults } from './pagination.ts'
import type { AddonRecord, AddonStatus, ClusterPodIdentity, ClusterRecord, PodIdentityAssociationRecord } from './state.ts'
import { EksError } from './wire-errors.ts'

/**
 * "Pod Identity associations per cluster: 1,000", not adjustable (EKS User Guide, "View and
 * manage Amazon EKS and Fargate service quotas", service-quotas.adoc).
 */
export const MAX_ASSOCIATIONS_PER_CLUSTER = 1000

type Json = Record<string, unknown>
interface Request { labels: string[], query: URLSearchParams, body: Json }

const seconds = (ms: number) => ms / 1000
const invalid = (message: string, clusterName: string) => new EksError('InvalidParameterException', message, { clusterName })

/** IAM role ARNs, as EKS reads them: any partition, a 12-digit account, a role path and name. */
const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/

function podIdentityOf (ctx: EmulatorContext, clusterName: string): { cluster: ClusterRecord, state: ClusterPodIdentity } {
  const cluster = ctx.state.clusters.get(clusterName)
  if (!cluster) throw new EksError('ResourceNotFoundException', `No cluster found for name: ${clusterName}.`, { clusterName })
  return { cluster, state: ctx.state.podIdentityOf(clusterName) }
}

function optionalString (body: Json, member: string, clusterName: string): string | undefined {
  const value = body[member]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') throw invalid(`${member} must be a string`, clusterName)
  return value
}

function optionalBoolean (body: Json, member: string, clusterName: string): boolean | undefined {
  const value = body[member]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'boolean') throw invalid(`${member} must be a boolean`, clusterName)
  return value
}

/** The role of an association must be in the cluster's account (iam:PassRole); a target role may be in any. */
function checkRoleArn (value: string, member: 'roleArn' | 'targetRoleArn', ctx: EmulatorContext, clusterName: string): void {
  const match = ROLE_ARN.exec(value)
  if (!match) throw invalid(`Invalid ${member}: ${value}. It must be the ARN of an IAM role.`, clusterName)
  if (member === 'roleArn' && match[1] !== ctx.accountId) {
    throw invalid(`The role ${value} must be in the same account as the cluster (${ctx.accountId}); use targetRoleArn for a role in another account.`, clusterName)
  }
}

/** `policy` is a JSON document that only applies when the session tags are disabled (EKS model doc). */
function checkPolicy (policy: string | undefined, disableSessionTags: boolean, clusterName: string): void {
  if (policy === undefined || policy === '') return
  try {
    if (!isObject(JSON.parse(policy))) throw new Error('not an object')
  } catch {
    throw invalid('policy must be an IAM policy document in JSON format.', clusterName)
  }
  if (!disableSessionTags) throw invalid('disableSessionTags must be set to true when a policy is specified.', clusterName)
}

/** EKS ids look like `a-` followed by 17 lower-case letters and digits. */
function newAssociationId (): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789'
  return 'a-' + [...randomBytes(17)].map(byte => alphabet[byte % alphabet.length]).join('')
}

/** With a target role, EKS hands out this id for the target role's trust policy (sts:ExternalId). */
const externalIdOf = (ctx: EmulatorContext, record: Pick<PodIdentityAssociationRecord, 'clusterName' | 'namespace' | 'serviceAccount'>) =>
  `${ctx.region}/${ctx.accountId}/${record.clusterName}/${record.namespace}/${record.serviceAccount}`

function render (record: PodIdentityAssociationRecord) {
  return {
    clusterName: record.clusterName,
    namespace: record.namespace,
    serviceAccount: record.serviceAccount,
    roleArn: record.roleArn,
    associationArn: record.associationArn,
    associationId: record.associationId,
    tags: { ...record.tags },
    createdAt: seconds(record.createdAtMs),
    modifiedAt: seconds(record.modifiedAtMs),
    disableSessionTags: record.disableSessionTags,
    ...(record.targetRoleArn ? { targetRoleArn: record.targetRoleArn, externalId: record.externalId } : {}),
    ...(record.policy ? { policy: record.policy } : {})
  }
}

function findAssociation (state: ClusterPodIdentity, clusterName: string, associationId: string): PodIdentityAssociationRecord {
  const record = state.associations.get(associationId)
  if (!record) throw new EksError('ResourceNotFoundException', `Association ${associationId} not found in cluster ${clusterName}.`, { clusterName })
  return record
}

/**
 * A token already used on this cluster answers the association it created when the request is the
 * same, and is refused when it differs (the EKS model lists no IdempotentParameterMismatch for
 * these operations; InvalidParameterException is what it lists for a bad parameter).
 */
function replayedAssociation (state: ClusterPodIdentity, clusterName: string, token: string | undefined, fingerprint: string) {
  if (token === undefined) return undefined
  const previous = state.tokens.get(token)
  if (!previous) return undefined
  if (previous.fingerprint !== fingerprint) {
    throw invalid(`The client request token ${token} has already been used for a different request.`, clusterName)
  }
  const record = state.associations.get(previous.associationId)
  return record ? { association: render(record) } : undefined
}

function createPodIdentityAssociation (ctx: EmulatorContext, { labels: [clusterName], body }: Request) {
  const namespace = requireString(body, 'namespace', 'namespace', clusterName)
  const serviceAccount = requireString(body, 'serviceAccount', 'serviceAccount', clusterName)
  const roleArn = requireString(body, 'roleArn', 'roleArn', clusterName)
  const targetRoleArn = optionalString(body, 'targetRoleArn', clusterName) || undefined
  const disableSessionTags = optionalBoolean(body, 'disableSessionTags', clusterName) ?? false
  const policy = optionalString(body, 'policy', clusterName) || undefined
  const tags = body.tags === undefined || body.tags === null ? {} : checkTagMap(body.tags, 'tags', 'InvalidParameterException', clusterName)
  const token = checkClientRequestToken(body, clusterName)
  checkRoleArn(roleArn, 'roleArn', ctx, clusterName)
  if (targetRoleArn !== undefined) checkRoleArn(targetRoleArn, 'targetRoleArn', ctx, clusterName)
  checkPolicy(policy, disableSessionTags, clusterName)
  const { cluster, state } = podIdentityOf(ctx, clusterName)
  const fingerprint = canonicalize({ operation: 'create', namespace, serviceAccount, roleArn, targetRoleArn, disableSessionTags, policy, tags }) ?? ''
  const replay = replayedAssociation(state, clusterName, token, fingerprint)
  if (replay) return replay
  for (const existing of state.associations.values()) {
    if (existing.namespace === namespace && existing.serviceAccount === serviceAccount) {
      throw new EksError('ResourceInUseException',
        `Association already exists: ${existing.associationId} for service account ${serviceAccount} in namespace ${namespace}.`, { clusterName })
    }
  }
  if (state.associations.size >= MAX_ASSOCIATIONS_PER_CLUSTER) {
    throw new EksError('ResourceLimitExceededException',
      `Cluster ${clusterName} already has ${MAX_ASSOCIATIONS_PER_CLUSTER} Pod Identity associations, the maximum per cluster.`, { clusterName })
  }
  const associationId = newAssociationId()
  const now = ctx.clock()
  const record: PodIdentityAssociationRecord = {
    associationId,
    associationArn: `arn:aws:eks:${ctx.region}:${ctx.accountId}:podidentityassociation/${cluster.name}/${associationId}`,
    seq: state.nextSeq++,
    clusterName: cluster.name,
    namespace,
    serviceAccount,
    roleArn,
    disableSessionTags,
    tags,
    createdAtMs: now,
    modifiedAtMs: now
  }
  if (targetRoleArn !== undefined) Object.assign(record, { targetRoleArn, externalId: externalIdOf(ctx, record) })
  if (policy !== undefined) record.policy = policy
  state.associations.set(associationId, record)
  if (token !== undefined) state.tokens.set(token, { fingerprint, associationId })
  return { association: render(record) }
}

function listPodIdentityAssociations (ctx: EmulatorContext, { labels: [clusterName], query }: Request) {
  const maxResults = parseMaxResults(query.get('maxResults'), clusterName)
  const { state } = podIdentityOf(ctx, clusterName)
  const namespace = query.get('namespace')
  const serviceAccount = query.get('serviceAccount')
  const matching = [...state.associations.values()]
    .filter(record => (namespace === null || record.namespace === namespace) && (serviceAccount === null || record.serviceAccount === serviceAccount))
    .sort((a, b) => a.seq - b.seq)
  const page = paginate(matching, record => String(record.seq).padStart(12, '0'), maxResults, query.get('nextToken'), clusterName)
  return {
    associations: page.items.map(record => ({
      clusterName: record.clusterName,
      namespace: record.namespace,
      serviceAccount: record.serviceAccount,
      associationArn: record.associationArn,
      associationId: record.associationId
    })),
    ...(page.nextToken ? { nextToken: page.nextToken } : {})
  }
}

function describePodIdentityAssociation (ctx: EmulatorContext, { labels: [clusterName, associationId] }: Request) {
  const { state } = podIdentityOf(ctx, clusterName)
  return { association: render(findAssociation(state, clusterName, associationId)) }
}

/**
 * Changes the role, the target role, disableSessionTags or the policy; "You must change at least
 * one of these" (EKS API reference). An empty targetRoleArn or policy removes it.
 */
function updatePodIdentityAssociation (ctx: EmulatorContext, { labels: [clusterName, associationId], body }: Request) {
  const roleArn = optionalString(body, 'roleArn', clusterName)
  const targetRoleArn = optionalString(body, 'targetRoleArn', clusterName)
  const disableSessionTags = optionalBoolean(body, 'disableSessionTags', clusterName)
  const policy = optionalString(body, 'policy', clusterName)
  checkClientRequestToken(body, clusterName)
  if (roleArn === undefined && targetRoleArn === undefined && disableSessionTags === undefined && policy === undefined) {
    throw invalid('At least one of roleArn, targetRoleArn, disableSessionTags or policy must be specified.', clusterName)
  }
  if (roleArn !== undefined) checkRoleArn(roleArn, 'roleArn', ctx, clusterName)
  if (targetRoleArn) checkRoleArn(targetRoleArn, 'targetRoleArn', ctx, clusterName)
  const { state } = podIdentityOf(ctx, clusterName)
  const record = findAssociation(state, clusterName, associationId)
  const nextDisable = disableSessionTags ?? record.disableSessionTags
  const nextPolicy = policy === undefined ? record.policy : policy || undefined
  checkPolicy(nextPolicy, nextDisable, clusterName)
  if (roleArn !== undefined) record.roleArn = roleArn
  if (targetRoleArn !== undefined) {
    record.targetRoleArn = targetRoleArn || undefined
    record.externalId = targetRoleArn ? externalIdOf(ctx, record) : undefined
  }
  record.disableSessionTags = nextDisable
  record.policy = nextPolicy
  record.modifiedAtMs = ctx.clock()
  return { association: render(record) }
}

function deletePodIdentityAssociation (ctx: EmulatorContext, { labels: [clusterName, associationId] }: Request) {
  const { state } = podIdentityOf(ctx, clusterName)
  const record = findAssociation(state, clusterName, associationId)
  state.associations.delete(associationId)
  for (const [token, entry] of state.tokens) if (entry.associationId === associationId) state.tokens.delete(token)
  return { association: render(record) }
}

export function addAddon (ctx: EmulatorContext, clusterName: string, addonName: string, status: AddonStatus = 'ACTIVE', addonVersion = 'v1.3.4-eksbuild.1'): AddonRecord {
  const { state } = podIdentityOf(ctx, clusterName)
  const addon: AddonRecord = {
    addonName,
    addonArn: `arn:aws:eks:${ctx.region}:${ctx.accountId}:addon/${clusterName}/${addonName}/${randomUUID()}`,
    addonVersion,
    status,
    createdAtMs: ctx.clock()
  }
  state.addons.set(addonName, addon)
  return addon
}

function describeAddon (ctx: EmulatorContext, { labels: [clusterName, addonName] }: Request) {
  const { state } = podIdentityOf(ctx, clusterName)
  const addon = state.addons.get(addonName)
  if (!addon) throw new EksError('ResourceNotFoundException', `No addon: ${addonName} found in cluster: ${clusterName}`, { clusterName, addonName })
  const degraded = addon.status === 'DEGRADED'
  return {
    addon: {
      addonName: addon.addonName,
      clusterName,
      status: addon.status,
      addonVersion: addon.addonVersion,
      health: {
        issues: degraded
          ? [{ code: 'InsufficientNumberOfReplicas', message: 'The add-on is unhealthy because it doesn\'t have the desired number of replicas.', resourceIds: [] }]
          : []
      },
      addonArn: addon.addonArn,
      createdAt: seconds(addon.createdAtMs),
      modifiedAt: seconds(addon.createdAtMs),
      tags: {}
    }
  }
}

function listAddons (ctx: EmulatorContext, { labels: [clusterName], query }: Request) {
  const maxResults = parseMaxResults(query.get('maxResults'), clusterName)
  const { state } = podIdentityOf(ctx, clusterName)
  const page = paginate([...state.addons.keys()].sort(), name => name, maxResults, query.get('nextToken'), clusterName)
  return { addons: page.items, ...(page.nextToken ? { nextToken: page.nextToken } : {}) }
}

/** [method, path with `{}` for each label, operation, handler], for the EKS route table. */
export const POD_IDENTITY_ROUTES = [
  ['POST', '/clusters/{}/pod-identity-associations', 'CreatePodIdentityAssociation', createPodIdentityAssociation],
  ['GET', '/clusters/{}/pod-identity-associations', 'ListPodIdentityAssociations', listPodIdentityAssociations],
  ['GET', '/clusters/{}/pod-identity-associations/{}', 'DescribePodIdentityAssociation', describePodIdentityAssociation],
  ['POST', '/clusters/{}/pod-identity-associations/{}', 'UpdatePodIdentityAssociation', updatePodIdentityAssociation],
  ['DELETE', '/clusters/{}/pod-identity-associations/{}', 'DeletePodIdentityAssociation', deletePodIdentityAssociation],
  ['GET', '/clusters/{}/addons/{}', 'DescribeAddon', describeAddon],
  ['GET', '/clusters/{}/addons', 'ListAddons', listAddons]
] as const satisfies ReadonlyArray<readonly [string, string, string, (ctx: EmulatorContext, req: Request) => unknown]>
