/**
 * IAM thumbprints as AWS documents them: fetch the issuer's discovery document, take the host of
 * `jwks_uri`, open TLS to it with SNI and SHA-1 the LAST certificate the server sends (the top
 * intermediate on a well-configured server). When the issuer host differs from the jwks host, its
 * thumbprint is computed too. Chains are cached briefly per host:port, and concurrent requests for
 * the same host share one TLS handshake.
 */
import type { EgressGuard } from '../egress/guard.ts'
import { effectivePort } from '../egress/url-rules.ts'
import { egressError } from '../egress/errors.ts'
import type { CertificateSummary, PeerChain } from '../egress/peer-chain.ts'
import { discoveryUrl } from './issuer-url.ts'

export type { CertificateSummary, PeerChain }

export interface HostThumbprint {
  /** `jwks`: the host publishing the keys (the one IAM checks); `issuer`: the issuer host when different. */
  role: 'jwks' | 'issuer'
  host: string
  port: number
  /** SHA-1 of the last certificate the host sent, 40 lower-case hex characters. */
  thumbprint: string
  /** Leaf first, as sent. */
  certificates: CertificateSummary[]
  /** Whether the chain verifies against our trust store (informational). */
  authorized: boolean
}

export interface IssuerThumbprints {
  issuerUrl: string
  jwksUri: string
  /** Distinct thumbprints, the jwks host's first. */
  thumbprints: string[]
  hosts: HostThumbprint[]
}

export interface ThumbprintServiceOptions {
  egress: EgressGuard
  /** How long a host's chain is reused. Default 60 s; 0 disables the cache (coalescing stays). */
  ttlSeconds?: number
  /** Most hosts kept; the oldest entry goes first. Default 256. */
  maxEntries?: number
  now?: () => number
}

export interface ForIssuerOptions {
  /** The `jwks_uri` when the caller already has the discovery document; fetched otherwise. */
  jwksUri?: string
}

export interface ThumbprintService {
  forIssuer (issuerUrl: string, options?: ForIssuerOptions): Promise<IssuerThumbprints>
  /** One host's chain, from the cache, a handshake in flight, or a new handshake. */
  chainFor (host: string, port?: number): Promise<PeerChain>
}

interface CacheEntry { promise: Promise<PeerChain>, expiresAt: number }

export function createThumbprintService (options: ThumbprintServiceOptions): ThumbprintService {
  const { egress } = options
  const ttlMs = (options.ttlSeconds ?? 60) * 1000
  const maxEntries = options.maxEntries ?? 256
  const now = options.now ?? Date.now
  const cache = new Map<string, CacheEntry>()

  function chainFor (host: string, port = 443): Promise<PeerChain> {
    const key = `${host.toLowerCase()}:${port}`
    const cached = cache.get(key)
    if (cached && cached.expiresAt > now()) return cached.promise
    // In flight until settled: every caller meanwhile shares this one handshake.
    const entry: CacheEntry = { promise: egress.peerCertificateChain(host, port), expiresAt: Infinity }
    cache.delete(key)
    cache.set(key, entry)
    while (cache.size > maxEntries) cache.delete(cache.keys().next().value as string)
    entry.promise.then(
      () => { entry.expiresAt = now() + ttlMs },
      () => { if (cache.get(key) === entry) cache.delete(key) }
    )
    return entry.promise
  }

  async function jwksUriOf (issuerUrl: string): Promise<string> {
    // Unverified on purpose: an issuer behind a CA we do not trust is the case thumbprints are
    // for. The address rules still apply, and only `jwks_uri` is taken from this document.
    const { json } = await egress.fetchJson(discoveryUrl(issuerUrl), { verifyTls: false })
    const jwksUri = (json as { jwks_uri?: unknown } | null)?.jwks_uri
    if (typeof jwksUri !== 'string') {
      throw egressError('responseInvalid', 'the discovery document has no jwks_uri', { target: discoveryUrl(issuerUrl), rule: 'jwks_uri' })
    }
    return jwksUri
  }

  async function forIssuer (issuerUrl: string, forOptions: ForIssuerOptions = {}): Promise<IssuerThumbprints> {
    const issuer = egress.checkUrl(issuerUrl, 'issuer')
    const jwksUri = forOptions.jwksUri ?? await jwksUriOf(issuerUrl)
    const jwks = egress.checkUrl(jwksUri, 'resource')
    const targets: Array<Pick<HostThumbprint, 'role' | 'host' | 'port'>> = [{ role: 'jwks', host: jwks.hostname, port: effectivePort(jwks) }]
    if (issuer.hostname !== jwks.hostname || effectivePort(issuer) !== effectivePort(jwks)) {
      targets.push({ role: 'issuer', host: issuer.hostname, port: effectivePort(issuer) })
    }
    const hosts = await Promise.all(targets.map(async target => {
      const chain = await chainFor(target.host, target.port)
      const top = chain.certificates.at(-1)
      if (!top) throw egressError('certificateInvalid', `${target.host}:${target.port} sent no certificate`, { target: `${target.host}:${target.port}` })
      return { ...target, thumbprint: top.sha1, certificates: chain.certificates, authorized: chain.authorized }
    }))
    return { issuerUrl, jwksUri, thumbprints: [...new Set(hosts.map(h => h.thumbprint))], hosts }
  }

  return { forIssuer, chainFor }
}

export interface ThumbprintDrift {
  /** The registered list, lower-cased, deduplicated and sorted. */
  registered: string[]
  served: string[]
  /** Served thumbprints missing from the registered list. */
  missing: string[]
  /** Subject and end of validity of the certificate behind the jwks host's thumbprint. */
  subject: string
  notAfter: string
  /** True when every served thumbprint is registered. */
  matches: boolean
}

/** Compares an IAM provider's registered thumbprints with what the issuer serves now. */
export function thumbprintDrift (registered: readonly string[], served: IssuerThumbprints): ThumbprintDrift {
  const normalised = [...new Set(registered.map(tp => tp.trim().toLowerCase()))].sort()
  const missing = served.thumbprints.filter(tp => !normalised.includes(tp))
  const top = served.hosts[0].certificates.at(-1) as CertificateSummary
  return { registered: normalised, served: served.thumbprints, missing, subject: top.subject, notAfter: top.notAfter, matches: missing.length === 0 }
}
