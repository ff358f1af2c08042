/**
 * EKS access entries and access policies of the emulator (restJson1): the entry that maps an IAM
 * principal to a Kubernetes username and groups, and the AWS-managed access policies associated
 * with it. The rules follow the EKS model and the EKS User Guide ("Create access entries",
 * "Associate access policies"); messages are those AWS is known to send where one was found.
 */
import { randomUUID } from 'node:crypto'
import canonicalize from 'canonicalize'
import type { EmulatorContext } from './context.ts'
import { findCluster } from './clusters.ts'
import { checkClientRequestToken, checkTagMap, isObject } from './eks-input.ts'
import { paginate, parseMaxResults } from './pagination.ts'
import type { AccessEntryRecord, AccessScopeRecord, AssociatedPolicyRecord, ClusterRecord } from './state.ts'
import { EksError, missingMember } from './wire-errors.ts'

type Json = Record<string, unknown>

export interface AccessEntryRequest { labels: string[], query: URLSearchParams, body: Json }
type Handler = (ctx: EmulatorContext, req: AccessEntryRequest) => unknown

/** `CreateAccessEntryRequest.type` as the current EKS model documents it; STANDARD when absent. */
export const ACCESS_ENTRY_TYPES = ['STANDARD', 'EC2_LINUX', 'EC2_WINDOWS', 'FARGATE_LINUX', 'EC2', 'HYBRID_LINUX', 'HYPERPOD_LINUX'] as const
const NODE_GROUPS = ['system:nodes']
/** "It can't start with system:, eks:, aws:, amazon:, or iam:" (EKS User Guide, Create access entries). */
const RESERVED_USERNAME_PREFIXES = ['system:', 'eks:', 'aws:', 'amazon:', 'iam:']
const SESSION_NAME_TEMPLATES = ['{{SessionName}}', '{{SessionNameRaw}}']

/**
 * The AWS-managed access policies, as `aws eks list-access-policies` answered in 2026: the EKS User
 * Guide's "Review access policy permissions" page lists the EKS ones; the CLI output in a public
 * write-up of 2026 adds the ones other AWS services own (AI Ops, ARC, EMR, SageMaker HyperPod).
 */
export const ACCESS_POLICY_NAMES = [
  'AIDevOpsAgentAccessPolicy', 'AmazonAIOpsAssistantPolicy', 'AmazonARCRegionSwitchScalingPolicy', 'AmazonEKSACKPolicy',
  'AmazonEKSAdminPolicy', 'AmazonEKSAdminViewPolicy', 'AmazonEKSArgoCDClusterPolicy', 'AmazonEKSArgoCDPolicy',
  'AmazonEKSAutoNodePolicy', 'AmazonEKSBlockStorageClusterPolicy', 'AmazonEKSBlockStoragePolicy', 'AmazonEKSClusterAdminPolicy',
  'AmazonEKSComputeClusterPolicy', 'AmazonEKSComputePolicy', 'AmazonEKSEditPolicy', 'AmazonEKSEventPolicy',
  'AmazonEKSHybridPolicy', 'AmazonEKSKROPolicy', 'AmazonEKSLoadBalancingClusterPolicy', 'AmazonEKSLoadBalancingPolicy',
  'AmazonEKSNetworkingClusterPolicy', 'AmazonEKSNetworkingPolicy', 'AmazonEKSPodIdentityPolicy', 'AmazonEKSSecretAdminPolicy',
  'AmazonEKSSecretReaderPolicy', 'AmazonEKSViewPolicy', 'AmazonEMRJobPolicy', 'AmazonSagemakerHyperpodClusterPolicy',
  'AmazonSagemakerHyperpodControllerPolicy', 'AmazonSagemakerHyperpodSpacePolicy', 'AmazonSagemakerHyperpodSpaceTemplatePolicy',
  'AmazonSagemakerHyperpodSystemNamespacePolicy', 'AmazonSagemakerHyperpodUserClusterPolicy'
] as const
export const accessPolicyArn = (name: string) => `arn:aws:eks::aws:cluster-access-policy/${name}`
const ACCESS_POLICY_ARNS = new Set<string>(ACCESS_POLICY_NAMES.map(accessPolicyArn))

const IAM_PRINCIPAL = /^arn:aws[a-z-]*:iam::(\d{12}):(role|user)\/((?:[\x21-\x7e]+\/)*)([\w+=,.@-]{1,128})$/

const seconds = (ms: number) => ms / 1000

function invalid (message: string, clusterName: string): EksError {
  return new EksError('InvalidParameterException', message, { clusterName })
}

interface ParsedPrincipal { accountId: string, kind: 'role' | 'user', path: string, name: string }

function parsePrincipal (arn: string, clusterName: string): ParsedPrincipal {
  if (/^arn:aws[a-z-]*:sts::/.test(arn)) {
    throw invalid(`The specified principalArn is invalid: ${arn}. STS session principals cannot be used with access entries; use the ARN of the IAM role.`, clusterName)
  }
  const match = IAM_PRINCIPAL.exec(arn)
  if (!match) throw invalid(`The specified principalArn is invalid: ${arn}. It must be the ARN of an IAM role or user.`, clusterName)
  const [, accountId, kind, path, name] = match
  if (kind === 'role' && path.startsWith('aws-service-role/')) {
    throw invalid(`The specified principalArn is invalid: ${arn}. Access entries do not support service-linked roles.`, clusterName)
  }
  return { accountId, kind: kind as 'role' | 'user', path, name }
}

/**
 * EKS binds an entry to the principal's unique id, so the role must exist (EKS User Guide: an entry
 * "includes the ARN of one, and only one, existing IAM principal"). Checked for roles of the accounts
 * the emulator holds; users, and roles of other accounts, are unknown to it and let through.
 */
function checkRoleExists (ctx: EmulatorContext, principal: ParsedPrincipal, arn: string, clusterName: string): void {
  if (principal.kind !== 'role' || !ctx.accounts.hasAccount(principal.accountId)) return
  const role = ctx.accounts.scope(principal.accountId, ctx.region).roles.get(principal.name.toLowerCase())
  if (!role || role.arn !== arn) {
    throw invalid(`The specified principalArn is invalid: the IAM role ${arn} does not exist.`, clusterName)
  }
}

/** The username EKS sets when none is given (EKS User Guide, Create access entries). */
function defaultUsername (type: string, principal: ParsedPrincipal, principalArn: string): string {
  if (type === 'FARGATE_LINUX' || type === 'HYBRID_LINUX') return 'system:node:{{SessionName}}'
  if (type !== 'STANDARD') return 'system:node:{{EC2PrivateDNSName}}'
  if (principal.kind === 'user') return principalArn
  const partition = principalArn.split(':')[1]
  return `arn:${partition}:sts::${principal.accountId}:assumed-role/${principal.name}/{{SessionName}}`
}

function optionalStringList (body: Json, member: string, clusterName: string): string[] | undefined {
  const value = body[member]
  if (value === undefined || value === null) return undefined
  if (!Array.isArray(value) || !value.every(item => typeof item === 'string')) throw invalid(`${member} must be a list of strings`, clusterName)
  return [...value as string[]]
}

function checkUsername (body: Json, clusterName: string): string | undefined {
  const username = body.username
  if (username === undefined || username === null) return undefined
  if (typeof username !== 'string' || username.length === 0) throw invalid('username must be a non-empty string', clusterName)
  const reserved = RESERVED_USERNAME_PREFIXES.find(prefix => username.startsWith(prefix))
  if (reserved) throw invalid(`The username ${username} is invalid: it must not start with ${reserved}`, clusterName)
  const template = Math.min(...SESSION_NAME_TEMPLATES.map(name => username.indexOf(name)).filter(at => at >= 0))
  if (Number.isFinite(template) && !username.slice(0, template).includes(':')) {
    throw invalid(`The username ${username} is invalid: {{SessionName}} must be preceded by a colon`, clusterName)
  }
  return username
}

function requirePrincipalArn (body: Json, clusterName: string): string {
  const arn = body.principalArn
  if (arn === undefined || arn === null) throw invalid(missingMember('principalArn'), clusterName)
  if (typeof arn !== 'string' || arn.length === 0) throw invalid('principalArn must be a non-empty string', clusterName)
  return arn
}

/** EKS refuses every access entry call on a cluster that still authenticates with the ConfigMap alone. */
function clusterWithAccessEntries (ctx: EmulatorContext, clusterName: string): ClusterRecord {
  const cluster = findCluster(ctx, clusterName)
  if (cluster.authenticationMode === 'CONFIG_MAP') {
    throw new EksError('InvalidRequestException',
      'The cluster\'s authentication mode must be set to one of [API, API_AND_CONFIG_MAP] to perform this operation.', { clusterName })
  }
  return cluster
}

function findEntry (cluster: ClusterRecord, principalArn: string): AccessEntryRecord {
  const entry = cluster.accessEntries.get(principalArn)
  if (!entry) {
    throw new EksError('ResourceNotFoundException',
      `The specified access entry resource could not be found: principalArn ${principalArn}.`, { clusterName: cluster.name })
  }
  return entry
}

function renderEntry (cluster: ClusterRecord, entry: AccessEntryRecord) {
  return {
    clusterName: cluster.name,
    principalArn: entry.principalArn,
    kubernetesGroups: [...entry.kubernetesGroups],
    accessEntryArn: entry.arn,
    createdAt: seconds(entry.createdAtMs),
    modifiedAt: seconds(entry.modifiedAtMs),
    tags: { ...entry.tags },
    username: entry.username,
    type: entry.type
  }
}

function renderAssociation (policy: AssociatedPolicyRecord) {
  return {
    policyArn: policy.policyArn,
    accessScope: { type: policy.accessScope.type, namespaces: [...policy.accessScope.namespaces] },
    associatedAt: seconds(policy.associatedAtMs),
    modifiedAt: seconds(policy.modifiedAtMs)
  }
}

/**
 * A token already used on this cluster answers with the entry of its first request when the request
 * is the same, and is refused when it differs (as for identity provider configs).
 */
function replayedEntry (cluster: ClusterRecord, token: string | undefined, fingerprint: string) {
  if (token === undefined) return undefined
  const previous = cluster.accessEntryTokens.get(token)
  if (!previous) return undefined
  if (previous.fingerprint !== fingerprint) {
    throw invalid(`The client request token ${token} has already been used for a different request.`, cluster.name)
  }
  const entry = cluster.accessEntries.get(previous.principalArn)
  return entry ? { accessEntry: renderEntry(cluster, entry) } : undefined
}

export function newAccessEntry (ctx: EmulatorContext, cluster: ClusterRecord, body: Json): AccessEntryRecord {
  const clusterName = cluster.name
  const principalArn = requirePrincipalArn(body, clusterName)
  const principal = parsePrincipal(principalArn, clusterName)
  const type = body.type === undefined || body.type === null ? 'STANDARD' : body.type
  if (typeof type !== 'string' || !(ACCESS_ENTRY_TYPES as readonly string[]).includes(type)) {
    throw invalid(`The type ${String(type)} is invalid. Valid types: ${ACCESS_ENTRY_TYPES.join(', ')}`, clusterName)
  }
  const kubernetesGroups = optionalStringList(body, 'kubernetesGroups', clusterName)
  const username = body.username === undefined || body.username === null ? undefined : checkUsername(body, clusterName)
  const tags = body.tags === undefined || body.tags === null ? {} : checkTagMap(body.tags, 'tags', 'InvalidParameterException', clusterName)
  if (type !== 'STANDARD') {
    if (kubernetesGroups?.length) throw invalid(`kubernetesGroups cannot be specified for an access entry of type ${type}`, clusterName)
    if (username !== undefined) throw invalid(`username cannot be specified for an access entry of type ${type}`, clusterName)
    if (principal.kind !== 'role') throw invalid(`An access entry of type ${type} must have an IAM role as principalArn`, clusterName)
    if (principal.accountId !== ctx.accountId) {
      throw invalid(`An access entry of type ${type} must have a principal in the cluster's account ${ctx.accountId}`, clusterName)
    }
  }
  checkRoleExists(ctx, principal, principalArn, clusterName)
  const now = ctx.clock()
  return {
    principalArn,
    arn: `arn:aws:eks:${ctx.region}:${ctx.accountId}:access-entry/${clusterName}/${principal.kind}/${principal.accountId}/${principal.name}/${randomUUID()}`,
    type,
    username: username ?? defaultUsername(type, principal, principalArn),
    kubernetesGroups: type === 'STANDARD' ? kubernetesGroups ?? [] : [...NODE_GROUPS],
    tags,
    createdAtMs: now,
    modifiedAtMs: now,
    policies: new Map()
  }
}

function createAccessEntry (ctx: EmulatorContext, { labels: [clusterName], body }: AccessEntryRequest) {
  const token = checkClientRequestToken(body, clusterName)
  const cluster = clusterWithAccessEntries(ctx, clusterName)
  const entry = newAccessEntry(ctx, cluster, body)
  const fingerprint = canonicalize({ operation: 'create', ...body, clientRequestToken: undefined }) ?? ''
  const replay = replayedEntry(cluster, token, fingerprint)
  if (replay) return replay
  if (cluster.accessEntries.has(entry.principalArn)) {
    throw new EksError('ResourceInUseException', 'The specified access entry resource is already in use on this cluster.', { clusterName })
  }
  cluster.accessEntries.set(entry.principalArn, entry)
  if (token !== undefined) cluster.accessEntryTokens.set(token, { fingerprint, principalArn: entry.principalArn })
  return { accessEntry: renderEntry(cluster, entry) }
}

function listAccessEntries (ctx: EmulatorContext, { labels: [clusterName], query }: AccessEntryRequest) {
  const maxResults = parseMaxResults(query.get('maxResults'), clusterName)
  const cluster = clusterWithAccessEntries(ctx, clusterName)
  const policyArn = query.get('associatedPolicyArn')
  const arns = [...cluster.accessEntries.values()]
    .filter(entry => policyArn === null || entry.policies.has(policyArn))
    .map(entry => entry.principalArn)
    .sort()
  const page = paginate(arns, arn => arn, maxResults, query.get('nextToken'), clusterName)
  return { accessEntries: page.items, ...(page.nextToken ? { nextToken: page.nextToken } : {}) }
}

function describeAccessEntry (ctx: EmulatorContext, { labels: [clusterName, principalArn] }: AccessEntryRequest) {
  const cluster = clusterWithAccessEntries(ctx, clusterName)
  return { accessEntry: renderEntry(cluster, findEntry(cluster, principalArn)) }
}

function updateAccessEntry (ctx: EmulatorContext, { labels: [clusterName, principalArn], body }: AccessEntryRequest) {
  const token = checkClientRequestToken(body, clusterName)
  const kubernetesGroups = optionalStringList(body, 'kubernetesGroups', clusterName)
  const username = checkUsername(body, clusterName)
  const cluster = clusterWithAccessEntries(ctx, clusterName)
  const fingerprint = canonicalize({ operation: 'update', principalArn, kubernetesGroups, username }) ?? ''
  const replay = replayedEntry(cluster, token, fingerprint)
  if (replay) return replay
  const entry = findEntry(cluster, principalArn)
  if (entry.type !== 'STANDARD' && (kubernetesGroups !== undefined || username !== undefined)) {
    throw invalid(`kubernetesGroups and username cannot be changed on an access entry of type ${entry.type}`, clusterName)
  }
  if (kubernetesGroups !== undefined) entry.kubernetesGroups = kubernetesGroups
  if (username !== undefined) entry.username = username
  entry.modifiedAtMs = ctx.clock()
  if (token !== undefined) cluster.accessEntryTokens.set(token, { fingerprint, principalArn })
  return { accessEntry: renderEntry(cluster, entry) }
}

function deleteAccessEntry (ctx: EmulatorContext, { labels: [clusterName, principalArn] }: AccessEntryRequest) {
  const cluster = clusterWithAccessEntries(ctx, clusterName)
  findEntry(cluster, principalArn)
  cluster.accessEntries.delete(principalArn)
  return {}
}

function checkAccessScope (value: unknown, clusterName: string): AccessScopeRecord {
  if (value === undefined || value === null) throw invalid(missingMember('accessScope'), clusterName)
  if (!isObject(value)) throw invalid('accessScope must be an object', clusterName)
  const type = value.type
  if (type !== 'cluster' && type !== 'namespace') {
    throw invalid(`The access scope type ${String(type)} is invalid. Valid types: cluster, namespace`, clusterName)
  }
  const namespaces = optionalStringList(value, 'namespaces', clusterName) ?? []
  if (type === 'namespace' && namespaces.length === 0) throw invalid('accessScope.namespaces is required when accessScope.type is namespace', clusterName)
  if (type === 'cluster' && namespaces.length > 0) throw invalid('accessScope.namespaces must be empty when accessScope.type is cluster', clusterName)
  if (namespaces.some(namespace => namespace.length === 0)) throw invalid('accessScope.namespaces must not hold an empty name', clusterName)
  return { type, namespaces }
}

function associateAccessPolicy (ctx: EmulatorContext, { labels: [clusterName, principalArn], body }: AccessEntryRequest) {
  const policyArn = body.policyArn
  if (policyArn === undefined || policyArn === null) throw invalid(missingMember('policyArn'), clusterName)
  if (typeof policyArn !== 'string') throw invalid('policyArn must be a string', clusterName)
  const accessScope = checkAccessScope(body.accessScope, clusterName)
  const cluster = clusterWithAccessEntries(ctx, clusterName)
  const entry = findEntry(cluster, principalArn)
  if (!ACCESS_POLICY_ARNS.has(policyArn)) throw invalid(`The specified policyArn is invalid: ${policyArn}`, clusterName)
  if (entry.type !== 'STANDARD') {
    throw new EksError('InvalidRequestException', `Access policies can only be associated with access entries of type STANDARD; this one is ${entry.type}.`, { clusterName })
  }
  const now = ctx.clock()
  const previous = entry.policies.get(policyArn)
  // Associating a policy again changes its scope (EKS User Guide, Associate access policies).
  const association = { policyArn, accessScope, associatedAtMs: previous?.associatedAtMs ?? now, modifiedAtMs: now }
  entry.policies.set(policyArn, association)
  return { clusterName, principalArn, associatedAccessPolicy: renderAssociation(association) }
}

function listAssociatedAccessPolicies (ctx: EmulatorContext, { labels: [clusterName, principalArn], query }: AccessEntryRequest) {
  const maxResults = parseMaxResults(query.get('maxResults'), clusterName)
  const entry = findEntry(clusterWithAccessEntries(ctx, clusterName), principalArn)
  const policies = [...entry.policies.values()].sort((a, b) => a.policyArn.localeCompare(b.policyArn))
  const page = paginate(policies, policy => policy.policyArn, maxResults, query.get('nextToken'), clusterName)
  return {
    clusterName,
    principalArn,
    associatedAccessPolicies: page.items.map(renderAssociation),
    ...(page.nextToken ? { nextToken: page.nextToken } : {})
  }
}

function disassociateAccessPolicy (ctx: EmulatorContext, { labels: [clusterName, principalArn, policyArn] }: AccessEntryRequest) {
  const entry = findEntry(clusterWithAccessEntries(ctx, clusterName), principalArn)
  if (!entry.policies.delete(policyArn)) {
    throw new EksError('ResourceNotFoundException', `The access policy ${policyArn} is not associated with access entry ${principalArn}.`, { clusterName })
  }
  return {}
}

export interface SeedAccessPolicy { policyArn: string, accessScope: { type: string, namespaces?: string[] } }

/** Adds an entry with its policies as the Create and Associate calls would (for the seed). */
export function seedAccessEntry (ctx: EmulatorContext, cluster: ClusterRecord, body: Json, policies: SeedAccessPolicy[] = []): void {
  const entry = newAccessEntry(ctx, cluster, body)
  if (cluster.accessEntries.has(entry.principalArn)) throw invalid(`duplicate access entry ${entry.principalArn}`, cluster.name)
  cluster.accessEntries.set(entry.principalArn, entry)
  for (const policy of policies) {
    associateAccessPolicy(ctx, { labels: [cluster.name, entry.principalArn], query: new URLSearchParams(), body: { ...policy } })
  }
}

function listAccessPolicies (_ctx: EmulatorContext, { query }: AccessEntryRequest) {
  const maxResults = parseMaxResults(query.get('maxResults'))
  const page = paginate([...ACCESS_POLICY_NAMES], name => name, maxResults, query.get('nextToken'))
  return {
    accessPolicies: page.items.map(name => ({ name, arn: accessPolicyArn(name) })),
    ...(page.nextToken ? { nextToken: page.nextToken } : {})
  }
}

export interface AccessEntryRoute { method: string, path: string, operation: string, handler: Handler }

/** Paths as in the EKS model; `{}` is one percent-encoded label. */
export const ACCESS_ENTRY_ROUTES: AccessEntryRoute[] = [
  { method: 'POST', path: '/clusters/{}/access-entries', operation: 'CreateAccessEntry', handler: createAccessEntry },
  { method: 'GET', path: '/clusters/{}/access-entries', operation: 'ListAccessEntries', handler: listAccessEntries },
  { method: 'GET', path: '/clusters/{}/access-entries/{}', operation: 'DescribeAccessEntry', handler: describeAccessEntry },
  { method: 'POST', path: '/clusters/{}/access-entries/{}', operation: 'UpdateAccessEntry', handler: updateAccessEntry },
  { method: 'DELETE', path: '/clusters/{}/access-entries/{}', operation: 'DeleteAccessEntry', handler: deleteAccessEntry },
  { method: 'POST', path: '/clusters/{}/access-entries/{}/access-policies', operation: 'AssociateAccessPolicy', handler: associateAccessPolicy },
  { method: 'GET', path: '/clusters/{}/access-entries/{}/access-policies', operation: 'ListAssociatedAccessPolicies', handler: listAssociatedAccessPolicies },
  { method: 'DELETE', path: '/clusters/{}/access-entries/{}/access-policies/{}', operation: 'DisassociateAccessPolicy', handler: disassociateAccessPolicy },
  { method: 'GET', path: '/access-policies', operation: 'ListAccessPolicies', handler: listAccessPolicies }
]
