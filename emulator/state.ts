/**
 * In-memory state of the emulator, split as AWS splits it: IAM (OIDC providers, roles) is global
 * per account (`IamAccountState`), EKS (clusters with their identity provider configs and updates)
 * is per account and region (`EmulatorState`, which also reaches its account's IAM state, so
 * `state.oidcProviders` reads the IAM of the request's account). Asynchronous EKS work settles
 * lazily: every read first calls `settle(now)`, so a fake clock moves states without timers.
 */

export type ClusterStatus = 'CREATING' | 'ACTIVE' | 'DELETING' | 'FAILED' | 'UPDATING' | 'PENDING'
export type ConfigStatus = 'CREATING' | 'ACTIVE' | 'DELETING'
export type UpdateStatus = 'InProgress' | 'Failed' | 'Cancelled' | 'Successful'
export type UpdateType = 'AssociateIdentityProviderConfig' | 'DisassociateIdentityProviderConfig' | 'AccessConfigUpdate'
export type UpdateParamType = 'IdentityProviderConfig' | 'AuthenticationMode'
export type AuthenticationMode = 'CONFIG_MAP' | 'API_AND_CONFIG_MAP' | 'API'
export type TagMap = Record<string, string>

export interface OidcConfigFields {
  identityProviderConfigName: string
  issuerUrl: string
  clientId: string
  usernameClaim?: string
  usernamePrefix?: string
  groupsClaim?: string
  groupsPrefix?: string
  requiredClaims?: TagMap
}

export interface IdpConfigRecord extends OidcConfigFields {
  arn: string
  clusterName: string
  tags: TagMap
  status: ConfigStatus
}

export interface UpdateRecord {
  id: string
  /** Creation order inside the cluster; the paging key of ListUpdates. */
  seq: number
  type: UpdateType
  status: UpdateStatus
  /** `params[].type`; IdentityProviderConfig unless said otherwise. */
  paramType?: UpdateParamType
  /** `params[].value` exactly as sent on the wire (a JSON string, or the new authentication mode). */
  paramsValue: string
  configName: string
  createdAtMs: number
  settlesAtMs: number
}

export interface ClientTokenRecord { fingerprint: string, updateId: string, tags?: TagMap }

export interface AccessScopeRecord { type: 'cluster' | 'namespace', namespaces: string[] }

export interface AssociatedPolicyRecord {
  policyArn: string
  accessScope: AccessScopeRecord
  associatedAtMs: number
  modifiedAtMs: number
}

export interface AccessEntryRecord {
  principalArn: string
  arn: string
  type: string
  username: string
  kubernetesGroups: string[]
  tags: TagMap
  createdAtMs: number
  modifiedAtMs: number
  /** By policy ARN. */
  policies: Map<string, AssociatedPolicyRecord>
}

/** A clientRequestToken of CreateAccessEntry or UpdateAccessEntry: the request it came with. */
export interface AccessEntryTokenRecord { fingerprint: string, principalArn: string }

export interface ClusterRecord {
  name: string
  arn: string
  version: string
  /** The status the cluster returns to when no update runs. */
  baseStatus: ClusterStatus
  createdAtMs: number
  issuer: string
  endpoint: string
  roleArn: string
  platformVersion: string
  certificateAuthorityData: string
  tags: TagMap
  configs: Map<string, IdpConfigRecord>
  updates: UpdateRecord[]
  clientTokens: Map<string, ClientTokenRecord>
  authenticationMode: AuthenticationMode
  /** By principal ARN. */
  accessEntries: Map<string, AccessEntryRecord>
  accessEntryTokens: Map<string, AccessEntryTokenRecord>
}

export interface OidcProviderRecord {
  arn: string
  /** As IAM stores and returns it: the URL without `https://`. */
  url: string
  clientIds: string[]
  thumbprints: string[]
  createDateMs: number
  tags: TagMap
}

export interface RoleRecord {
  roleName: string
  roleId: string
  arn: string
  path: string
  /** The trust policy exactly as given (JSON text); IAM returns it URL-encoded. */
  assumeRolePolicyDocument: string
  description?: string
  permissionsBoundaryArn?: string
  maxSessionDuration: number
  createDateMs: number
  tags: TagMap
}

/** An external OIDC identity provider served by the emulator at `/idp/<name>`. */
export interface IdentityProviderRecord { name: string, issuerUrl: string, alg: 'RS256' | 'ES256' }

/** IAM of one account: global, the same in every region. */
export class IamAccountState {
  readonly oidcProviders = new Map<string, OidcProviderRecord>()
  /** By lower-case role name: IAM role names are unique regardless of case. */
  readonly roles = new Map<string, RoleRecord>()

  clear (): void {
    this.oidcProviders.clear()
    this.roles.clear()
  }
}

/** EKS of one (account, region), with its account's IAM and the emulator-wide identity providers. */
// Pod Identity associations and add-ons (served by emulator/pod-identity.ts).
export const ADDON_STATUSES = ['CREATING', 'ACTIVE', 'CREATE_FAILED', 'UPDATING', 'DELETING', 'DELETE_FAILED', 'DEGRADED', 'UPDATE_FAILED'] as const
export type AddonStatus = typeof ADDON_STATUSES[number]

export interface PodIdentityAssociationRecord {
  associationId: string
  associationArn: string
  /** Creation order inside the cluster; the paging key of ListPodIdentityAssociations. */
  seq: number
  clusterName: string
  namespace: string
  serviceAccount: string
  roleArn: string
  targetRoleArn?: string
  externalId?: string
  disableSessionTags: boolean
  policy?: string
  tags: TagMap
  createdAtMs: number
  modifiedAtMs: number
}

export interface AddonRecord {
  addonName: string
  addonArn: string
  addonVersion: string
  status: AddonStatus
  createdAtMs: number
}

/** The Pod Identity state of one cluster. */
export interface ClusterPodIdentity {
  associations: Map<string, PodIdentityAssociationRecord>
  /** clientRequestToken → the association it created and the request's fingerprint. */
  tokens: Map<string, { fingerprint: string, associationId: string }>
  addons: Map<string, AddonRecord>
  nextSeq: number
}

export const newClusterPodIdentity = (): ClusterPodIdentity => ({ associations: new Map(), tokens: new Map(), addons: new Map(), nextSeq: 1 })

export class EmulatorState {
  readonly accountId: string
  readonly region: string
  readonly clusters = new Map<string, ClusterRecord>()
  readonly iam: IamAccountState
  /** External identity providers are not AWS resources: one set shared by every scope. */
  readonly identityProviders: Map<string, IdentityProviderRecord>
  /** Pod Identity associations and add-ons, by cluster name (emulator/pod-identity.ts). */
  readonly podIdentity = new Map<string, ClusterPodIdentity>()
  private nextUpdateSeq = 1

  constructor (scope: { accountId: string, region: string }, iam = new IamAccountState(), identityProviders = new Map<string, IdentityProviderRecord>()) {
    this.accountId = scope.accountId
    this.region = scope.region
    this.iam = iam
    this.identityProviders = identityProviders
  }

  get oidcProviders (): Map<string, OidcProviderRecord> {
    return this.iam.oidcProviders
  }

  get roles (): Map<string, RoleRecord> {
    return this.iam.roles
  }

  clear (): void {
    this.clusters.clear()
    this.iam.clear()
    this.identityProviders.clear()
    this.podIdentity.clear()
  }

  podIdentityOf (clusterName: string): ClusterPodIdentity {
    let state = this.podIdentity.get(clusterName)
    if (!state) this.podIdentity.set(clusterName, state = newClusterPodIdentity())
    return state
  }

  takeUpdateSeq (): number {
    return this.nextUpdateSeq++
  }

  /** Completes every update whose delay has passed and applies its effect on the config. */
  settle (nowMs: number): void {
    for (const cluster of this.clusters.values()) {
      for (const update of cluster.updates) {
        if (update.status !== 'InProgress' || update.settlesAtMs > nowMs) continue
        update.status = 'Successful'
        if (update.type === 'AccessConfigUpdate') {
          cluster.authenticationMode = update.paramsValue as AuthenticationMode
          continue
        }
        const config = cluster.configs.get(update.configName)
        if (!config) continue
        if (update.type === 'AssociateIdentityProviderConfig') config.status = 'ACTIVE'
        else cluster.configs.delete(update.configName)
      }
    }
  }

  updateInProgress (cluster: ClusterRecord): UpdateRecord | undefined {
    return cluster.updates.find(update => update.status === 'InProgress')
  }

  clusterStatus (cluster: ClusterRecord): ClusterStatus {
    return this.updateInProgress(cluster) ? 'UPDATING' : cluster.baseStatus
  }

  findConfigByArn (arn: string): IdpConfigRecord | undefined {
    for (const cluster of this.clusters.values()) {
      for (const config of cluster.configs.values()) {
        if (config.arn === arn) return config
      }
    }
    return undefined
  }

  findClusterByArn (arn: string): ClusterRecord | undefined {
    for (const cluster of this.clusters.values()) {
      if (cluster.arn === arn) return cluster
    }
    return undefined
  }
}
