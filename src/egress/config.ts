/**
 * Turns the service's validated config values into guard options. Only server.ts reads the
 * environment; this function receives plain values and fails fast on malformed ones.
 */
import { readFileSync } from 'node:fs'
import { createAddressPolicy } from './address-policy.ts'
import type { EgressGuardOptions } from './guard.ts'

export interface EgressConfig {
  /** Comma-separated CIDRs, addresses or host names exempt from the address rules. Default ''. */
  EGRESS_ALLOW_LIST?: string
  /** Comma-separated ports. Default '443'. */
  EGRESS_ALLOWED_PORTS?: string
  /** Path of a PEM file with extra trusted CA certificates (e.g. the emulator's root). */
  EGRESS_CA_FILE?: string
  EGRESS_TIMEOUT_MS?: number
  EGRESS_MAX_BODY_BYTES?: number
}

export interface EgressSetup {
  options: EgressGuardOptions
  /** Things worth a warning in the boot log (a non-empty allow-list weakens the guard). */
  warnings: string[]
}

const list = (value: string | undefined) => (value ?? '').split(',').map(s => s.trim()).filter(Boolean)

/** The ports of `EGRESS_ALLOWED_PORTS` (comma-separated; default 443); throws on one that is not a port. */
export function allowedPortsFrom (text: string | undefined): number[] {
  const portTexts = list(text)
  const allowedPorts = portTexts.length === 0 ? [443] : portTexts.map(Number)
  const badPort = portTexts.find((text, i) => !Number.isInteger(allowedPorts[i]) || allowedPorts[i] < 1 || allowedPorts[i] > 65535)
  if (badPort !== undefined) throw new Error(`EGRESS_ALLOWED_PORTS: not a port: ${badPort}`)
  return allowedPorts
}

export function egressGuardOptionsFromConfig (config: EgressConfig, readFile: (path: string) => string = p => readFileSync(p, 'utf8')): EgressSetup {
  const allowList = list(config.EGRESS_ALLOW_LIST)
  createAddressPolicy(allowList) // throws on an entry that is neither CIDR, address nor host name
  const allowedPorts = allowedPortsFrom(config.EGRESS_ALLOWED_PORTS)
  const extraCaPem = config.EGRESS_CA_FILE ? readFile(config.EGRESS_CA_FILE) : undefined
  if (extraCaPem !== undefined && !extraCaPem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new Error(`EGRESS_CA_FILE: ${config.EGRESS_CA_FILE} holds no PEM certificate`)
  }
  const warnings: string[] = []
  if (allowList.length > 0) warnings.push(`egress allow-list is not empty (${allowList.join(', ')}): these bypass the SSRF address rules`)
  if (allowedPorts.some(p => p !== 443)) warnings.push(`egress allows ports other than 443: ${allowedPorts.join(', ')}`)
  return {
    options: {
      allowList,
      allowedPorts,
      ...(extraCaPem ? { extraCaPem } : {}),
      ...(config.EGRESS_TIMEOUT_MS !== undefined ? { timeoutMs: config.EGRESS_TIMEOUT_MS } : {}),
      ...(config.EGRESS_MAX_BODY_BYTES !== undefined ? { maxBodyBytes: config.EGRESS_MAX_BODY_BYTES } : {})
    },
    warnings
  }
}
