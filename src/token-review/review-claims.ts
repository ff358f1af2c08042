/**
 * Applies an EKS OIDC identity provider config to a token's claims the way kube-apiserver's OIDC
 * authenticator does (legacy `--oidc-*` flags, go-oidc v2 verifier), but reports every failed
 * check instead of stopping at the first.
 *
 * Semantics kept on purpose, because they decide real logins:
 * - `iss` must equal `issuerUrl` exactly (the only exception: `accounts.google.com` for Google);
 * - `aud` may be a string or an array and must contain `clientId`;
 * - `exp` is required and has no leeway (expired when exp < now); `nbf` has one minute of leeway;
 * - claims are decoded like Go's encoding/json: JSON `null` reads as the empty value, other wrong
 *   types fail;
 * - with `usernameClaim: email`, a present `email_verified` must be `true` (`false` and `null`
 *   reject); an ABSENT `email_verified` is accepted, as in current kube-apiserver;
 * - groups are a string or an array of strings; an absent groups claim gives no groups;
 * - required claims must be present strings equal to the configured values;
 * - the authenticated user also gets the `system:authenticated` group, which the API server adds
 *   to every authenticated request (it shows in real TokenReview answers).
 */
import { configProblems, kubernetesGroup, kubernetesUsername, usernameClaimOf } from './identity-mapping.ts'
import { buildStatus, finding, type Claims, type ClaimsCheck, type Finding } from './findings.ts'
import { deriveHints } from './hints.ts'
import { ReasonCode } from '../../schemas/token-review.ts'
import { type OidcConfig, type TokenReviewStatus } from './types.ts'

export const NOT_BEFORE_LEEWAY_SECONDS = 60
export const AUTHENTICATED_GROUP = 'system:authenticated'
const GOOGLE_ISSUER = 'https://accounts.google.com'
const GOOGLE_ISSUER_WITHOUT_SCHEME = 'accounts.google.com'

export interface ReviewClaimsOptions {
  /** The moment to judge `exp` and `nbf` against. Default: now. */
  now?: Date
}

/** The JSON type name Go's encoding/json uses in its errors. */
export function goJsonType (value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'boolean') return 'bool'
  return typeof value
}

const cannotUnmarshal = (value: unknown, goType: string) =>
  `json: cannot unmarshal ${goJsonType(value)} into Go value of type ${goType}`

const has = (claims: Claims, name: string) => Object.hasOwn(claims, name)

/** A claim Go decodes into a string: a string or null (read as ''), or undefined for anything else. */
function asGoString (value: unknown): string | undefined {
  if (value === null) return ''
  return typeof value === 'string' ? value : undefined
}

/** A claim Go decodes into []string or a single string (kube's stringOrArray). */
function asStringOrArray (value: unknown): string[] | undefined {
  if (value === null) return []
  if (typeof value === 'string') return [value]
  if (!Array.isArray(value)) return undefined
  const items = value.map(asGoString)
  return items.every(item => item !== undefined) ? items as string[] : undefined
}

/** go-oidc rounds NumericDate values down to whole seconds. */
const epochMillis = (seconds: number) => Math.trunc(seconds) * 1000

/** The time an epoch-seconds claim names; one beyond what a date can hold (±275,760 years) is quoted as sent. */
function instantOf (seconds: number): string {
  const date = new Date(epochMillis(seconds))
  return Number.isNaN(date.getTime()) ? `epoch second ${seconds}` : date.toISOString()
}

function checkConfig (config: OidcConfig): Finding[] {
  return configProblems(config).map(problem =>
    finding(ReasonCode.INVALID_CONFIG, `The config is not valid: ${problem}.`, `EKS refuses this config: ${problem}`))
}

/** go-oidc decodes these claims into typed fields; a wrong JSON type fails the whole token. */
function checkRegisteredClaimTypes (claims: Claims): Finding[] {
  const rules: Array<[string, string, (v: unknown) => boolean]> = [
    ['sub', 'string', v => asGoString(v) !== undefined],
    ['aud', 'string or array of strings', v => asStringOrArray(v) !== undefined],
    ['exp', 'number', v => typeof v === 'number' && Number.isFinite(v)],
    ['iat', 'number', v => typeof v === 'number' && Number.isFinite(v)],
    ['nbf', 'number', v => v === null || (typeof v === 'number' && Number.isFinite(v))],
    ['nonce', 'string', v => asGoString(v) !== undefined],
    ['at_hash', 'string', v => asGoString(v) !== undefined]
  ]
  return rules
    .filter(([name, , valid]) => has(claims, name) && !valid(claims[name]))
    .map(([name, expected]) => finding(
      ReasonCode.MALFORMED_TOKEN,
      `Claim "${name}" must be a ${expected}, not ${goJsonType(claims[name])}; the API server cannot decode the token.`,
      `oidc: verify token: oidc: failed to unmarshal claims: ${cannotUnmarshal(claims[name], expected === 'number' ? 'jsonTime' : 'string')}`,
      name))
}

function checkIssuer (config: OidcConfig, claims: Claims): Finding[] {
  const iss = claims.iss
  if (iss === config.issuerUrl) return []
  if (config.issuerUrl === GOOGLE_ISSUER && iss === GOOGLE_ISSUER_WITHOUT_SCHEME) return []
  const shown = typeof iss === 'string' ? `"${iss}"` : has(claims, 'iss') ? `a ${goJsonType(iss)}` : 'absent'
  return [finding(
    ReasonCode.WRONG_ISSUER,
    `The token's iss is ${shown}, but the config's issuerUrl is "${config.issuerUrl}"; they must be equal character for character.`,
    'Unauthorized: the OIDC authenticator ignored the token because its iss claim does not match the issuer URL',
    'iss')]
}

function checkAudience (config: OidcConfig, claims: Claims): Finding[] {
  const audiences = has(claims, 'aud') ? asStringOrArray(claims.aud) : []
  if (audiences === undefined || audiences.includes(config.clientId)) return []
  const got = `[${audiences.map(a => JSON.stringify(a)).join(' ')}]`
  return [finding(
    ReasonCode.WRONG_AUDIENCE,
    `The token's aud ${audiences.length ? `is ${got}` : 'is absent'} and does not contain the config's clientId "${config.clientId}".`,
    `oidc: verify token: oidc: expected audience "${config.clientId}" got ${got}`,
    'aud')]
}

function checkValidity (claims: Claims, now: Date): Finding[] {
  const findings: Finding[] = []
  if (!has(claims, 'exp')) {
    findings.push(finding(ReasonCode.EXPIRED, 'The token has no exp claim; the API server treats that as expired.',
      'oidc: verify token: oidc: token is expired (Token Expiry: 0001-01-01 00:00:00 +0000 UTC)', 'exp'))
  } else if (typeof claims.exp === 'number' && Number.isFinite(claims.exp) && epochMillis(claims.exp) < now.getTime()) {
    const expiry = instantOf(claims.exp)
    findings.push(finding(ReasonCode.EXPIRED, `The token expired at ${expiry} (checked at ${now.toISOString()}).`,
      `oidc: verify token: oidc: token is expired (Token Expiry: ${expiry})`, 'exp'))
  }
  if (typeof claims.nbf === 'number' && Number.isFinite(claims.nbf) &&
      now.getTime() + NOT_BEFORE_LEEWAY_SECONDS * 1000 < epochMillis(claims.nbf)) {
    const notBefore = instantOf(claims.nbf)
    findings.push(finding(ReasonCode.NOT_YET_VALID,
      `The token is not valid before ${notBefore}, more than ${NOT_BEFORE_LEEWAY_SECONDS} s after ${now.toISOString()}; check the clocks.`,
      `oidc: verify token: oidc: current time ${now.toISOString()} before the nbf (not before) time: ${notBefore}`, 'nbf'))
  }
  return findings
}

function readUsername (config: OidcConfig, claims: Claims): { value?: string, findings: Finding[] } {
  const name = usernameClaimOf(config)
  if (!has(claims, name)) {
    return {
      findings: [finding(ReasonCode.USERNAME_CLAIM_MISSING, `The username claim "${name}" is not in the token.`,
        `oidc: parse username claims "${name}": claim not present`, name)]
    }
  }
  const value = asGoString(claims[name])
  if (value !== undefined) return { value, findings: [] }
  return {
    findings: [finding(ReasonCode.USERNAME_CLAIM_WRONG_TYPE,
      `The username claim "${name}" is a ${goJsonType(claims[name])}; it must be a string.`,
      `oidc: parse username claims "${name}": ${cannotUnmarshal(claims[name], 'string')}`, name)]
  }
}

function checkEmailVerified (config: OidcConfig, claims: Claims): Finding[] {
  if (usernameClaimOf(config) !== 'email' || !has(claims, 'email_verified')) return []
  const verified = claims.email_verified
  if (verified === true) return []
  if (verified === false || verified === null) {
    return [finding(ReasonCode.EMAIL_NOT_VERIFIED,
      `The username claim is "email" and email_verified is ${String(verified)}; the API server only accepts verified addresses.`,
      'oidc: email not verified', 'email_verified')]
  }
  return [finding(ReasonCode.EMAIL_VERIFIED_WRONG_TYPE,
    `email_verified is a ${goJsonType(verified)}; the API server needs a JSON boolean (true).`,
    `oidc: parse 'email_verified' claim: ${cannotUnmarshal(verified, 'bool')}`, 'email_verified')]
}

function readGroups (config: OidcConfig, claims: Claims): { groups: string[], findings: Finding[] } {
  const name = config.groupsClaim
  if (!name || !has(claims, name)) return { groups: [], findings: [] }
  const groups = asStringOrArray(claims[name])
  if (groups !== undefined) return { groups: groups.map(g => kubernetesGroup(config, g)), findings: [] }
  return {
    groups: [],
    findings: [finding(ReasonCode.GROUPS_CLAIM_WRONG_TYPE,
      `The groups claim "${name}" is a ${goJsonType(claims[name])}${Array.isArray(claims[name]) ? ' with non-string members' : ''}; it must be a string or an array of strings.`,
      `oidc: parse groups claim "${name}": ${cannotUnmarshal(claims[name], 'string')}`, name)]
  }
}

function checkRequiredClaims (config: OidcConfig, claims: Claims): Finding[] {
  return Object.entries(config.requiredClaims ?? {}).flatMap(([name, wanted]) => {
    if (!has(claims, name)) {
      return [finding(ReasonCode.REQUIRED_CLAIM_MISSING, `Required claim "${name}" is not in the token.`,
        `oidc: required claim ${name} not present in ID token`, name)]
    }
    const got = asGoString(claims[name])
    if (got === undefined) {
      return [finding(ReasonCode.REQUIRED_CLAIM_WRONG_TYPE,
        `Required claim "${name}" is a ${goJsonType(claims[name])}; only string values can match.`,
        `oidc: parse claim ${name}: ${cannotUnmarshal(claims[name], 'string')}`, name)]
    }
    if (got === wanted) return []
    return [finding(ReasonCode.REQUIRED_CLAIM_MISMATCH, `Required claim "${name}" is "${got}", not "${wanted}".`,
      `oidc: required claim ${name} value does not match. Got = ${got}, want = ${wanted}`, name)]
  })
}

/** Every check on the claims, without hints; reviewToken merges these with its signature findings. */
export function checkClaims (config: OidcConfig, claims: Claims, now: Date): ClaimsCheck {
  const username = readUsername(config, claims)
  const groups = readGroups(config, claims)
  const findings = [
    ...checkConfig(config),
    ...checkRegisteredClaimTypes(claims),
    ...checkIssuer(config, claims),
    ...checkAudience(config, claims),
    ...checkValidity(claims, now),
    ...username.findings,
    ...checkEmailVerified(config, claims),
    ...groups.findings,
    ...checkRequiredClaims(config, claims)
  ]
  if (username.value === undefined) return { findings }
  return {
    findings,
    usernameValue: username.value,
    mappedUser: {
      username: kubernetesUsername(config, username.value),
      groups: [...groups.groups, AUTHENTICATED_GROUP]
    }
  }
}

export function reviewClaims (config: OidcConfig, claims: Claims, options: ReviewClaimsOptions = {}): TokenReviewStatus {
  const check = checkClaims(config, claims, options.now ?? new Date())
  return buildStatus({
    findings: check.findings,
    hints: deriveHints(config, claims, check),
    mappedUser: check.mappedUser,
    clientId: config.clientId
  })
}
