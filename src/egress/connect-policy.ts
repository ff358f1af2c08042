/**
 * The checks every outbound connection passes, in the order they can be made: URL shape and IP
 * literals synchronously (literals never reach a DNS lookup), then every DNS answer inside the
 * lookup that the socket itself uses, so the address checked is the address connected to.
 */
import { lookup as dnsLookup } from 'node:dns/promises'
import type { LookupAddress, LookupOptions } from 'node:dns'
import { createAddressPolicy, isIpLiteral, isLoopbackName, stripBrackets } from './address-policy.ts'
import { egressError } from './errors.ts'
import { portProblem, urlShapeProblems } from './url-rules.ts'
import type { UrlPurpose } from './url-rules.ts'

/** Resolves a host name to all of its addresses (the shape of `dns.promises.lookup(h, { all: true })`). */
export type ResolveAll = (hostname: string) => Promise<LookupAddress[]>

type LookupCallback = (err: Error | null, address: string | LookupAddress[], family?: number) => void

/** The callback-style lookup that `net.connect`/`tls.connect` call. */
export type GuardedLookup = (hostname: string, options: LookupOptions | number, callback: LookupCallback) => void

export interface ConnectPolicyOptions {
  allowedPorts: readonly number[]
  allowList: readonly string[]
  lookup?: ResolveAll
}

export interface ConnectPolicy {
  readonly allowedPorts: readonly number[]
  /** Shape rules plus the IP-literal check; throws `issuer-url-invalid` or `issuer-address-forbidden`. */
  checkUrl (raw: string, purpose?: UrlPurpose): URL
  /** Port and IP-literal (or `localhost`) check for a bare host and port. */
  checkTarget (host: string, port: number): void
  readonly lookup: GuardedLookup
}

function requestedFamily (options: LookupOptions | number): 0 | 4 | 6 {
  const family = typeof options === 'number' ? options : options?.family
  if (family === 4 || family === 'IPv4') return 4
  if (family === 6 || family === 'IPv6') return 6
  return 0
}

const defaultResolveAll: ResolveAll = hostname => dnsLookup(hostname, { all: true, order: 'verbatim' })

export function createConnectPolicy (options: ConnectPolicyOptions): ConnectPolicy {
  const addresses = createAddressPolicy(options.allowList)
  const resolveAll = options.lookup ?? defaultResolveAll
  const allowedPorts = [...options.allowedPorts]

  function forbidden (host: string, address: string, addressClass: string) {
    const via = address === host ? address : `${host} resolves to ${address}, which`
    return egressError('addressForbidden', `${via} is a ${addressClass} address; only public unicast addresses may be contacted`,
      { host, address, addressClass })
  }

  /** IP literals and loopback names are judged before any DNS lookup. */
  function checkHost (rawHost: string): void {
    const host = stripBrackets(rawHost)
    if (isIpLiteral(host)) {
      const verdict = addresses.judge(host)
      if (!verdict.allowed) throw forbidden(host, verdict.address, verdict.addressClass)
    } else if (isLoopbackName(host) && !addresses.isHostAllowListed(host)) {
      throw forbidden(host, host, 'loopback')
    }
  }

  function checkTarget (host: string, port: number): void {
    const problem = portProblem(port, allowedPorts)
    if (problem) throw egressError('urlInvalid', problem.detail, { rule: problem.rule, port })
    checkHost(host)
  }

  function checkUrl (raw: string, purpose: UrlPurpose = 'issuer'): URL {
    const { url, problems } = urlShapeProblems(raw, { allowedPorts, purpose })
    if (!url || problems.length > 0) {
      const rules = problems.map(p => p.rule)
      throw egressError('urlInvalid', problems.map(p => `${p.rule}: ${p.detail}`).join('; '), { rule: rules[0], rules: problems })
    }
    checkHost(url.hostname)
    return url
  }

  const lookup: GuardedLookup = (hostname, lookupOptions, callback) => {
    const wanted = requestedFamily(lookupOptions)
    const all = typeof lookupOptions === 'object' && lookupOptions?.all === true
    resolveAll(hostname).then(answers => {
      // Every answer is judged, not only the one used: a name with one private answer is refused.
      for (const answer of answers) {
        const verdict = addresses.judge(answer.address, hostname)
        if (!verdict.allowed) throw forbidden(hostname, verdict.address, verdict.addressClass)
      }
      const usable = answers.filter(a => wanted === 0 || a.family === wanted)
      if (usable.length === 0) throw Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' })
      if (all) callback(null, usable)
      else callback(null, usable[0].address, usable[0].family)
    }).catch((err: Error) => callback(err, ''))
  }

  return { allowedPorts, checkUrl, checkTarget, lookup }
}
