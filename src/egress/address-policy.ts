/**
 * Which IP addresses an outbound connection to a caller-supplied host may reach: public unicast
 * only, judged after unwrapping IPv4-mapped addresses and the IPv4 embedded in NAT64, 6to4 and
 * Teredo addresses. The allow-list (CIDRs, single addresses or exact host names) is the only way
 * around these rules; it is empty in production and used by tests and the sandbox.
 */
import { isIP } from 'node:net'
import ipaddr from 'ipaddr.js'

type Address = ipaddr.IPv4 | ipaddr.IPv6

/** Why an address is refused, e.g. `loopback` or `nat64 embedding cloud-metadata (169.254.169.254)`. */
export interface AddressVerdict {
  address: string
  allowed: boolean
  addressClass: string
}

const METADATA_ADDRESSES = new Set(['169.254.169.254', 'fd00:ec2::254'])

/** `localhost` and `*.localhost` are loopback by definition (RFC 6761), whatever DNS says. */
export function isLoopbackName (host: string): boolean {
  const name = stripTrailingDot(host.toLowerCase())
  return name === 'localhost' || name.endsWith('.localhost')
}

export function stripTrailingDot (host: string): string {
  return host.endsWith('.') ? host.slice(0, -1) : host
}

/** `[::1]` → `::1`; other hosts unchanged. */
export function stripBrackets (host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
}

export function isIpLiteral (host: string): boolean {
  return isIP(stripBrackets(host)) !== 0
}

const RANGE_NAMES: Record<string, string> = { rfc6052: 'nat64', rfc6145: 'ipv4-translated', '6to4': '6to4', teredo: 'teredo' }

/** ipaddr.js range name → the class named in errors, e.g. `carrierGradeNat` → `carrier-grade-nat`. */
function kebab (rangeName: string): string {
  return RANGE_NAMES[rangeName] ?? rangeName.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()
}

function fromParts (high: number, low: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff])
}

/** The IPv4 addresses an IPv6 transition address routes to, or undefined for other addresses. */
function embeddedIPv4 (address: ipaddr.IPv6, range: string): ipaddr.IPv4[] | undefined {
  const p = address.parts
  // Only the well-known NAT64 prefix 64:ff9b::/96 embeds the IPv4 in the last 32 bits; the
  // local-use prefix 64:ff9b:1::/48 is private by definition and falls through to a refusal.
  if (range === 'rfc6052' && p[2] === 0 && p[3] === 0 && p[4] === 0 && p[5] === 0) return [fromParts(p[6], p[7])]
  if (range === '6to4') return [fromParts(p[1], p[2])]
  // Teredo: server IPv4 in bits 32–63, client IPv4 inverted in the last 32 bits.
  if (range === 'teredo') return [fromParts(p[2], p[3]), fromParts(p[6] ^ 0xffff, p[7] ^ 0xffff)]
  return undefined
}

function classify (address: Address): string {
  const text = address.toString()
  if (METADATA_ADDRESSES.has(text)) return 'cloud-metadata'
  if (address.kind() === 'ipv4') return kebab(address.range())
  const v6 = address as ipaddr.IPv6
  const range = v6.range()
  // ::a.b.c.d (deprecated IPv4-compatible) is not in ipaddr.js's table and would pass as unicast.
  if (range === 'unicast' && v6.parts.slice(0, 6).every(part => part === 0)) return 'ipv4-compatible'
  const embedded = embeddedIPv4(v6, range)
  if (embedded) {
    const refused = embedded.map(classify).find(c => c !== 'unicast')
    return refused ? `${kebab(range)} embedding ${refused}` : 'unicast'
  }
  return kebab(range)
}

/** Parses any spelling of an address (brackets, IPv4-mapped) into its canonical form. */
export function parseAddress (text: string): Address {
  const parsed = ipaddr.parse(stripBrackets(text))
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    return (parsed as ipaddr.IPv6).toIPv4Address()
  }
  return parsed
}

/** Public unicast or not, ignoring any allow-list. */
export function classifyAddress (text: string): AddressVerdict {
  const address = parseAddress(text)
  const addressClass = classify(address)
  return { address: address.toString(), allowed: addressClass === 'unicast', addressClass }
}

export interface AddressPolicy {
  /** Verdict for an address reached through `host` (allow-listed host names pass every address). */
  judge (address: string, host?: string): AddressVerdict
  isHostAllowListed (host: string): boolean
}

export function createAddressPolicy (allowList: readonly string[] = []): AddressPolicy {
  const ranges: Array<[Address, number]> = []
  const hosts = new Set<string>()
  for (const raw of allowList) {
    const entry = raw.trim()
    if (entry === '') continue
    if (ipaddr.isValidCIDR(entry)) {
      const [address, bits] = ipaddr.parseCIDR(entry)
      ranges.push([address, bits])
    } else if (ipaddr.isValid(stripBrackets(entry))) {
      const address = parseAddress(entry)
      ranges.push([address, address.kind() === 'ipv4' ? 32 : 128])
    } else if (/^[a-z0-9.-]+$/i.test(entry)) {
      hosts.add(stripTrailingDot(entry.toLowerCase()))
    } else {
      throw new Error(`egress allow-list entry is neither a CIDR, an address nor a host name: ${entry}`)
    }
  }

  const isHostAllowListed = (host: string) => hosts.has(stripTrailingDot(stripBrackets(host).toLowerCase()))

  const inAllowedRange = (address: Address) =>
    ranges.some(([base, bits]) => base.kind() === address.kind() && address.match(base, bits))

  return {
    isHostAllowListed,
    judge (text, host) {
      const verdict = classifyAddress(text)
      if (verdict.allowed) return verdict
      if ((host !== undefined && isHostAllowListed(host)) || inAllowedRange(parseAddress(text))) {
        return { ...verdict, allowed: true }
      }
      return verdict
    }
  }
}
