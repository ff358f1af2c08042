/**
 * The admin API under `/_emulator/` on the emulator port: seed and inspect state, reset, read call
 * counts and the call log, list accounts and STS sessions, set faults, mint tokens and rotate the
 * issuers' certificate. Plain JSON, no AWS shapes. Cluster routes act on the default account and
 * region unless `?accountId=…&region=…` say otherwise.
 */
import type { ServerResponse } from 'node:http'
import type { JWTPayload } from 'jose'
import { InputError } from './clusters.ts'
import { FaultSpecError, type FaultSpec, type Faults } from './faults.ts'
import { UnknownIssuerError, type MintOptions, type SigningAlg } from './oidc-issuer.ts'
import type { Seed, SeedCluster } from './seed.ts'
import type { CallLogEntry, EmulatorAccounts, SessionRecord } from './accounts.ts'
import type { RawRequest } from './aws-protocols.ts'
import type { ClusterRecord, EmulatorState, IdentityProviderRecord } from './state.ts'

export const ADMIN_PREFIX = '/_emulator'

/** An (account, region); either left out means the emulator's default. */
export interface Scope { accountId?: string, region?: string }

/** What the admin API drives: the emulator object itself. */
export interface AdminTarget {
  /** The default account and region. */
  readonly state: EmulatorState
  readonly accounts: EmulatorAccounts
  readonly faults: Faults
  readonly calls: Record<string, number>
  /** Every STS session issued since the last reset. */
  readonly sessions: SessionRecord[]
  /** Who made each received call (the last 10,000), oldest first. */
  readonly callLog: CallLogEntry[]
  info (): Record<string, unknown>
  scope (scope?: Scope): EmulatorState
  seed (seed: Seed): void
  addCluster (input: SeedCluster, scope?: Scope): ClusterRecord
  removeCluster (name: string, scope?: Scope): boolean
  createIdentityProvider (input: { name: string, alg?: SigningAlg }): IdentityProviderRecord
  reset (): void
  resetCalls (): void
  mintIdToken (issuerUrl: string, claims?: JWTPayload, options?: MintOptions): Promise<string>
  rotateIssuerCertificate (): Promise<string>
}

class AdminError extends Error {
  readonly status: number
  constructor (status: number, message: string) {
    super(message)
    this.status = status
  }
}

function sendJson (res: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) {
    res.writeHead(status)
    res.end()
    return
  }
  const text = JSON.stringify(body, null, 2)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

function parseBody (body: string): Record<string, unknown> {
  if (body.trim() === '') return {}
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    throw new AdminError(400, 'body is not valid JSON')
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new AdminError(400, 'body must be a JSON object')
  return parsed as Record<string, unknown>
}

export function describeClusterForAdmin (state: EmulatorState, cluster: ClusterRecord) {
  return {
    name: cluster.name,
    arn: cluster.arn,
    version: cluster.version,
    status: state.clusterStatus(cluster),
    issuer: cluster.issuer,
    createdAt: new Date(cluster.createdAtMs).toISOString(),
    tags: cluster.tags,
    identityProviderConfigs: [...cluster.configs.values()].map(config => ({
      name: config.identityProviderConfigName, arn: config.arn, issuerUrl: config.issuerUrl, status: config.status
    })),
    updates: cluster.updates.map(update => ({ id: update.id, type: update.type, status: update.status })),
    authenticationMode: cluster.authenticationMode,
    accessEntries: [...cluster.accessEntries.values()].map(entry => ({
      principalArn: entry.principalArn, type: entry.type, username: entry.username, kubernetesGroups: entry.kubernetesGroups, policies: [...entry.policies.keys()]
    }))
  }
}

/** Sessions as tests read them: who holds them, never the secret. */
function describeSession (session: SessionRecord) {
  const { secretAccessKey: _secret, ...visible } = session
  return { ...visible, issuedAt: new Date(session.issuedAtMs).toISOString(), expiration: new Date(session.expirationMs).toISOString() }
}

function describeAccounts (accounts: EmulatorAccounts) {
  return accounts.accountIds().map(accountId => {
    const iam = accounts.scope(accountId, accounts.defaultRegion)
    return {
      accountId,
      default: accountId === accounts.defaultAccountId,
      regions: accounts.regionsOf(accountId)
        .map(region => ({ region, clusters: [...accounts.scope(accountId, region).clusters.keys()] }))
        .filter(({ region, clusters }) => clusters.length > 0 || (accountId === accounts.defaultAccountId && region === accounts.defaultRegion)),
      disabledRegions: accounts.disabledRegions(accountId),
      roles: [...iam.roles.values()].map(role => role.arn),
      oidcProviders: [...iam.oidcProviders.keys()]
    }
  })
}

interface AdminCall { body: Record<string, unknown>, label: string, scope: Scope }

type AdminHandler = (target: AdminTarget, call: AdminCall) => Promise<[number, unknown?]> | [number, unknown?]

const ROUTES: Record<string, AdminHandler> = {
  'GET info': target => [200, target.info()],
  'GET accounts': target => [200, { accounts: describeAccounts(target.accounts) }],
  'GET clusters': (target, { scope }) => {
    const state = target.scope(scope)
    return [200, { clusters: [...state.clusters.values()].map(cluster => describeClusterForAdmin(state, cluster)) }]
  },
  'POST clusters': (target, { body, scope }) =>
    [201, { cluster: describeClusterForAdmin(target.scope(scope), target.addCluster(body as unknown as SeedCluster, scope)) }],
  'DELETE clusters/': (target, { label, scope }) => {
    if (!target.removeCluster(label, scope)) throw new AdminError(404, `no cluster ${label}`)
    return [204]
  },
  'GET sessions': target => [200, { sessions: target.sessions.map(describeSession) }],
  'GET call-log': target => [200, { calls: target.callLog.map(entry => ({ ...entry, at: new Date(entry.atMs).toISOString() })) }],
  'GET identity-providers': target => [200, { identityProviders: [...target.state.identityProviders.values()] }],
  'POST identity-providers': (target, { body }) =>
    [201, { identityProvider: target.createIdentityProvider(body as { name: string, alg?: SigningAlg }) }],
  'POST seed': (target, { body }) => {
    target.seed(body as Seed)
    return [200, { clusters: [...target.state.clusters.keys()] }]
  },
  'POST reset': target => {
    target.reset()
    return [204]
  },
  'GET calls': target => [200, target.calls],
  'DELETE calls': target => {
    target.resetCalls()
    return [204]
  },
  'GET faults': target => [200, target.faults.list()],
  'POST faults': (target, { body }) => {
    for (const [operation, spec] of Object.entries(body)) {
      if (spec === null) target.faults.clear(operation)
      else target.faults.set(operation, spec as FaultSpec)
    }
    return [200, target.faults.list()]
  },
  'DELETE faults': target => {
    target.faults.clear()
    return [204]
  },
  'POST tokens': async (target, { body }) => {
    if (typeof body.issuerUrl !== 'string') throw new AdminError(400, 'issuerUrl is required')
    const claims = (body.claims ?? {}) as JWTPayload
    const token = await target.mintIdToken(body.issuerUrl, claims, body as MintOptions)
    return [200, { token }]
  },
  'POST rotate-certificate': async target => [200, { thumbprint: await target.rotateIssuerCertificate() }]
}

function scopeOf (query: URLSearchParams): Scope {
  return { accountId: query.get('accountId') ?? undefined, region: query.get('region') ?? undefined }
}

export async function serveAdmin (target: AdminTarget, { method, rawPath, query, body }: RawRequest, res: ServerResponse): Promise<void> {
  const rest = rawPath.slice(ADMIN_PREFIX.length + 1)
  const slash = rest.indexOf('/')
  const key = slash === -1 ? `${method} ${rest}` : `${method} ${rest.slice(0, slash + 1)}`
  const label = slash === -1 ? '' : decodeURIComponent(rest.slice(slash + 1))
  const handler = Object.hasOwn(ROUTES, key) ? ROUTES[key] : undefined
  try {
    if (!handler) throw new AdminError(404, `no admin route ${method} ${rawPath}`)
    const [status, result] = await handler(target, { body: parseBody(body), label, scope: scopeOf(query) })
    sendJson(res, status, result)
  } catch (error) {
    const known = error instanceof AdminError || error instanceof InputError || error instanceof FaultSpecError ||
      error instanceof UnknownIssuerError
    const status = error instanceof AdminError ? error.status : known ? 400 : 500
    sendJson(res, status, { error: (error as Error).message })
  }
}
