/**
 * The real egress guard in a world that is only loopback: every rule of the guard applies as
 * configured, names other than `localhost` do not resolve (ENOTFOUND, no DNS query leaves the
 * machine) and a public IP literal is unreachable (ENETUNREACH, no packet is sent). The issuers a
 * test owns on 127.0.0.1 answer as usual.
 */
import { isIpLiteral, isLoopbackName, stripBrackets } from '../../src/egress/address-policy.ts'
import { toEgressError } from '../../src/egress/errors.ts'
import { createEgressGuard, type EgressGuard, type EgressGuardOptions } from '../../src/egress/guard.ts'
import type { UrlPurpose } from '../../src/egress/url-rules.ts'

/** The network errors this world answers with; a 502 IssuerUnreachable carries one as `networkError`. */
export const OFFLINE_NETWORK_ERRORS = ['ENOTFOUND', 'ENETUNREACH'] as const

const networkError = (code: typeof OFFLINE_NETWORK_ERRORS[number], host: string) => Object.assign(new Error(`${code} ${host}`), { code })

const isLoopbackLiteral = (host: string) => /^127\.|^::1$|^::ffff:127\./.test(stripBrackets(host))

export function offlineEgress (options: EgressGuardOptions): EgressGuard {
  const guard = createEgressGuard({
    ...options,
    lookup: async host => {
      if (isLoopbackName(host)) return [{ address: '127.0.0.1', family: 4 }]
      throw networkError('ENOTFOUND', host)
    }
  })
  /**
   * IP literals never reach the lookup: the guard connects to them directly, so a public one stops
   * here, once the guard's own rules (which come first) have let it through.
   */
  const reachable = (url: string, purpose: UrlPurpose, target: string) => {
    let host: string
    try {
      host = guard.checkUrl(url, purpose).hostname
    } catch {
      return
    }
    if (isIpLiteral(host) && !isLoopbackLiteral(host)) throw toEgressError(networkError('ENETUNREACH', host), target, guard.timeoutMs)
  }
  return {
    ...guard,
    fetchJson (url, fetchOptions) {
      reachable(url, fetchOptions?.purpose ?? 'issuer', url)
      return guard.fetchJson(url, fetchOptions)
    },
    peerCertificateChain (host, port = 443) {
      const bracketed = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host
      reachable(`https://${bracketed}:${port}/`, 'resource', `${host}:${port}`)
      return guard.peerCertificateChain(host, port)
    }
  }
}
