/**
 * A local EKS/IAM/STS emulator speaking the real AWS wire protocols on one HTTP port, with real
 * OIDC issuers over HTTPS on a second loopback port. See emulator/README.md for the API.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { JWTPayload } from 'jose'
import { ADMIN_PREFIX, serveAdmin, type AdminTarget, type Scope } from './admin.ts'
import { isQueryRequest, serveEks, serveQuery, type RawRequest } from './aws-protocols.ts'
import { EmulatorAccounts } from './accounts.ts'
import { InputError } from './clusters.ts'
import { defaultCaller, scopedContext, type EmulatorContext } from './context.ts'
import { Faults } from './faults.ts'
import { OidcIssuerHost, type MintOptions, type SigningAlg } from './oidc-issuer.ts'
import { addIdentityProvider, applySeed, type Seed, type SeedCluster } from './seed.ts'
import type { ClusterRecord, IdentityProviderRecord } from './state.ts'

export type { Seed, SeedAccount, SeedCluster, SeedRegion, SeedRole } from './seed.ts'
export type { CallLogEntry, SessionRecord } from './accounts.ts'
export type { Scope } from './admin.ts'
export type { FaultSpec } from './faults.ts'
export type { MintOptions, SigningAlg } from './oidc-issuer.ts'

export interface AwsEmulatorOptions {
  /** Port of the AWS/admin HTTP server; 0 (default) picks a free one. */
  port?: number
  /** Default 127.0.0.1. */
  host?: string
  /** Emulator time in epoch milliseconds; default Date.now. */
  clock?: () => number
  /** How long EKS updates stay InProgress on the emulator clock; default 0. */
  transitionDelayMs?: number
  accountId?: string
  region?: string
  /** Applied at start and again on every reset(). */
  seed?: Seed
  /** Directory for the CA bundle file; default a fresh directory under os.tmpdir(). */
  caDir?: string
  /** Source of randomness for fault rates; default Math.random. */
  random?: () => number
}

export interface AwsEmulator extends AdminTarget {
  /** `http://127.0.0.1:<port>`: the endpoint for EKS, IAM and STS clients. */
  readonly url: string
  /** `https://127.0.0.1:<port>`: where the OIDC issuers are served. */
  readonly issuerBaseUrl: string
  /** PEM bundle of every root CA the issuers' HTTPS server has used (current one last). */
  readonly issuerCaPem: string
  /** Path of a file holding issuerCaPem, rewritten on rotation. */
  readonly caFile: string
  /** SHA-1 of the top intermediate the issuers' HTTPS server currently sends. */
  readonly issuerThumbprint: string
  /** The default account and region: unsigned requests and long-term credentials reach them. */
  readonly accountId: string
  readonly region: string
  close (): Promise<void>
}

const MAX_BODY_BYTES = 1024 * 1024
export const DEFAULT_ACCOUNT_ID = '111122223333'
export const DEFAULT_REGION = 'us-east-1'

async function readBody (req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY_BYTES) return undefined
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

export async function startAwsEmulator (options: AwsEmulatorOptions = {}): Promise<AwsEmulator> {
  const clock = options.clock ?? Date.now
  const issuers = await OidcIssuerHost.start(clock)
  const accounts = new EmulatorAccounts(options.accountId ?? DEFAULT_ACCOUNT_ID, options.region ?? DEFAULT_REGION)
  const ctx: EmulatorContext = {
    state: accounts.defaultState,
    accounts,
    caller: defaultCaller(accounts.defaultAccountId),
    issuers,
    clock,
    region: accounts.defaultRegion,
    accountId: accounts.defaultAccountId,
    transitionDelayMs: options.transitionDelayMs ?? 0
  }
  const faults = new Faults(clock, options.random)
  const callCounts = new Map<string, number>()
  const caDir = options.caDir ?? mkdtempSync(join(tmpdir(), 'aws-emulator-'))
  const caFile = join(caDir, 'issuer-ca.pem')
  writeFileSync(caFile, issuers.caBundlePem)

  /** The context of (account, region); either defaults to the emulator's own. */
  const scopeOf = ({ accountId, region }: Scope): EmulatorContext => {
    const account = accountId ?? accounts.defaultAccountId
    if (!accounts.hasAccount(account)) throw new InputError(`unknown account ${account}`)
    return scopedContext(ctx, account, region ?? accounts.defaultRegion)
  }

  let url = ''
  const emulator: AwsEmulator = {
    get url () { return url },
    get issuerBaseUrl () { return issuers.baseUrl },
    get issuerCaPem () { return issuers.caBundlePem },
    caFile,
    get issuerThumbprint () { return issuers.thumbprint },
    accountId: ctx.accountId,
    region: ctx.region,
    state: ctx.state,
    faults,
    get calls () { return Object.fromEntries([...callCounts].sort(([a], [b]) => a.localeCompare(b))) },
    info: () => ({
      url,
      issuerBaseUrl: issuers.baseUrl,
      caFile,
      caPem: issuers.caBundlePem,
      issuerThumbprint: issuers.thumbprint,
      accountId: ctx.accountId,
      region: ctx.region,
      accounts: accounts.accountIds(),
      transitionDelayMs: ctx.transitionDelayMs
    }),
    accounts,
    get sessions () { return [...accounts.sessions.values()] },
    get callLog () { return [...accounts.callLog] },
    scope: (scope: Scope = {}) => scopeOf(scope).state,
    seed: (seed: Seed) => applySeed(ctx, seed),
    addCluster: (input: SeedCluster, scope: Scope = {}): ClusterRecord => {
      const scoped = scopeOf(scope)
      applySeed(scoped, { clusters: [input] })
      return scoped.state.clusters.get(input.name) as ClusterRecord
    },
    removeCluster: (name: string, scope: Scope = {}) => {
      const { state } = scopeOf(scope)
      const cluster = state.clusters.get(name)
      if (!cluster) return false
      state.clusters.delete(name)
      state.podIdentity.delete(name)
      issuers.removeIssuer(cluster.issuer)
      return true
    },
    createIdentityProvider: (input: { name: string, alg?: SigningAlg }): IdentityProviderRecord => addIdentityProvider(ctx, input),
    reset: () => {
      accounts.clear()
      issuers.clearIssuers()
      faults.clear()
      callCounts.clear()
      if (options.seed) applySeed(ctx, options.seed)
    },
    resetCalls: () => {
      callCounts.clear()
      accounts.clearCallLog()
    },
    mintIdToken: (issuerUrl: string, claims?: JWTPayload, mintOptions?: MintOptions) =>
      issuers.mintIdToken(issuerUrl, claims, mintOptions),
    rotateIssuerCertificate: async () => {
      const thumbprint = await issuers.rotateCertificate()
      writeFileSync(caFile, issuers.caBundlePem)
      return thumbprint
    },
    close: async () => {
      server.closeAllConnections()
      await Promise.all([new Promise<void>(resolve => server.close(() => resolve())), issuers.close()])
      if (options.caDir === undefined) rmSync(caDir, { recursive: true, force: true })
    }
  }

  const countCall = (operation: string, scoped?: EmulatorContext) => {
    callCounts.set(operation, (callCounts.get(operation) ?? 0) + 1)
    if (!scoped) return
    const { caller } = scoped
    accounts.recordCall({
      operation,
      accountId: scoped.accountId,
      region: scoped.region,
      principalArn: caller.arn,
      accessKeyId: caller.accessKeyId,
      sessionName: caller.session?.sessionName,
      sourceIdentity: caller.session?.sourceIdentity,
      atMs: clock()
    })
  }
  const deps = { ctx, faults, countCall }

  async function handle (req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req)
    const requestId = randomUUID()
    if (body === undefined) {
      res.writeHead(413, { 'content-type': 'application/json', 'x-amzn-errortype': 'SerializationException' })
      res.end(JSON.stringify({ message: 'Request body too large' }))
      return
    }
    const rawUrl = req.url ?? '/'
    const queryStart = rawUrl.indexOf('?')
    const request: RawRequest = {
      method: req.method ?? 'GET',
      rawPath: queryStart === -1 ? rawUrl : rawUrl.slice(0, queryStart),
      query: new URLSearchParams(queryStart === -1 ? '' : rawUrl.slice(queryStart + 1)),
      body,
      requestId,
      req
    }
    if (request.rawPath.startsWith(ADMIN_PREFIX + '/')) return await serveAdmin(emulator, request, res)
    if (isQueryRequest(request)) return await serveQuery(deps, request, res)
    return await serveEks(deps, request, res)
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(error => {
      if (res.headersSent) return res.destroy()
      res.writeHead(500, { 'content-type': 'application/json', 'x-amzn-errortype': 'ServerException' })
      res.end(JSON.stringify({ message: (error as Error).message }))
    })
  })

  try {
    if (options.seed) applySeed(ctx, options.seed)
    const host = options.host ?? '127.0.0.1'
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(options.port ?? 0, host, () => resolve())
    })
    const { port } = server.address() as AddressInfo
    url = `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${port}`
  } catch (error) {
    await issuers.close()
    if (options.caDir === undefined) rmSync(caDir, { recursive: true, force: true })
    throw error
  }
  return emulator
}
