/**
 * The admin API under `/_emulator/` on the emulator port: seed and inspect state, reset, read call
 * counts, set faults, mint tokens and rotate the issuers' certificate. Plain JSON, no AWS shapes.
 */
import type { ServerResponse } from 'node:http'
import type { JWTPayload } from 'jose'
import { InputError } from './clusters.ts'
import { FaultSpecError, type FaultSpec, type Faults } from './faults.ts'
import { UnknownIssuerError, type MintOptions, type SigningAlg } from './oidc-issuer.ts'
import type { Seed, SeedCluster } from './seed.ts'
import type { ClusterRecord, EmulatorState, IdentityProviderRecord } from './state.ts'

export const ADMIN_PREFIX = '/_emulator'

/** What the admin API drives: the emulator object itself. */
export interface AdminTarget {
  readonly state: EmulatorState
  readonly faults: Faults
  readonly calls: Record<string, number>
  info (): Record<string, unknown>
  seed (seed: Seed): void
  addCluster (input: SeedCluster): ClusterRecord
  removeCluster (name: string): boolean
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

type AdminHandler = (target: AdminTarget, body: Record<string, unknown>, label: string) => Promise<[number, unknown?]> | [number, unknown?]

const ROUTES: Record<string, AdminHandler> = {
  'GET info': target => [200, target.info()],
  'GET clusters': target => [200, { clusters: [...target.state.clusters.values()].map(cluster => describeClusterForAdmin(target.state, cluster)) }],
  'POST clusters': (target, body) => [201, { cluster: describeClusterForAdmin(target.state, target.addCluster(body as unknown as SeedCluster)) }],
  'DELETE clusters/': (target, _body, name) => {
    if (!target.removeCluster(name)) throw new AdminError(404, `no cluster ${name}`)
    return [204]
  },
  'GET identity-providers': target => [200, { identityProviders: [...target.state.identityProviders.values()] }],
  'POST identity-providers': (target, body) =>
    [201, { identityProvider: target.createIdentityProvider(body as { name: string, alg?: SigningAlg }) }],
  'POST seed': (target, body) => {
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
  'POST faults': (target, body) => {
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
  'POST tokens': async (target, body) => {
    if (typeof body.issuerUrl !== 'string') throw new AdminError(400, 'issuerUrl is required')
    const claims = (body.claims ?? {}) as JWTPayload
    const token = await target.mintIdToken(body.issuerUrl, claims, body as MintOptions)
    return [200, { token }]
  },
  'POST rotate-certificate': async target => [200, { thumbprint: await target.rotateIssuerCertificate() }]
}

export async function serveAdmin (target: AdminTarget, method: string, rawPath: string, body: string, res: ServerResponse): Promise<void> {
  const rest = rawPath.slice(ADMIN_PREFIX.length + 1)
  const slash = rest.indexOf('/')
  const key = slash === -1 ? `${method} ${rest}` : `${method} ${rest.slice(0, slash + 1)}`
  const label = slash === -1 ? '' : decodeURIComponent(rest.slice(slash + 1))
  const handler = Object.hasOwn(ROUTES, key) ? ROUTES[key] : undefined
  try {
    if (!handler) throw new AdminError(404, `no admin route ${method} ${rawPath}`)
    const [status, result] = await handler(target, parseBody(body), label)
    sendJson(res, status, result)
  } catch (error) {
    const known = error instanceof AdminError || error instanceof InputError || error instanceof FaultSpecError ||
      error instanceof UnknownIssuerError
    const status = error instanceof AdminError ? error.status : known ? 400 : 500
    sendJson(res, status, { error: (error as Error).message })
  }
}
