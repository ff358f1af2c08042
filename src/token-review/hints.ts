/**
 * Hints name the likely misconfiguration behind a result, including results that authenticate
 * but probably not as intended (the `issuer#` username prefix, a groups claim that is never read).
 */
import { hasIssuerDefaultPrefix, usernameClaimOf } from './identity-mapping.ts'
import type { Claims, ClaimsCheck } from './findings.ts'
import { HintCode, ReasonCode } from '../../schemas/token-review.ts'
import { type Hint, type OidcConfig } from './types.ts'

const COGNITO_GROUPS = 'cognito:groups'
const USERNAME_CANDIDATES = ['email', 'preferred_username', 'upn', 'cognito:username', 'username', 'name', 'sub', 'oid']
const GROUPS_CANDIDATES = ['groups', COGNITO_GROUPS, 'roles']

const hint = (code: HintCode, message: string): Hint => ({ code, message })
const isStringList = (value: unknown) =>
  typeof value === 'string' || (Array.isArray(value) && value.every(v => typeof v === 'string'))

export interface HintContext {
  /** The token's `alg` header, for token reviews. */
  algorithm?: string
}

function usernameHints (config: OidcConfig, claims: Claims, check: ClaimsCheck, failed: Set<string>): Hint[] {
  const hints: Hint[] = []
  const claim = usernameClaimOf(config)
  if (check.mappedUser && hasIssuerDefaultPrefix(config)) {
    hints.push(hint(HintCode.ISSUER_PREFIXED_USERNAME,
      `The username is "${check.mappedUser.username}": with no usernamePrefix and usernameClaim "${claim}", the API server prefixes ` +
      `"${config.issuerUrl}#". Bind RBAC to that exact name, or use usernamePrefix "-" (no prefix) or a short one such as "oidc:" ` +
      '(changing a config on EKS means disassociating and associating it again).'))
  }
  if (check.usernameValue === '') {
    hints.push(hint(HintCode.EMPTY_USERNAME, `The username claim "${claim}" is empty, so every such user shares the name "${check.mappedUser?.username ?? ''}".`))
  }
  if (!failed.has(ReasonCode.USERNAME_CLAIM_MISSING)) return hints
  if (claim !== 'email' && typeof claims.email === 'string') {
    hints.push(hint(HintCode.USE_EMAIL_CLAIM,
      `The token has no "${claim}" claim but has "email"; usernameClaim "email" would make the username "${claims.email}" (no issuer prefix).`))
  }
  const candidates = USERNAME_CANDIDATES.filter(name => name !== claim && typeof claims[name] === 'string')
  if (candidates.length) {
    hints.push(hint(HintCode.USERNAME_CLAIM_CANDIDATES, `String claims that could serve as usernameClaim: ${candidates.join(', ')}.`))
  }
  return hints
}

function emailVerifiedHints (config: OidcConfig, claims: Claims): Hint[] {
  if (usernameClaimOf(config) !== 'email' || Object.hasOwn(claims, 'email_verified')) return []
  return [hint(HintCode.EMAIL_VERIFIED_ABSENT,
    'The token has no email_verified claim. Current kube-apiserver accepts that and only rejects email_verified=false; ' +
    'older versions required email_verified=true.')]
}

function groupsHints (config: OidcConfig, claims: Claims): Hint[] {
  const configured = config.groupsClaim
  const present = GROUPS_CANDIDATES.filter(name => name !== configured && isStringList(claims[name]))
  if (!configured) {
    return present.length
      ? [hint(HintCode.GROUPS_NOT_CONFIGURED,
          `The token carries ${present.join(', ')} but the config has no groupsClaim, so the user gets no groups from the token.` +
          (present.includes(COGNITO_GROUPS) ? ` For Amazon Cognito set groupsClaim "${COGNITO_GROUPS}".` : ''))]
      : []
  }
  if (Object.hasOwn(claims, configured)) return []
  const claimNames = claims._claim_names
  if (claimNames && typeof claimNames === 'object' && Object.hasOwn(claimNames, configured)) {
    return [hint(HintCode.DISTRIBUTED_GROUPS_CLAIM,
      `"${configured}" is a distributed claim (listed in _claim_names, as Azure AD does when a user has too many groups); ` +
      'the API server fetches it from the claim source endpoint, which this review does not, so groups are not shown.')]
  }
  if (present.includes(COGNITO_GROUPS)) {
    return [hint(HintCode.USE_COGNITO_GROUPS_CLAIM,
      `The token has no "${configured}" claim but has "${COGNITO_GROUPS}" (Amazon Cognito); set groupsClaim "${COGNITO_GROUPS}".`)]
  }
  return [hint(HintCode.GROUPS_CLAIM_ABSENT,
    `The token has no "${configured}" claim, so the user gets no groups from the token` +
    (present.length ? `; it does carry ${present.join(', ')}.` : '.'))]
}

function issuerHints (config: OidcConfig, claims: Claims, failed: Set<string>): Hint[] {
  if (!failed.has(ReasonCode.WRONG_ISSUER)) return []
  const hints = [hint(HintCode.WRONG_ISSUER_IGNORED,
    'With a different iss the API server does not try this identity provider at all: kubectl only sees "Unauthorized" ' +
    'and the API server logs no OIDC error.')]
  const trim = (url: string) => url.replace(/\/+$/, '')
  if (typeof claims.iss === 'string' && trim(claims.iss) === trim(config.issuerUrl)) {
    hints.push(hint(HintCode.ISSUER_TRAILING_SLASH,
      `iss "${claims.iss}" and issuerUrl "${config.issuerUrl}" differ only by a trailing slash; use the token's iss exactly as issuerUrl.`))
  }
  return hints
}

function tokenKindHints (config: OidcConfig, claims: Claims, failed: Set<string>): Hint[] {
  const looksLikeAccessToken = claims.token_use === 'access' ||
    (failed.has(ReasonCode.WRONG_AUDIENCE) && (claims.client_id === config.clientId || claims.azp === config.clientId))
  return looksLikeAccessToken
    ? [hint(HintCode.ACCESS_TOKEN_SUPPLIED,
        'This looks like an OAuth access token; the API server needs the ID token (e.g. kubelogin sends the id_token).')]
    : []
}

function validityHints (failed: Set<string>, context: HintContext): Hint[] {
  const hints: Hint[] = []
  if (failed.has(ReasonCode.EXPIRED)) {
    hints.push(hint(HintCode.TOKEN_EXPIRED_REFRESH, 'Get a fresh ID token; kubelogin refreshes it when the refresh token is still valid.'))
  }
  if (failed.has(ReasonCode.UNSUPPORTED_ALGORITHM) && context.algorithm && context.algorithm !== 'none') {
    hints.push(hint(HintCode.ONLY_RS256,
      `The token is signed with ${context.algorithm}. EKS cannot set --oidc-signing-algs, so its API server accepts RS256 only; ` +
      'make the identity provider sign ID tokens with RS256.'))
  }
  return hints
}

export function deriveHints (config: OidcConfig, claims: Claims, check: ClaimsCheck, context: HintContext = {}): Hint[] {
  const failed = new Set<string>(check.findings.map(f => f.reason.code))
  return [
    ...issuerHints(config, claims, failed),
    ...tokenKindHints(config, claims, failed),
    ...validityHints(failed, context),
    ...usernameHints(config, claims, check, failed),
    ...emailVerifiedHints(config, claims),
    ...groupsHints(config, claims)
  ]
}
