/**
 * In-memory fakes of the EKS and IAM ports for route and service tests. They throw errors shaped
 * like the SDK's (name + $metadata.httpStatusCode) and record every call for assertions.
 * Wire-level behaviour is tested against the emulator instead.
 */
import { randomUUID } from 'node:crypto'
import type { ClusterStatus, OidcIdentityProviderConfig, Update, UpdateParamType, UpdateStatus, UpdateType } from '@aws-sdk/client-eks'
import type { Tag } from '@aws-sdk/client-iam'
import type { EksPort, IamPort } from '../../src/aws/ports.ts'
import { createFakePodIdentity } from './fake-pod-identity.ts'
import { createFakeAccessEntries } from './fake-access-entries.ts'

export function awsError (name: string, httpStatusCode: number, message: string) {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode, requestId: 'req-' + name } })
}

export interface FakeCluster { name: string, status?: string, version?: string, platformVersion?: string, issuer?: string }

const DEFAULT_ACCOUNT = '111122223333'

/** `account`: the account the fake's clusters, providers and roles are in. */
export function createFakeAws (clusters: FakeCluster[] = [{ name: 'demo', issuer: 'https://oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789ABCDEF0123456789' }], options: { account?: string } = {}) {
  const account = options.account ?? DEFAULT_ACCOUNT
  const calls: Array<{ operation: string, input: any }> = []
  const providers = new Map<string, { Url: string, ClientIDList: string[], ThumbprintList: string[], Tags: Tag[], CreateDate: Date }>()
  /** Roles by name, each with its trust policy as plain JSON text (GetRole answers it URL-encoded). */
  const roles = new Map<string, { trustPolicy: string }>()
  const configs = new Map<string, OidcIdentityProviderConfig>()
  const updates = new Map<string, Update & { cluster: string }>()
  /** The config each identity provider update concerns, for settleUpdate. */
  const updateConfigs = new Map<string, string>()
  const record = (operation: string, input: unknown) => { calls.push({ operation, input }) }
  const meta = { $metadata: { httpStatusCode: 200, requestId: 'req' } }

  const cluster = (name: string) => {
    const found = clusters.find(c => c.name === name)
    if (!found) throw awsError('ResourceNotFoundException', 404, `No cluster found for name: ${name}.`)
    return found
  }
  const provider = (arn: string) => {
    const found = providers.get(arn)
    if (!found) throw awsError('NoSuchEntityException', 404, `OpenIDConnect Provider not found for arn ${arn}`)
    return found
  }
  const newUpdate = (clusterName: string, type: UpdateType, value: string, paramType: UpdateParamType = 'IdentityProviderConfig'): Update => {
    const update = { id: randomUUID(), status: 'InProgress' as UpdateStatus, type, params: [{ type: paramType, value }], createdAt: new Date(), errors: [], cluster: clusterName }
    updates.set(update.id, update)
    return update
  }

  const podIdentity = createFakePodIdentity({ record, cluster, awsError, account })
  const accessEntries = createFakeAccessEntries({ record, cluster, newUpdate, awsError, meta })

  const eks: EksPort = {
    ...podIdentity.port,
    ...accessEntries.eks,
    async listClusters (input) { record('ListClusters', input); return { clusters: clusters.map(c => c.name), ...meta } },
    async describeCluster (input) {
      record('DescribeCluster', input)
      const c = cluster(input.name!)
      return {
        cluster: {
          name: c.name,
          arn: `arn:aws:eks:us-east-1:${account}:cluster/${c.name}`,
          status: (c.status ?? 'ACTIVE') as ClusterStatus,
          version: c.version ?? '1.32',
          platformVersion: c.platformVersion ?? 'eks.10',
          createdAt: new Date('2025-01-02T03:04:05Z'),
          identity: c.issuer ? { oidc: { issuer: c.issuer } } : undefined,
          accessConfig: { authenticationMode: accessEntries.modes.get(c.name) ?? 'API_AND_CONFIG_MAP' }
        },
        ...meta
      }
    },
    async associateIdentityProviderConfig (input) {
      record('AssociateIdentityProviderConfig', input)
      cluster(input.clusterName!)
      const name = input.oidc!.identityProviderConfigName!
      const existing = [...configs.values()].find(config => config.clusterName === input.clusterName)
      if (existing) {
        // As the emulator answers (emulator/eks.ts): EKS allows one OIDC identity provider config per cluster.
        throw awsError('ResourceInUseException', 409,
          `Cluster ${input.clusterName} already has identity provider config ${existing.identityProviderConfigName}; only one OIDC identity provider config can be associated with a cluster.`)
      }
      configs.set(`${input.clusterName}/${name}`, { ...input.oidc, clusterName: input.clusterName, status: 'CREATING', tags: input.tags })
      const update = newUpdate(input.clusterName!, 'AssociateIdentityProviderConfig', JSON.stringify([{ type: 'oidc', name }]))
      updateConfigs.set(update.id!, `${input.clusterName}/${name}`)
      return { update, tags: input.tags, ...meta }
    },
    async describeIdentityProviderConfig (input) {
      record('DescribeIdentityProviderConfig', input)
      const config = configs.get(`${input.clusterName}/${input.identityProviderConfig!.name}`)
      if (!config) throw awsError('ResourceNotFoundException', 404, `No config found for cluster: ${input.clusterName}, config type: oidc, config name: ${input.identityProviderConfig!.name}`)
      return { identityProviderConfig: { oidc: config }, ...meta }
    },
    async listIdentityProviderConfigs (input) {
      record('ListIdentityProviderConfigs', input)
      cluster(input.clusterName!)
      const names = [...configs.keys()].filter(k => k.startsWith(input.clusterName + '/')).map(k => k.split('/')[1])
      return { identityProviderConfigs: names.map(name => ({ type: 'oidc', name })), ...meta }
    },
    async disassociateIdentityProviderConfig (input) {
      record('DisassociateIdentityProviderConfig', input)
      const key = `${input.clusterName}/${input.identityProviderConfig!.name}`
      if (!configs.has(key)) throw awsError('InvalidRequestException', 400, 'Identity provider config is not associated with cluster')
      configs.get(key)!.status = 'DELETING'
      const update = newUpdate(input.clusterName!, 'DisassociateIdentityProviderConfig', '[]')
      updateConfigs.set(update.id!, key)
      return { update, ...meta }
    },
    async describeUpdate (input) {
      record('DescribeUpdate', input)
      const update = updates.get(input.updateId!)
      if (!update || update.cluster !== input.name) throw awsError('ResourceNotFoundException', 404, `No update found for ID: ${input.updateId}`)
      return { update, ...meta }
    },
    async listUpdates (input) {
      record('ListUpdates', input)
      return { updateIds: [...updates.values()].filter(u => u.cluster === input.name).map(u => u.id!), ...meta }
    }
  }

  const iam: IamPort = {
    async listRoles (input) {
      record('ListRoles', input)
      const all = [...roles.entries()].sort(([a], [b]) => a.localeCompare(b))
      const start = input.Marker === undefined ? 0 : Number(input.Marker)
      const end = start + (input.MaxItems ?? 100)
      const page = all.slice(start, end).map(([RoleName, role]) => ({
        RoleName, Path: '/', RoleId: 'AROAFAKE' + RoleName.length, Arn: `arn:aws:iam::${account}:role/${RoleName}`, CreateDate: new Date('2025-03-04T05:06:07Z'), AssumeRolePolicyDocument: encodeURIComponent(role.trustPolicy)
      }))
      return { Roles: page, IsTruncated: end < all.length, ...(end < all.length ? { Marker: String(end) } : {}), ...meta }
    },
    async getOpenIDConnectProvider (input) {
      record('GetOpenIDConnectProvider', input)
      return { ...structuredClone(provider(input.OpenIDConnectProviderArn!)), ...meta }
    },
    async listOpenIDConnectProviders (input) {
      record('ListOpenIDConnectProviders', input)
      return { OpenIDConnectProviderList: [...providers.keys()].map(Arn => ({ Arn })), ...meta }
    },
    async createOpenIDConnectProvider (input) {
      record('CreateOpenIDConnectProvider', input)
      const hostPath = input.Url!.replace(/^https:\/\//, '')
      const arn = `arn:aws:iam::${account}:oidc-provider/${hostPath}`
      if (providers.has(arn)) throw awsError('EntityAlreadyExistsException', 409, `Provider with url ${input.Url} already exists.`)
      providers.set(arn, { Url: hostPath, ClientIDList: input.ClientIDList ?? [], ThumbprintList: input.ThumbprintList ?? ['9e99a48a9960b14926bb7f3b02e22da2b0ab7280'], Tags: input.Tags ?? [], CreateDate: new Date('2025-02-03T04:05:06Z') })
      return { OpenIDConnectProviderArn: arn, Tags: input.Tags, ...meta }
    },
    async deleteOpenIDConnectProvider (input) {
      record('DeleteOpenIDConnectProvider', input)
      provider(input.OpenIDConnectProviderArn!)
      providers.delete(input.OpenIDConnectProviderArn!)
      return meta
    },
    async updateOpenIDConnectProviderThumbprint (input) {
      record('UpdateOpenIDConnectProviderThumbprint', input)
      provider(input.OpenIDConnectProviderArn!).ThumbprintList = input.ThumbprintList!
      return meta
    },
    async addClientIDToOpenIDConnectProvider (input) {
      record('AddClientIDToOpenIDConnectProvider', input)
      const p = provider(input.OpenIDConnectProviderArn!)
      if (!p.ClientIDList.includes(input.ClientID!)) p.ClientIDList.push(input.ClientID!)
      return meta
    },
    async removeClientIDFromOpenIDConnectProvider (input) {
      record('RemoveClientIDFromOpenIDConnectProvider', input)
      const p = provider(input.OpenIDConnectProviderArn!)
      p.ClientIDList = p.ClientIDList.filter(c => c !== input.ClientID)
      return meta
    },
    async tagOpenIDConnectProvider (input) {
      record('TagOpenIDConnectProvider', input)
      const p = provider(input.OpenIDConnectProviderArn!)
      for (const tag of input.Tags!) p.Tags = [...p.Tags.filter(t => t.Key !== tag.Key), tag]
      return meta
    },
    async untagOpenIDConnectProvider (input) {
      record('UntagOpenIDConnectProvider', input)
      const p = provider(input.OpenIDConnectProviderArn!)
      p.Tags = p.Tags.filter(t => !input.TagKeys!.includes(t.Key!))
      return meta
    },
    async getRole (input) {
      record('GetRole', input)
      const found = roles.get(input.RoleName!)
      if (!found) throw awsError('NoSuchEntityException', 404, `The role with name ${input.RoleName} cannot be found.`)
      const role = {
        RoleName: input.RoleName!,
        RoleId: 'AROAFAKE' + input.RoleName!.length,
        Path: '/',
        Arn: `arn:aws:iam::${account}:role/${input.RoleName}`,
        CreateDate: new Date('2025-03-04T05:06:07Z'),
        AssumeRolePolicyDocument: encodeURIComponent(found.trustPolicy)
      }
      return { Role: role, ...meta }
    },
    async updateAssumeRolePolicy (input) {
      record('UpdateAssumeRolePolicy', input)
      const found = roles.get(input.RoleName!)
      if (!found) throw awsError('NoSuchEntityException', 404, `The role with name ${input.RoleName} cannot be found.`)
      found.trustPolicy = input.PolicyDocument!
      return meta
    }
  }

  return {
    eks,
    iam,
    calls,
    providers,
    roles,
    /** Adds (or replaces) a role with this trust policy. */
    putRole (name: string, trustPolicy: object | string) {
      roles.set(name, { trustPolicy: typeof trustPolicy === 'string' ? trustPolicy : JSON.stringify(trustPolicy) })
    },
    configs,
    updates,
    /** Pod Identity associations by id, and `setAddon` to install an add-on. */
    podIdentity,
    /** Access entries by `cluster\nprincipalArn`, and the authentication mode of clusters not in API_AND_CONFIG_MAP. */
    accessEntries: accessEntries.entries,
    authenticationModes: accessEntries.modes,
    /** Ends an update as EKS does 20 to 40 minutes after the request. */
    completeUpdate (id: string, status: UpdateStatus = 'Successful') {
      const update = updates.get(id)
      if (!update) throw new Error(`no fake update ${id}`)
      update.status = status
    },
    /** Ends an update and applies its effect as EKS does: an associated config turns ACTIVE, a disassociated one is gone. */
    settleUpdate (id: string, status: UpdateStatus = 'Successful') {
      const update = updates.get(id)
      if (!update) throw new Error(`no fake update ${id}`)
      update.status = status
      const key = updateConfigs.get(id)
      const config = key === undefined ? undefined : configs.get(key)
      const mode = update.type === 'AccessConfigUpdate' ? update.params?.[0]?.value : undefined
      if (status === 'Successful' && mode) accessEntries.modes.set(update.cluster, mode as never)
      if (status !== 'Successful' || !config || !key) return
      if (update.type === 'AssociateIdentityProviderConfig') config.status = 'ACTIVE'
      else configs.delete(key)
    },
    /** Operations called, in order, optionally only those after `since`. */
    operations: (since = 0) => calls.slice(since).map(c => c.operation)
  }
}

export type FakeAws = ReturnType<typeof createFakeAws>
