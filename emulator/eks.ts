/**
 * The EKS operations of the emulator (restJson1): routing by method and path, the behaviour of
 * clusters, identity provider configs, updates and tags, and the JSON shapes AWS returns.
 */
import { createHash, randomUUID } from 'node:crypto'
import canonicalize from 'canonicalize'
import type { EmulatorContext } from './context.ts'
import { ACCESS_ENTRY_ROUTES } from './access-entries.ts'
import { AUTHENTICATION_MODES, findCluster, newConfigRecord } from './clusters.ts'
import {
  checkClientRequestToken, checkConfigRef, checkOidcConfig, checkTagCount, checkTagMap, isObject
} from './eks-input.ts'
import { paginate, parseMaxResults } from './pagination.ts'
import type { ClusterRecord, IdpConfigRecord, TagMap, UpdateParamType, UpdateRecord, UpdateType } from './state.ts'
import { POD_IDENTITY_ROUTES } from './pod-identity.ts'
import { EksError } from './wire-errors.ts'

export interface EksRequest {
  /** Percent-decoded path labels captured by the route. */
  labels: string[]
  query: URLSearchParams
  body: Record<string, unknown>
}

type Handler = (ctx: EmulatorContext, req: EksRequest) => unknown

interface Route { method: string, pattern: RegExp, operation: string, handler: Handler }

const seconds = (ms: number) => ms / 1000

function omitUndefined<T extends Record<string, unknown>> (value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, member]) => member !== undefined)) as Partial<T>
}

const nonEmpty = (tags: TagMap) => Object.keys(tags).length > 0 ? tags : undefined

function renderCluster (ctx: EmulatorContext, cluster: ClusterRecord) {
  return omitUndefined({
    name: cluster.name,
    arn: cluster.arn,
    createdAt: seconds(cluster.createdAtMs),
    version: cluster.version,
    endpoint: cluster.endpoint,
    roleArn: cluster.roleArn,
    identity: { oidc: { issuer: cluster.issuer } },
    status: ctx.state.clusterStatus(cluster),
    certificateAuthority: { data: cluster.certificateAuthorityData },
    platformVersion: cluster.platformVersion,
    ...networkingOf(cluster),
    accessConfig: { authenticationMode: cluster.authenticationMode },
    // DescribeCluster always carries tags, as an empty map when there are none.
    tags: cluster.tags
  })
}

/** The members every real cluster has beyond identity, with ids derived from the cluster's name. */
function networkingOf (cluster: ClusterRecord) {
  const id = createHash('sha256').update(cluster.arn).digest('hex')
  return {
    resourcesVpcConfig: {
      subnetIds: [`subnet-${id.slice(0, 17)}`, `subnet-${id.slice(17, 34)}`],
      securityGroupIds: [],
      clusterSecurityGroupId: `sg-${id.slice(34, 51)}`,
      vpcId: `vpc-${id.slice(51, 64)}`,
      endpointPublicAccess: true,
      endpointPrivateAccess: false,
      publicAccessCidrs: ['0.0.0.0/0']
    },
    kubernetesNetworkConfig: { serviceIpv4Cidr: '10.100.0.0/16', ipFamily: 'ipv4', elasticLoadBalancing: { enabled: false } },
    logging: { clusterLogging: [{ types: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'], enabled: false }] }
  }
}

function renderUpdate (update: UpdateRecord) {
  return {
    id: update.id,
    status: update.status,
    type: update.type,
    params: [{ type: update.paramType ?? 'IdentityProviderConfig', value: update.paramsValue }],
    createdAt: seconds(update.createdAtMs),
    errors: []
  }
}

function renderConfig (config: IdpConfigRecord) {
  return omitUndefined({
    identityProviderConfigName: config.identityProviderConfigName,
    identityProviderConfigArn: config.arn,
    clusterName: config.clusterName,
    issuerUrl: config.issuerUrl,
    clientId: config.clientId,
    usernameClaim: config.usernameClaim,
    usernamePrefix: config.usernamePrefix,
    groupsClaim: config.groupsClaim,
    groupsPrefix: config.groupsPrefix,
    requiredClaims: config.requiredClaims,
    tags: nonEmpty(config.tags),
    status: config.status
  })
}

function rejectSubresourceFilters (query: URLSearchParams, clusterName: string): void {
  const nodegroupName = query.get('nodegroupName')
  if (nodegroupName) throw new EksError('ResourceNotFoundException', `No node group found for name: ${nodegroupName}.`, { clusterName, nodegroupName })
  const addonName = query.get('addonName')
  if (addonName) throw new EksError('ResourceNotFoundException', `No addon: ${addonName} found in cluster: ${clusterName}`, { clusterName, addonName })
}

/**
 * A token already used on this cluster returns the update it created when the request is the
 * same, and is refused when it differs (our choice: EKS documents no mismatch error).
 */
function replayed (cluster: ClusterRecord, token: string | undefined, fingerprint: string) {
  if (token === undefined) return undefined
  const previous = cluster.clientTokens.get(token)
  if (!previous) return undefined
  if (previous.fingerprint !== fingerprint) {
    throw new EksError('InvalidParameterException',
      `The client request token ${token} has already been used for a different request.`, { clusterName: cluster.name })
  }
  const update = cluster.updates.find(candidate => candidate.id === previous.updateId)
  if (!update) throw new Error('client token points to a missing update')
  return { update: renderUpdate(update), ...(previous.tags ? { tags: previous.tags } : {}) }
}

function refuseWhenBusy (ctx: EmulatorContext, cluster: ClusterRecord, operation: string): void {
  const running = ctx.state.updateInProgress(cluster)
  if (running) {
    throw new EksError('ResourceInUseException',
      `Cannot ${operation} because cluster ${cluster.name} currently has update ${running.id} in progress`, { clusterName: cluster.name })
  }
  if (cluster.baseStatus === 'FAILED') {
    throw new EksError('InvalidRequestException', `Cluster ${cluster.name} is in FAILED state and cannot be updated.`, { clusterName: cluster.name })
  }
  if (cluster.baseStatus !== 'ACTIVE') {
    throw new EksError('ResourceInUseException', `Cluster ${cluster.name} is in ${cluster.baseStatus} state.`, { clusterName: cluster.name })
  }
}

function startUpdate (
  ctx: EmulatorContext, cluster: ClusterRecord, type: UpdateType, configName: string, paramsValue: string,
  paramType: UpdateParamType = 'IdentityProviderConfig'
): UpdateRecord {
  const now = ctx.clock()
  const update: UpdateRecord = {
    id: randomUUID(),
    seq: ctx.state.takeUpdateSeq(),
    type,
    status: 'InProgress',
    paramType,
    paramsValue,
    configName,
    createdAtMs: now,
    settlesAtMs: now + ctx.transitionDelayMs
  }
  cluster.updates.push(update)
  return update
}

const sameIssuer = (a: string, b: string) => a.replace(/\/+$/, '') === b.replace(/\/+$/, '')

function listClusters (ctx: EmulatorContext, { query }: EksRequest) {
  const maxResults = parseMaxResults(query.get('maxResults'))
  for (const include of query.getAll('include')) {
    if (include !== 'all') throw new EksError('InvalidParameterException', `Invalid include value: ${include}. Valid values: all`)
  }
  const names = [...ctx.state.clusters.keys()].sort()
  const page = paginate(names, name => name, maxResults, query.get('nextToken'))
  return omitUndefined({ clusters: page.items, nextToken: page.nextToken })
}

function describeCluster (ctx: EmulatorContext, { labels: [name] }: EksRequest) {
  return { cluster: renderCluster(ctx, findCluster(ctx, name)) }
}

function associateIdentityProviderConfig (ctx: EmulatorContext, { labels: [clusterName], body }: EksRequest) {
  const fields = checkOidcConfig(body, clusterName)
  const tags = body.tags === undefined || body.tags === null ? undefined : checkTagMap(body.tags, 'tags', 'InvalidParameterException', clusterName)
  const token = checkClientRequestToken(body, clusterName)
  const cluster = findCluster(ctx, clusterName)
  const fingerprint = canonicalize({ operation: 'associate', fields, tags }) ?? ''
  const replay = replayed(cluster, token, fingerprint)
  if (replay) return replay
  refuseWhenBusy(ctx, cluster, 'AssociateIdentityProviderConfig')
  if (sameIssuer(fields.issuerUrl, cluster.issuer)) {
    throw new EksError('InvalidParameterException',
      'Incorrect Identity Provider URL configuration. The Identity Provider URL cannot be same as OpenID Connect (OIDC) issuer URL',
      { clusterName })
  }
  const existing = cluster.configs.values().next().value
  if (existing) {
    // EKS allows one OIDC identity provider config per cluster; AWS documents no error for a second one.
    throw new EksError('ResourceInUseException',
      `Cluster ${clusterName} already has identity provider config ${existing.identityProviderConfigName}; only one OIDC identity provider config can be associated with a cluster.`,
      { clusterName })
  }
  const config = newConfigRecord(ctx, cluster, fields, tags ?? {}, 'CREATING')
  cluster.configs.set(config.identityProviderConfigName, config)
  const update = startUpdate(ctx, cluster, 'AssociateIdentityProviderConfig', config.identityProviderConfigName,
    JSON.stringify([{ type: 'oidc', name: config.identityProviderConfigName }]))
  if (token !== undefined) cluster.clientTokens.set(token, { fingerprint, updateId: update.id, tags })
  return { update: renderUpdate(update), ...(tags ? { tags } : {}) }
}

function describeIdentityProviderConfig (ctx: EmulatorContext, { labels: [clusterName], body }: EksRequest) {
  const ref = checkConfigRef(body, clusterName)
  const config = findCluster(ctx, clusterName).configs.get(ref.name)
  if (!config) {
    throw new EksError('ResourceNotFoundException',
      `No config found for cluster: ${clusterName}, config type: ${ref.type}, config name: ${ref.name}`, { clusterName })
  }
  return { identityProviderConfig: { oidc: renderConfig(config) } }
}

function listIdentityProviderConfigs (ctx: EmulatorContext, { labels: [clusterName], query }: EksRequest) {
  const maxResults = parseMaxResults(query.get('maxResults'), clusterName)
  const names = [...findCluster(ctx, clusterName).configs.keys()].sort()
  const page = paginate(names, name => name, maxResults, query.get('nextToken'), clusterName)
  return omitUndefined({
    identityProviderConfigs: page.items.map(name => ({ type: 'oidc', name })),
    nextToken: page.nextToken
  })
}

function disassociateIdentityProviderConfig (ctx: EmulatorContext, { labels: [clusterName], body }: EksRequest) {
  const ref = checkConfigRef(body, clusterName)
  const token = checkClientRequestToken(body, clusterName)
  const cluster = findCluster(ctx, clusterName)
  const fingerprint = canonicalize({ operation: 'disassociate', ref }) ?? ''
  const replay = replayed(cluster, token, fingerprint)
  if (replay) return replay
  refuseWhenBusy(ctx, cluster, 'DisassociateIdentityProviderConfig')
  const config = cluster.configs.get(ref.name)
  if (!config) {
    throw new EksError('InvalidRequestException', 'Identity provider config is not associated with cluster', { clusterName })
  }
  config.status = 'DELETING'
  const update = startUpdate(ctx, cluster, 'DisassociateIdentityProviderConfig', ref.name, '[]')
  if (token !== undefined) cluster.clientTokens.set(token, { fingerprint, updateId: update.id })
  return { update: renderUpdate(update) }
}

/** The members of UpdateClusterConfigRequest other than accessConfig, which the emulator does not implement. */
const UNEMULATED_CLUSTER_CONFIG = ['resourcesVpcConfig', 'logging', 'upgradePolicy', 'zonalShiftConfig', 'computeConfig',
  'kubernetesNetworkConfig', 'storageConfig', 'remoteNetworkConfig', 'deletionProtection', 'controlPlaneScalingConfig']

function checkAuthenticationMode (body: Record<string, unknown>, clusterName: string) {
  const unemulated = UNEMULATED_CLUSTER_CONFIG.filter(member => body[member] !== undefined && body[member] !== null)
  if (unemulated.length > 0) {
    throw new EksError('InvalidParameterException', `The emulator implements only accessConfig of UpdateClusterConfig, not ${unemulated.join(', ')}`, { clusterName })
  }
  const accessConfig = body.accessConfig
  if (accessConfig === undefined || accessConfig === null) {
    throw new EksError('InvalidParameterException', 'At least one configuration to update must be given', { clusterName })
  }
  if (!isObject(accessConfig)) throw new EksError('InvalidParameterException', 'accessConfig must be an object', { clusterName })
  const mode = accessConfig.authenticationMode
  if (mode === undefined || mode === null) throw new EksError('InvalidParameterException', 'At least one configuration to update must be given', { clusterName })
  if (typeof mode !== 'string' || !(AUTHENTICATION_MODES as readonly string[]).includes(mode)) {
    throw new EksError('InvalidParameterException',
      `1 validation error detected: Value '${String(mode)}' at 'accessConfig.authenticationMode' failed to satisfy constraint: Member must satisfy enum value set: [${AUTHENTICATION_MODES.join(', ')}]`,
      { clusterName })
  }
  return mode
}

/**
 * UpdateClusterConfig with `accessConfig.authenticationMode`: an AccessConfigUpdate. EKS moves a
 * cluster one step forward only (CONFIG_MAP → API_AND_CONFIG_MAP → API) and answers any other
 * change, the same mode included, with "Unsupported authentication mode update from A to B".
 */
function updateClusterConfig (ctx: EmulatorContext, { labels: [clusterName], body }: EksRequest) {
  const mode = checkAuthenticationMode(body, clusterName)
  const token = checkClientRequestToken(body, clusterName)
  const cluster = findCluster(ctx, clusterName)
  const fingerprint = canonicalize({ operation: 'update-config', mode }) ?? ''
  const replay = replayed(cluster, token, fingerprint)
  if (replay) return replay
  refuseWhenBusy(ctx, cluster, 'UpdateClusterConfig')
  const from = cluster.authenticationMode
  if (AUTHENTICATION_MODES.indexOf(mode as typeof from) !== AUTHENTICATION_MODES.indexOf(from) + 1) {
    throw new EksError('InvalidParameterException', `Unsupported authentication mode update from ${from} to ${mode}`, { clusterName })
  }
  const update = startUpdate(ctx, cluster, 'AccessConfigUpdate', '', mode, 'AuthenticationMode')
  if (token !== undefined) cluster.clientTokens.set(token, { fingerprint, updateId: update.id })
  return { update: renderUpdate(update) }
}

function describeUpdate (ctx: EmulatorContext, { labels: [clusterName, updateId], query }: EksRequest) {
  const cluster = findCluster(ctx, clusterName)
  rejectSubresourceFilters(query, clusterName)
  const update = cluster.updates.find(candidate => candidate.id === updateId)
  if (!update) throw new EksError('ResourceNotFoundException', `No update found for ID: ${updateId}`, { clusterName })
  return { update: renderUpdate(update) }
}

function listUpdates (ctx: EmulatorContext, { labels: [clusterName], query }: EksRequest) {
  const maxResults = parseMaxResults(query.get('maxResults'), clusterName)
  const cluster = findCluster(ctx, clusterName)
  rejectSubresourceFilters(query, clusterName)
  const key = (update: UpdateRecord) => String(update.seq).padStart(12, '0')
  const page = paginate(cluster.updates, key, maxResults, query.get('nextToken'), clusterName)
  return omitUndefined({ updateIds: page.items.map(update => update.id), nextToken: page.nextToken })
}

/** The tags of a cluster or identity provider config, addressed by ARN. */
function taggable (ctx: EmulatorContext, arn: string): { tags: TagMap, replace: (tags: TagMap) => void } {
  if (!/^arn:aws[a-z-]*:eks:[a-z0-9-]+:\d{12}:[a-z]+\/.+$/.test(arn)) {
    throw new EksError('BadRequestException', `Invalid ARN: ${arn}`)
  }
  ctx.state.settle(ctx.clock())
  const resource = ctx.state.findClusterByArn(arn) ?? ctx.state.findConfigByArn(arn)
  if (!resource) throw new EksError('NotFoundException', `Resource not found: ${arn}`)
  return { tags: resource.tags, replace: tags => { resource.tags = tags } }
}

function tagResource (ctx: EmulatorContext, { labels: [arn], body }: EksRequest) {
  const tags = checkTagMap(body.tags, 'tags', 'BadRequestException')
  const resource = taggable(ctx, arn)
  const merged = { ...resource.tags, ...tags }
  checkTagCount(merged)
  resource.replace(merged)
  return {}
}

function untagResource (ctx: EmulatorContext, { labels: [arn], query }: EksRequest) {
  const keys = query.getAll('tagKeys')
  if (keys.length < 1 || keys.length > 50) throw new EksError('BadRequestException', 'tagKeys must contain between 1 and 50 keys')
  const resource = taggable(ctx, arn)
  resource.replace(Object.fromEntries(Object.entries(resource.tags).filter(([key]) => !keys.includes(key))))
  return {}
}

function listTagsForResource (ctx: EmulatorContext, { labels: [arn] }: EksRequest) {
  return { tags: { ...taggable(ctx, arn).tags } }
}

const LABEL = '([^/]+)'
const route = (method: string, path: string, operation: string, handler: Handler): Route =>
  ({ method, pattern: new RegExp(`^${path.replaceAll('{}', LABEL)}$`), operation, handler })

const ROUTES: Route[] = [
  route('GET', '/clusters', 'ListClusters', listClusters),
  route('GET', '/clusters/{}', 'DescribeCluster', describeCluster),
  route('POST', '/clusters/{}/identity-provider-configs/associate', 'AssociateIdentityProviderConfig', associateIdentityProviderConfig),
  route('POST', '/clusters/{}/identity-provider-configs/describe', 'DescribeIdentityProviderConfig', describeIdentityProviderConfig),
  route('GET', '/clusters/{}/identity-provider-configs', 'ListIdentityProviderConfigs', listIdentityProviderConfigs),
  route('POST', '/clusters/{}/identity-provider-configs/disassociate', 'DisassociateIdentityProviderConfig', disassociateIdentityProviderConfig),
  route('POST', '/clusters/{}/update-config', 'UpdateClusterConfig', updateClusterConfig),
  route('GET', '/clusters/{}/updates/{}', 'DescribeUpdate', describeUpdate),
  route('GET', '/clusters/{}/updates', 'ListUpdates', listUpdates),
  route('POST', '/tags/{}', 'TagResource', tagResource),
  route('DELETE', '/tags/{}', 'UntagResource', untagResource),
  route('GET', '/tags/{}', 'ListTagsForResource', listTagsForResource),
  // Pod Identity associations and add-ons (emulator/pod-identity.ts)
  ...POD_IDENTITY_ROUTES.map(([method, path, operation, handler]) => route(method, path, operation, handler)),
  ...ACCESS_ENTRY_ROUTES.map(entry => route(entry.method, entry.path, entry.operation, entry.handler))
]

export const EKS_OPERATIONS = ROUTES.map(candidate => candidate.operation)

export interface ResolvedEksOperation {
  operation: string
  run: (ctx: EmulatorContext, query: URLSearchParams, body: unknown) => unknown
}

/** Finds the operation for a method and raw (still percent-encoded) path. */
export function resolveEksOperation (method: string, rawPath: string): ResolvedEksOperation | undefined {
  for (const candidate of ROUTES) {
    const match = candidate.method === method ? candidate.pattern.exec(rawPath) : null
    if (!match) continue
    let labels: string[]
    try {
      labels = match.slice(1).map(label => decodeURIComponent(label))
    } catch {
      return undefined
    }
    return {
      operation: candidate.operation,
      run: (ctx, query, body) => {
        if (body !== undefined && !isObject(body)) throw new EksError('SerializationException', 'Request body must be a JSON object')
        return candidate.handler(ctx, { labels, query, body: body ?? {} })
      }
    }
  }
  return undefined
}
