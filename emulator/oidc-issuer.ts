/**
 * Real OIDC issuers over real TLS on loopback. One HTTPS server (certificate chain from pki.ts)
 * serves every issuer under its own path: `/id/<32 HEX>` for clusters, `/idp/<name>` for external
 * identity providers. Each issuer publishes a discovery document and a JWKS; signing keys are made
 * on first use so that seeding many clusters stays cheap.
 */
import { createServer, type Server } from 'node:https'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { randomBytes, type webcrypto } from 'node:crypto'
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload } from 'jose'
import { generateChain, type CertificateChain } from './pki.ts'

export type SigningAlg = 'RS256' | 'ES256'
export const SIGNING_ALGS: readonly SigningAlg[] = ['RS256', 'ES256']

interface SigningKey { alg: SigningAlg, kid: string, privateKey: webcrypto.CryptoKey, publicJwk: JWK }

interface IssuerEntry {
  path: string
  /** The algorithm of the key published first (what discovery advertises first). */
  alg: SigningAlg
  keys: Map<SigningAlg, Promise<SigningKey>>
}

export interface MintOptions {
  /** Header `kid` to send instead of the real one (to test unknown keys). */
  kid?: string
  /** Lifetime from `iat`; default 3600 s. Negative values give already expired tokens. */
  expiresInSeconds?: number
  /** Key algorithm; an issuer lacking a key of this algorithm gets one and publishes it. */
  alg?: SigningAlg
}

export class UnknownIssuerError extends Error {}

const CHAIN_HOSTS = ['localhost', '127.0.0.1']

async function createSigningKey (alg: SigningAlg): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  const jwk = await exportJWK(publicKey)
  const kid = await calculateJwkThumbprint(jwk)
  return { alg, kid, privateKey, publicJwk: { ...jwk, kid, alg, use: 'sig' } }
}

export const randomIssuerId = () => randomBytes(16).toString('hex').toUpperCase()

export class OidcIssuerHost {
  private readonly server: Server
  private readonly issuers = new Map<string, IssuerEntry>()
  private readonly clock: () => number
  private readonly rootPems: string[] = []
  private currentChain: CertificateChain
  private port = 0

  private constructor (chain: CertificateChain, clock: () => number) {
    this.currentChain = chain
    this.rootPems.push(chain.root.pem)
    this.clock = clock
    this.server = createServer({ cert: chain.serverChainPem, key: chain.leaf.keyPem }, (req, res) => {
      this.handle(req, res).catch(() => {
        if (!res.headersSent) sendJson(res, 500, { error: 'server_error' })
      })
    })
  }

  static async start (clock: () => number): Promise<OidcIssuerHost> {
    const host = new OidcIssuerHost(await generateChain({ hosts: CHAIN_HOSTS, name: 'aws-emulator issuers' }), clock)
    await new Promise<void>((resolve, reject) => {
      host.server.once('error', reject)
      host.server.listen(0, '127.0.0.1', () => resolve())
    })
    host.port = (host.server.address() as AddressInfo).port
    return host
  }

  get baseUrl (): string {
    return `https://127.0.0.1:${this.port}`
  }

  get chain (): CertificateChain {
    return this.currentChain
  }

  /** Every root this host has used, so a client re-reading the bundle trusts old and new chains. */
  get caBundlePem (): string {
    return this.rootPems.join('')
  }

  /** SHA-1 of the top intermediate: the last certificate the server sends, as IAM computes it. */
  get thumbprint (): string {
    const top = this.currentChain.intermediates[0] ?? this.currentChain.leaf
    return top.sha1
  }

  /** Registers an issuer at `path` (e.g. `/id/ABC…`) and returns its URL. */
  addIssuer (path: string, alg: SigningAlg = 'RS256'): string {
    if (!this.issuers.has(path)) this.issuers.set(path, { path, alg, keys: new Map() })
    return this.baseUrl + path
  }

  removeIssuer (issuerUrl: string): void {
    const path = this.pathOf(issuerUrl)
    if (path !== undefined) this.issuers.delete(path)
  }

  clearIssuers (): void {
    this.issuers.clear()
  }

  /** True when `url` (with or without scheme) is one of the issuers served here. */
  serves (url: string): boolean {
    const path = this.pathOf(url.startsWith('https://') ? url : 'https://' + url)
    return path !== undefined && this.issuers.has(path)
  }

  async mintIdToken (issuerUrl: string, claims: JWTPayload = {}, options: MintOptions = {}): Promise<string> {
    const path = this.pathOf(issuerUrl)
    const issuer = path === undefined ? undefined : this.issuers.get(path)
    if (!issuer) throw new UnknownIssuerError(`not an issuer of this emulator: ${issuerUrl}`)
    const key = await this.keyOf(issuer, options.alg ?? issuer.alg)
    const iat = Math.floor(this.clock() / 1000)
    const payload: JWTPayload = { iss: issuerUrl, iat, exp: iat + (options.expiresInSeconds ?? 3600), ...claims }
    return await new SignJWT(payload)
      .setProtectedHeader({ alg: key.alg, kid: options.kid ?? key.kid, typ: 'JWT' })
      .sign(key.privateKey)
  }

  /** Serves a fresh chain (new root, intermediate and leaf) on the same port. */
  async rotateCertificate (): Promise<string> {
    const chain = await generateChain({ hosts: CHAIN_HOSTS, name: `aws-emulator issuers ${this.rootPems.length + 1}` })
    this.server.setSecureContext({ cert: chain.serverChainPem, key: chain.leaf.keyPem })
    this.currentChain = chain
    this.rootPems.push(chain.root.pem)
    return this.thumbprint
  }

  async close (): Promise<void> {
    this.server.closeAllConnections()
    await new Promise<void>(resolve => this.server.close(() => resolve()))
  }

  private pathOf (issuerUrl: string): string | undefined {
    if (!issuerUrl.startsWith(this.baseUrl + '/')) return undefined
    return issuerUrl.slice(this.baseUrl.length).replace(/\/+$/, '')
  }

  private keyOf (issuer: IssuerEntry, alg: SigningAlg): Promise<SigningKey> {
    let key = issuer.keys.get(alg)
    if (!key) {
      key = createSigningKey(alg)
      issuer.keys.set(alg, key)
    }
    return key
  }

  private async handle (req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', this.baseUrl).pathname
    if (req.method !== 'GET') return sendJson(res, 405, { error: 'method_not_allowed' })
    const discovery = path.endsWith('/.well-known/openid-configuration')
    const issuerPath = discovery ? path.slice(0, -'/.well-known/openid-configuration'.length) : path.replace(/\/keys$/, '')
    const issuer = this.issuers.get(issuerPath)
    if (!issuer || (!discovery && !path.endsWith('/keys'))) return sendJson(res, 404, { error: 'not_found' })
    if (!discovery) {
      await this.keyOf(issuer, issuer.alg)
      const keys = await Promise.all(issuer.keys.values())
      return sendJson(res, 200, { keys: keys.map(key => key.publicJwk) })
    }
    const issuerUrl = this.baseUrl + issuer.path
    sendJson(res, 200, {
      issuer: issuerUrl,
      jwks_uri: `${issuerUrl}/keys`,
      authorization_endpoint: 'urn:kubernetes:programmatic_authorization',
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'email', 'email_verified', 'groups'],
      id_token_signing_alg_values_supported: [issuer.alg, ...SIGNING_ALGS.filter(alg => alg !== issuer.alg)]
    })
  }
}

function sendJson (res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}
