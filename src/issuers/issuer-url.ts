/**
 * Pure helpers for issuer URLs: the shape rules EKS and IAM apply, normalisation for comparisons
 * (IAM returns `Url` without a scheme; a cluster's issuer carries one), and the discovery URL.
 */
import { urlShapeProblems } from '../egress/url-rules.ts'
import type { UrlProblem } from '../egress/url-rules.ts'

export type { UrlProblem }

const DISCOVERY_SUFFIX = '/.well-known/openid-configuration'

/**
 * Shape rules for an issuer URL, as `{ rule, detail }`: `url`, `https`, `no-userinfo`, `port`,
 * `no-query`, `no-fragment`, plus `issuer-not-discovery-document` (the issuer is the level above
 * `/.well-known/openid-configuration`, a common copy-paste mistake that EKS only reports later).
 */
export function issuerUrlProblems (url: string, options: { allowedPorts?: readonly number[] } = {}): UrlProblem[] {
  const { url: parsed, problems } = urlShapeProblems(url, { allowedPorts: options.allowedPorts, purpose: 'issuer' })
  if (parsed?.pathname.replace(/\/+$/, '').endsWith(DISCOVERY_SUFFIX)) {
    problems.push({ rule: 'issuer-not-discovery-document', detail: `must name the issuer, not its ${DISCOVERY_SUFFIX} document` })
  }
  return problems
}

/**
 * `host[:port]/path` with a lower-case host, no scheme, no `:443`, no trailing slash, no query or
 * fragment; accepts IAM's scheme-less form. Two issuers are the same iff their normal forms are.
 */
export function normaliseIssuer (url: string): string {
  const trimmed = url.trim()
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`
  try {
    const parsed = new URL(withScheme)
    const port = parsed.port === '' || parsed.port === '443' ? '' : `:${parsed.port}`
    return `${parsed.hostname}${port}${parsed.pathname}`.replace(/\/+$/, '')
  } catch {
    return trimmed.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/+$/, '')
  }
}

/** OpenID Connect Discovery 1.0 §4: strip a trailing slash, then append the well-known path. */
export function discoveryUrl (issuerUrl: string): string {
  return issuerUrl.replace(/\/+$/, '') + DISCOVERY_SUFFIX
}
