/**
 * The egress guard: built once at startup and injected, it is the only way the service opens
 * connections to hosts a caller named (issuer discovery, jwks_uri, TLS chains for thumbprints).
 *
 * Rules: https only; port in `allowedPorts`; no userinfo; issuers without query or fragment;
 * every address (IP literal or every DNS answer) public unicast unless allow-listed; the socket
 * connects to the address that was checked; no redirects; one deadline; a streamed body cap; a
 * JSON content type. Refused URLs never open a connection.
 */
import { rootCertificates } from 'node:tls'
import type { Agent } from 'undici'
import { createConnectPolicy } from './connect-policy.ts'
import type { ResolveAll } from './connect-policy.ts'
import { createGuardedAgent, fetchJsonThrough } from './fetch-json.ts'
import type { FetchJsonOptions, JsonResponse, TransportOptions } from './fetch-json.ts'
import { readPeerChain } from './peer-chain.ts'
import type { PeerChain } from './peer-chain.ts'
import type { UrlPurpose } from './url-rules.ts'

export interface EgressGuardOptions {
  /** Ports that may be contacted. Default [443]. */
  allowedPorts?: readonly number[]
  /**
   * CIDRs, single addresses or exact host names exempt from the address rules (never from the
   * shape or port rules). Empty by default; for tests and the sandbox's loopback issuers.
   */
  allowList?: readonly string[]
  /** Additional trusted CA certificates (PEM, may hold several), e.g. the emulator's root. */
  extraCaPem?: string
  /** Deadline per fetch or TLS handshake. Default 5000. */
  timeoutMs?: number
  /** Largest response body read. Default 262144 (256 KiB). */
  maxBodyBytes?: number
  /** Replaces `dns.promises.lookup(host, { all: true })`; tests inject answers with it. */
  lookup?: ResolveAll
}

export interface EgressGuard {
  readonly allowedPorts: readonly number[]
  readonly timeoutMs: number
  readonly maxBodyBytes: number
  /** Synchronous shape and IP-literal checks; returns the parsed URL or throws a 400 ServiceError. */
  checkUrl (url: string, purpose?: UrlPurpose): URL
  /** GET a JSON document (2xx, JSON content type, capped body); throws a ServiceError otherwise. */
  fetchJson (url: string, options?: FetchJsonOptions): Promise<JsonResponse>
  /** The certificates a TLS server sends, leaf first. */
  peerCertificateChain (host: string, port?: number): Promise<PeerChain>
  /** Closes pooled connections. */
  close (): Promise<void>
}

export const EGRESS_DEFAULTS = { allowedPorts: [443], timeoutMs: 5000, maxBodyBytes: 262144 } as const

export function createEgressGuard (options: EgressGuardOptions = {}): EgressGuard {
  const allowedPorts = [...(options.allowedPorts ?? EGRESS_DEFAULTS.allowedPorts)]
  const policy = createConnectPolicy({ allowedPorts, allowList: options.allowList ?? [], lookup: options.lookup })
  const transport: TransportOptions = {
    // Node replaces its default roots when `ca` is given, so the system roots are added back.
    ca: options.extraCaPem ? [...rootCertificates, options.extraCaPem] : undefined,
    timeoutMs: options.timeoutMs ?? EGRESS_DEFAULTS.timeoutMs,
    maxBodyBytes: options.maxBodyBytes ?? EGRESS_DEFAULTS.maxBodyBytes
  }
  const agents = new Map<boolean, Agent>()
  const agentFor = (verifyTls: boolean) => {
    let agent = agents.get(verifyTls)
    if (!agent) {
      agent = createGuardedAgent(policy, transport, verifyTls)
      agents.set(verifyTls, agent)
    }
    return agent
  }

  return {
    allowedPorts,
    timeoutMs: transport.timeoutMs,
    maxBodyBytes: transport.maxBodyBytes,
    checkUrl: (url, purpose = 'issuer') => policy.checkUrl(url, purpose),
    fetchJson: (url, fetchOptions = {}) =>
      fetchJsonThrough(agentFor(fetchOptions.verifyTls ?? true), policy, transport, url, fetchOptions.purpose ?? 'issuer'),
    peerCertificateChain: (host, port = 443) => readPeerChain(policy, host, port, transport),
    async close () {
      await Promise.all([...agents.values()].map(agent => agent.close()))
      agents.clear()
    }
  }
}
