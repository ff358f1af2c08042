/**
 * Creating EKS clusters and identity provider config records, for the seed, the admin API and
 * AssociateIdentityProviderConfig alike.
 */
import { createHash, randomUUID } from 'node:crypto'
import type { EmulatorContext } from './context.ts'
import { randomIssuerId } from './oidc-issuer.ts'
import { EksError } from './wire-errors.ts'
import type { AuthenticationMode, ClusterRecord, ClusterStatus, ConfigStatus, IdpConfigRecord, OidcConfigFields, TagMap } from './state.ts'

export const CLUSTER_NAME_PATTERN = /^[0-9A-Za-z][A-Za-z0-9\-_]*$/
export const CLUSTER_STATUSES: readonly ClusterStatus[] = ['CREATING', 'ACTIVE', 'DELETING', 'FAILED', 'UPDATING', 'PENDING']
/** In the order EKS allows a cluster to move through them, one step at a time. */
export const AUTHENTICATION_MODES: readonly AuthenticationMode[] = ['CONFIG_MAP', 'API_AND_CONFIG_MAP', 'API']

export interface ClusterInput {
  name: string
  /** Kubernetes version, e.g. `1.32` (default). */
  version?: string
  /** EKS platform version, e.g. `eks.10` (default). */
  platformVersion?: string
  /** Default ACTIVE. */
  status?: ClusterStatus
  tags?: TagMap
  /** The cluster's `identity.oidc.issuer`. Default: a new issuer served by the emulator. */
  issuer?: string
  /** ISO-8601 or epoch milliseconds. Default: now on the emulator clock. */
  createdAt?: string | number
  /** `accessConfig.authenticationMode`; default API_AND_CONFIG_MAP, what CreateCluster gives today. */
  authenticationMode?: AuthenticationMode
}

export class InputError extends Error {}

/** The cluster named on the wire, with its asynchronous work settled up to now. */
export function findCluster (ctx: EmulatorContext, name: string): ClusterRecord {
  const cluster = ctx.state.clusters.get(name)
  if (!cluster) throw new EksError('ResourceNotFoundException', `No cluster found for name: ${name}.`, { clusterName: name })
  ctx.state.settle(ctx.clock())
  return cluster
}

export function isValidClusterName (name: string): boolean {
  return name.length >= 1 && name.length <= 100 && CLUSTER_NAME_PATTERN.test(name)
}

export function clusterArn (ctx: EmulatorContext, name: string): string {
  return `arn:aws:eks:${ctx.region}:${ctx.accountId}:cluster/${name}`
}

export function configArn (ctx: EmulatorContext, clusterName: string, configName: string): string {
  return `arn:aws:eks:${ctx.region}:${ctx.accountId}:identityproviderconfig/${clusterName}/oidc/${configName}/${randomUUID()}`
}

/**
 * EKS issuers are regional (`https://oidc.eks.<region>.amazonaws.com/id/<ID>`). The emulator serves
 * them all on one host, so a cluster outside the default region has its region in the path:
 * `/eu-west-1/id/<ID>`; the default region keeps `/id/<ID>`.
 */
function issuerPathPrefix (ctx: EmulatorContext): string {
  return ctx.region === ctx.accounts.defaultRegion ? '' : `/${ctx.region}`
}

function parseCreatedAt (value: string | number | undefined, fallbackMs: number): number {
  if (value === undefined) return fallbackMs
  const ms = typeof value === 'number' ? value : Date.parse(value)
  if (!Number.isFinite(ms)) throw new InputError(`createdAt is not a date: ${String(value)}`)
  return ms
}

function checkTags (tags: unknown): TagMap {
  if (tags === undefined) return {}
  if (typeof tags !== 'object' || tags === null || Array.isArray(tags) ||
    !Object.values(tags).every(value => typeof value === 'string')) {
    throw new InputError('tags must be an object of strings')
  }
  return { ...tags as TagMap }
}

export function addCluster (ctx: EmulatorContext, input: ClusterInput): ClusterRecord {
  if (typeof input.name !== 'string' || !isValidClusterName(input.name)) {
    throw new InputError(`invalid cluster name: ${String(input.name)}`)
  }
  if (ctx.state.clusters.has(input.name)) throw new InputError(`cluster already exists: ${input.name}`)
  const version = input.version === undefined ? '1.32' : String(input.version)
  if (!/^\d+\.\d+$/.test(version)) throw new InputError(`invalid version: ${version}`)
  const platformVersion = input.platformVersion ?? 'eks.10'
  if (!/^eks\.\d+$/.test(platformVersion)) throw new InputError(`invalid platformVersion: ${platformVersion}`)
  const status = input.status ?? 'ACTIVE'
  if (!CLUSTER_STATUSES.includes(status)) throw new InputError(`invalid status: ${String(status)}`)
  if (input.issuer !== undefined && !/^https:\/\/[^/?#]+(\/[^?#]*)?$/.test(input.issuer)) {
    throw new InputError(`issuer must be an https URL without query: ${input.issuer}`)
  }
  const authenticationMode = input.authenticationMode ?? 'API_AND_CONFIG_MAP'
  if (!AUTHENTICATION_MODES.includes(authenticationMode)) throw new InputError(`invalid authenticationMode: ${String(authenticationMode)}`)
  const issuer = input.issuer ?? ctx.issuers.addIssuer(`${issuerPathPrefix(ctx)}/id/${randomIssuerId()}`)
  if (issuer.startsWith(ctx.issuers.baseUrl + '/')) ctx.issuers.addIssuer(issuer.slice(ctx.issuers.baseUrl.length))
  const endpointId = createHash('sha256').update(issuer).digest('hex').slice(0, 32).toUpperCase()
  const cluster: ClusterRecord = {
    name: input.name,
    arn: clusterArn(ctx, input.name),
    version,
    baseStatus: status,
    createdAtMs: parseCreatedAt(input.createdAt, ctx.clock()),
    issuer,
    endpoint: `https://${endpointId}.gr7.${ctx.region}.eks.amazonaws.com`,
    roleArn: `arn:aws:iam::${ctx.accountId}:role/eks-cluster-role-${input.name}`,
    platformVersion,
    certificateAuthorityData: Buffer.from(ctx.issuers.chain.caPem).toString('base64'),
    tags: checkTags(input.tags),
    configs: new Map(),
    updates: [],
    clientTokens: new Map(),
    authenticationMode,
    accessEntries: new Map(),
    accessEntryTokens: new Map()
  }
  ctx.state.clusters.set(cluster.name, cluster)
  return cluster
}

export function newConfigRecord (
  ctx: EmulatorContext, cluster: ClusterRecord, fields: OidcConfigFields, tags: TagMap, status: ConfigStatus
): IdpConfigRecord {
  return {
    ...fields,
    arn: configArn(ctx, cluster.name, fields.identityProviderConfigName),
    clusterName: cluster.name,
    tags: { ...tags },
    status
  }
}
