/**
 * The issuer URL rule, the one every route applies (as the `issuer-url` format of the schemas),
 * and pure helpers for issuer URLs: normalisation for comparisons (IAM returns `Url` without a
 * scheme; a cluster's issuer carries one) and the discovery URL.
 */
import { ISSUER_URL_MAX_LENGTH } from '../../schemas/issuer-url.ts'
import { urlShapeProblems } from '../egress/url-rules.ts'
import type { UrlProblem } from '../egress/url-rules.ts'

export type { UrlProblem }

export interface IssuerUrlRuleOptions {
  /** Ports an issuer may name; the egress guard's (default [443]). */
  allowedPorts?: readonly number[]
}

const DISCOVERY_SUFFIX = '/.well-known/openid-configuration'
const SCHEME_PREFIX = 'https://'
/** Whitespace and controls: the WHATWG parser strips, drops or percent-encodes them without a word. */
const WHITESPACE_OR_CONTROL = /[\s\p{Cc}]/u
/** The authority of a special URL ends at the first of these. */
const AUTHORITY_END = /[/?#\\]/

/**
 * What the raw string breaks although its parsed form looks fine. An issuer is compared as a
 * string (tokens carry it as `iss`, EKS requires it to begin with `https://`), so the string must
 * say what the parser reads: `https:x` or `HTTPS://x` parse as `https://x/`, a tab is dropped, a
 * lone surrogate becomes U+FFFD, and an empty `@` disappears (Go's parser, which kube-apiserver
 * uses, still sees userinfo there).
 */
function rawStringProblems (raw: string): UrlProblem[] {
  const problems: UrlProblem[] = []
  if (!raw.isWellFormed()) problems.push({ rule: 'well-formed', detail: 'must be well-formed Unicode (the parser replaces a lone surrogate)' })
  if (WHITESPACE_OR_CONTROL.test(raw)) problems.push({ rule: 'no-whitespace', detail: 'must not contain whitespace or control characters' })
  if (!raw.startsWith(SCHEME_PREFIX)) {
    problems.push({ rule: 'https', detail: `must begin with ${SCHEME_PREFIX} exactly` })
  } else if (raw.slice(SCHEME_PREFIX.length).split(AUTHORITY_END)[0].includes('@')) {
    problems.push({ rule: 'no-userinfo', detail: 'must not carry a user name or password' })
  }
  return problems
}

/**
 * The issuer URL rule, as `{ rule, detail }` (empty when the URL is acceptable): `length`, `url`
 * (the WHATWG parser refuses it), `https`, `well-formed`, `no-whitespace`, `no-userinfo`, `port`,
 * `no-query`, `no-fragment`, and `issuer-not-discovery-document` (the issuer is the level above
 * `/.well-known/openid-configuration`, a common copy-paste mistake that EKS only reports later).
 */
export function issuerUrlProblems (raw: string, options: IssuerUrlRuleOptions = {}): UrlProblem[] {
  if (raw.length > ISSUER_URL_MAX_LENGTH) return [{ rule: 'length', detail: `must be at most ${ISSUER_URL_MAX_LENGTH} characters` }]
  const { url, problems } = urlShapeProblems(raw, { allowedPorts: options.allowedPorts, purpose: 'issuer' })
  if (!url) return problems
  for (const problem of rawStringProblems(raw)) {
    if (!problems.some(p => p.rule === problem.rule)) problems.push(problem)
  }
  if (url.pathname.replace(/\/+$/, '').endsWith(DISCOVERY_SUFFIX)) {
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

/** Compares issuers as IAM and EKS do: scheme-less, default port and trailing slash ignored. */
export function sameIssuer (a: string, b: string): boolean {
  return normaliseIssuer(a) === normaliseIssuer(b)
}

/** OpenID Connect Discovery 1.0 §4: strip a trailing slash, then append the well-known path. */
export function discoveryUrl (issuerUrl: string): string {
  return issuerUrl.replace(/\/+$/, '') + DISCOVERY_SUFFIX
}
