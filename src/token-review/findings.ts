/**
 * A finding is a failed check plus the error text kube-apiserver logs for it. Findings are ordered
 * the way kube-apiserver evaluates (issuer → audience → expiry → not-before → algorithm →
 * signature → username → email_verified → groups → required claims), so the first one is the
 * error a real login would stop at.
 */
import { ReasonCode } from '../../schemas/token-review.ts'
import { type Hint, type KubernetesUser, type Reason, type TokenReviewStatus } from './types.ts'

/** A token's claims, as decoded from its payload. */
export type Claims = Record<string, unknown>

export interface Finding {
  reason: Reason
  apiServerError: string
}

/** What checking the claims against a config found, and whom they map to. */
export interface ClaimsCheck {
  findings: Finding[]
  mappedUser?: KubernetesUser
  /** The raw username claim value (before prefixing), when it could be read. */
  usernameValue?: string
}

const EVALUATION_ORDER: ReasonCode[] = [
  ReasonCode.INVALID_CONFIG,
  ReasonCode.MALFORMED_TOKEN,
  ReasonCode.WRONG_ISSUER,
  ReasonCode.JWKS_UNREACHABLE,
  ReasonCode.WRONG_AUDIENCE,
  ReasonCode.EXPIRED,
  ReasonCode.NOT_YET_VALID,
  ReasonCode.UNSUPPORTED_ALGORITHM,
  ReasonCode.UNKNOWN_KEY_ID,
  ReasonCode.BAD_SIGNATURE,
  ReasonCode.USERNAME_CLAIM_MISSING,
  ReasonCode.USERNAME_CLAIM_WRONG_TYPE,
  ReasonCode.EMAIL_NOT_VERIFIED,
  ReasonCode.EMAIL_VERIFIED_WRONG_TYPE,
  ReasonCode.GROUPS_CLAIM_WRONG_TYPE,
  ReasonCode.REQUIRED_CLAIM_MISSING,
  ReasonCode.REQUIRED_CLAIM_MISMATCH,
  ReasonCode.REQUIRED_CLAIM_WRONG_TYPE
]

export function finding (code: ReasonCode, message: string, apiServerError: string, claim?: string): Finding {
  return { reason: claim === undefined ? { code, message } : { code, message, claim }, apiServerError }
}

/** Required-claim findings keep the config's order among themselves (a stable sort). */
function inEvaluationOrder (findings: Finding[]): Finding[] {
  const rank = (f: Finding) => EVALUATION_ORDER.indexOf(f.reason.code)
  const unique = findings.filter((f, i) =>
    findings.findIndex(g => g.reason.code === f.reason.code && g.reason.claim === f.reason.claim) === i)
  return unique.sort((a, b) => rank(a) - rank(b))
}

export interface StatusParts {
  findings: Finding[]
  hints: Hint[]
  mappedUser?: KubernetesUser
  clientId: string
  verified?: boolean
}

export function buildStatus ({ findings, hints, mappedUser, clientId, verified }: StatusParts): TokenReviewStatus {
  const ordered = inEvaluationOrder(findings)
  const authenticated = ordered.length === 0 && mappedUser !== undefined
  const status: TokenReviewStatus = {
    authenticated,
    reasons: ordered.map(f => f.reason),
    hints
  }
  if (authenticated) {
    status.user = mappedUser
    status.audiences = [clientId]
  } else {
    status.error = ordered[0]?.apiServerError ?? 'token was not authenticated'
  }
  if (mappedUser) status.mappedUser = mappedUser
  if (verified !== undefined) status.verified = verified
  return status
}
