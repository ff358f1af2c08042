/**
 * Seeding the emulator: clusters (optionally with an ACTIVE identity provider config), external
 * identity providers served at `/idp/<name>`, IAM OIDC providers and IAM roles, in the default
 * account and region (top level) or in other accounts and regions (`accounts`). Seeds come from
 * the JS API, the admin API or a JSON/YAML file (emulator/main.ts). IAM entries go through the
 * emulator's own IAM operations, so a seed is held to the same rules as a request.
 */
import { readFile } from 'node:fs/promises'
import { parse as parseYaml } from 'yaml'
import { seedAccessEntry, type SeedAccessPolicy } from './access-entries.ts'
import { scopedContext, type EmulatorContext } from './context.ts'
import { addCluster, InputError, newConfigRecord, type ClusterInput } from './clusters.ts'
import { checkOidcConfig, checkTagMap } from './eks-input.ts'
import { REGION_PATTERN } from './accounts.ts'
import { IAM_ACTIONS } from './iam.ts'
import { addAddon } from './pod-identity.ts'
import { SIGNING_ALGS, type SigningAlg } from './oidc-issuer.ts'
import { ADDON_STATUSES, type AddonStatus, type IdentityProviderRecord, type OidcConfigFields, type TagMap } from './state.ts'

export interface SeedIdentityProviderConfig extends Partial<OidcConfigFields> {
  identityProviderConfigName: string
  clientId: string
  /** Name of a seeded identity provider whose issuer URL to use (instead of issuerUrl). */
  identityProvider?: string
  tags?: TagMap
}

/** An EKS add-on installed on a seeded cluster, e.g. `eks-pod-identity-agent`. */
export interface SeedAddon { name: string, status?: AddonStatus, version?: string }

export interface SeedAccessEntry {
  principalArn: string
  /** STANDARD (default), EC2_LINUX, EC2_WINDOWS, FARGATE_LINUX, EC2, HYBRID_LINUX, HYPERPOD_LINUX. */
  type?: string
  username?: string
  kubernetesGroups?: string[]
  tags?: TagMap
  accessPolicies?: SeedAccessPolicy[]
}

export interface SeedCluster extends ClusterInput {
  identityProviderConfig?: SeedIdentityProviderConfig
  /** Needs an authenticationMode other than CONFIG_MAP, as on EKS. */
  accessEntries?: SeedAccessEntry[]
  addons?: SeedAddon[]
}

export interface SeedIdentityProvider { name: string, alg?: SigningAlg }

export interface SeedOidcProvider {
  /** Register the issuer of this seeded cluster... */
  cluster?: string
  /** ...or this URL. */
  url?: string
  clientIds?: string[]
  /** Default: computed as CreateOpenIDConnectProvider does without a list. */
  thumbprints?: string[]
  tags?: TagMap
}

/** An IRSA trust: the service accounts of a seeded cluster that may assume the role through its IAM OIDC provider. */
export interface SeedIrsaTrust {
  cluster: string
  /** `namespace:serviceAccount` each. */
  serviceAccounts: string[]
}

export interface SeedRole {
  roleName: string
  /** Default `/`. */
  path?: string
  /** The trust policy, as a JSON string or as the object itself... */
  assumeRolePolicyDocument?: string | Record<string, unknown>
  /** ...or an IRSA trust policy for a cluster seeded earlier (its issuer is only known at start). */
  irsa?: SeedIrsaTrust
  description?: string
  /** 3600–43200, default 3600. */
  maxSessionDuration?: number
  tags?: TagMap
}

/** What one (account, region) holds: its clusters, and IAM OIDC providers for them. */
export interface SeedRegion {
  region: string
  clusters?: SeedCluster[]
  /** `cluster` names a cluster of this region. */
  iamOidcProviders?: SeedOidcProvider[]
}

export interface SeedAccount {
  accountId: string
  /** Opt-in regions the account has not enabled: STS AssumeRole there answers RegionDisabledException. */
  disabledRegions?: string[]
  roles?: SeedRole[]
  regions?: SeedRegion[]
}

export interface Seed {
  /** Everything at the top level is in the default account and region. */
  clusters?: SeedCluster[]
  identityProviders?: SeedIdentityProvider[]
  iamOidcProviders?: SeedOidcProvider[]
  roles?: SeedRole[]
  /** More accounts, or more regions of the default account. */
  accounts?: SeedAccount[]
}

export { InputError as SeedError }

export function addIdentityProvider (ctx: EmulatorContext, input: SeedIdentityProvider): IdentityProviderRecord {
  if (typeof input.name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(input.name)) {
    throw new InputError(`invalid identity provider name: ${String(input.name)}`)
  }
  if (ctx.state.identityProviders.has(input.name)) throw new InputError(`identity provider already exists: ${input.name}`)
  const alg = input.alg ?? 'RS256'
  if (!SIGNING_ALGS.includes(alg)) throw new InputError(`alg must be one of ${SIGNING_ALGS.join(', ')}`)
  const record = { name: input.name, alg, issuerUrl: ctx.issuers.addIssuer(`/idp/${input.name}`, alg) }
  ctx.state.identityProviders.set(record.name, record)
  return record
}

function seedConfig (ctx: EmulatorContext, clusterName: string, input: SeedIdentityProviderConfig): void {
  const cluster = ctx.state.clusters.get(clusterName)
  if (!cluster) throw new InputError(`unknown cluster ${clusterName}`)
  const { identityProvider, tags, ...oidc } = input
  if (identityProvider !== undefined) {
    const idp = ctx.state.identityProviders.get(identityProvider)
    if (!idp) throw new InputError(`unknown identity provider ${identityProvider} in cluster ${clusterName}`)
    oidc.issuerUrl = idp.issuerUrl
  }
  try {
    const fields = checkOidcConfig({ oidc }, clusterName)
    const tagMap = tags === undefined ? {} : checkTagMap(tags, 'tags', 'InvalidParameterException', clusterName)
    cluster.configs.set(fields.identityProviderConfigName, newConfigRecord(ctx, cluster, fields, tagMap, 'ACTIVE'))
  } catch (error) {
    throw new InputError(`identity provider config of cluster ${clusterName}: ${(error as Error).message}`)
  }
}

function seedAddon (ctx: EmulatorContext, clusterName: string, addon: SeedAddon): void {
  if (typeof addon?.name !== 'string' || addon.name === '') throw new InputError(`add-on of cluster ${clusterName} needs a name`)
  if (addon.status !== undefined && !ADDON_STATUSES.includes(addon.status)) {
    throw new InputError(`add-on ${addon.name} of cluster ${clusterName}: status must be one of ${ADDON_STATUSES.join(', ')}`)
  }
  addAddon(ctx, clusterName, addon.name, addon.status, addon.version)
}

function seedAccessEntries (ctx: EmulatorContext, clusterName: string, entries: SeedAccessEntry[]): void {
  const cluster = ctx.state.clusters.get(clusterName)
  if (!cluster) throw new InputError(`unknown cluster ${clusterName}`)
  if (cluster.authenticationMode === 'CONFIG_MAP') throw new InputError(`cluster ${clusterName} in CONFIG_MAP mode cannot have access entries`)
  for (const { accessPolicies, ...entry } of entries) {
    try {
      seedAccessEntry(ctx, cluster, { ...entry }, accessPolicies)
    } catch (error) {
      throw new InputError(`access entry ${String(entry.principalArn)} of cluster ${clusterName}: ${(error as Error).message}`)
    }
  }
}

/** Runs an IAM action of the emulator for a seed entry, naming the entry when it is refused. */
function runIam (ctx: EmulatorContext, params: URLSearchParams, what: string): void {
  try {
    IAM_ACTIONS[params.get('Action') as string](ctx, params)
  } catch (error) {
    throw new InputError(`${what}: ${(error as Error).message}`)
  }
}

function setTags (params: URLSearchParams, tags: TagMap | undefined): void {
  Object.entries(tags ?? {}).forEach(([key, value], i) => {
    params.set(`Tags.member.${i + 1}.Key`, key)
    params.set(`Tags.member.${i + 1}.Value`, value)
  })
}

/** The trust policy eksctl and the EKS User Guide write for IRSA: one statement per service account. */
function irsaTrustPolicy (ctx: EmulatorContext, trust: SeedIrsaTrust): Record<string, unknown> {
  const issuer = ctx.state.clusters.get(trust.cluster)?.issuer
  if (issuer === undefined) throw new InputError(`IRSA trust names an unknown cluster ${trust.cluster}`)
  // As IAM names the provider (and its condition keys): host and path, no port (emulator/iam.ts).
  const url = new URL(issuer)
  const provider = `${url.hostname}${url.pathname.replace(/\/$/, '')}`
  return {
    Version: '2012-10-17',
    Statement: trust.serviceAccounts.map(serviceAccount => ({
      Effect: 'Allow',
      Principal: { Federated: `arn:aws:iam::${ctx.accountId}:oidc-provider/${provider}` },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringEquals: { [`${provider}:sub`]: `system:serviceaccount:${serviceAccount}`, [`${provider}:aud`]: 'sts.amazonaws.com' } }
    }))
  }
}

function seedRole (ctx: EmulatorContext, input: SeedRole): void {
  const source = input.irsa === undefined ? input.assumeRolePolicyDocument : irsaTrustPolicy(ctx, input.irsa)
  const document = typeof source === 'string' ? source : JSON.stringify(source)
  const params = new URLSearchParams({ Action: 'CreateRole', RoleName: String(input.roleName), AssumeRolePolicyDocument: document ?? '' })
  if (input.path !== undefined) params.set('Path', input.path)
  if (input.description !== undefined) params.set('Description', input.description)
  if (input.maxSessionDuration !== undefined) params.set('MaxSessionDuration', String(input.maxSessionDuration))
  setTags(params, input.tags)
  runIam(ctx, params, `IAM role ${String(input.roleName)} in account ${ctx.accountId}`)
}

function seedOidcProvider (ctx: EmulatorContext, input: SeedOidcProvider): void {
  const url = input.cluster !== undefined ? ctx.state.clusters.get(input.cluster)?.issuer : input.url
  if (url === undefined) throw new InputError(`IAM OIDC provider needs a known cluster or a url: ${JSON.stringify(input)}`)
  const params = new URLSearchParams({ Action: 'CreateOpenIDConnectProvider', Url: url })
  ;(input.clientIds ?? ['sts.amazonaws.com']).forEach((id, i) => params.set(`ClientIDList.member.${i + 1}`, id))
  ;(input.thumbprints ?? []).forEach((thumbprint, i) => params.set(`ThumbprintList.member.${i + 1}`, thumbprint))
  setTags(params, input.tags)
  runIam(ctx, params, `IAM OIDC provider ${url}`)
}

function seedClusters (ctx: EmulatorContext, clusters: SeedCluster[]): void {
  for (const { identityProviderConfig, accessEntries, addons, ...cluster } of clusters) {
    addCluster(ctx, cluster)
    if (identityProviderConfig) seedConfig(ctx, cluster.name, identityProviderConfig)
    if (accessEntries) seedAccessEntries(ctx, cluster.name, accessEntries)
    for (const addon of addons ?? []) seedAddon(ctx, cluster.name, addon)
  }
}

function seedAccount (ctx: EmulatorContext, input: SeedAccount): void {
  try {
    ctx.accounts.addAccount(String(input.accountId), { disabledRegions: input.disabledRegions })
  } catch (error) {
    throw new InputError((error as Error).message)
  }
  const global = scopedContext(ctx, input.accountId, ctx.accounts.defaultRegion)
  for (const role of input.roles ?? []) seedRole(global, role)
  for (const region of input.regions ?? []) {
    if (typeof region.region !== 'string' || !REGION_PATTERN.test(region.region)) throw new InputError(`invalid region: ${String(region.region)}`)
    const regional = scopedContext(ctx, input.accountId, region.region)
    seedClusters(regional, region.clusters ?? [])
    for (const provider of region.iamOidcProviders ?? []) seedOidcProvider(regional, provider)
  }
}

/** Adds everything in `seed` to the current state; throws InputError on the first bad entry. */
export function applySeed (ctx: EmulatorContext, seed: Seed): void {
  if (typeof seed !== 'object' || seed === null) throw new InputError('seed must be an object')
  for (const idp of seed.identityProviders ?? []) addIdentityProvider(ctx, idp)
  // Roles first: access entries of the clusters name them; roles with an IRSA trust name a cluster, so they come after.
  const roles = seed.roles ?? []
  for (const role of roles.filter(r => r.irsa === undefined)) seedRole(ctx, role)
  seedClusters(ctx, seed.clusters ?? [])
  for (const role of roles.filter(r => r.irsa !== undefined)) seedRole(ctx, role)
  for (const provider of seed.iamOidcProviders ?? []) seedOidcProvider(ctx, provider)
  for (const account of seed.accounts ?? []) seedAccount(ctx, account)
}

/** Reads a seed from a JSON or YAML file (YAML is a superset of JSON). */
export async function loadSeedFile (path: string): Promise<Seed> {
  const seed = parseYaml(await readFile(path, 'utf8')) as unknown
  if (typeof seed !== 'object' || seed === null || Array.isArray(seed)) throw new InputError(`seed file ${path} must hold an object`)
  return seed as Seed
}
