/**
 * Shapes shared by the token-review modules. The status mirrors a Kubernetes TokenReview status
 * (`authenticated`, `user`, `audiences`, `error`) and adds the diagnosis: every failed check as a
 * reason with a stable code, and hints about likely misconfigurations.
 */

/** The fields of an EKS OIDC identity provider config that decide how a token maps to a user. */
export interface OidcConfig {
  identityProviderConfigName?: string
  issuerUrl: string
  clientId: string
  usernameClaim?: string
  usernamePrefix?: string
  groupsClaim?: string
  groupsPrefix?: string
  requiredClaims?: Record<string, string>
}

/** Stable reason codes; clients may switch on them. */
export const ReasonCode = {
  INVALID_CONFIG: 'invalid_config',
  MALFORMED_TOKEN: 'malformed_token',
  WRONG_ISSUER: 'wrong_issuer',
  JWKS_UNREACHABLE: 'jwks_unreachable',
  WRONG_AUDIENCE: 'wrong_audience',
  EXPIRED: 'expired',
  NOT_YET_VALID: 'not_yet_valid',
  UNSUPPORTED_ALGORITHM: 'unsupported_algorithm',
  UNKNOWN_KEY_ID: 'unknown_key_id',
  BAD_SIGNATURE: 'bad_signature',
  USERNAME_CLAIM_MISSING: 'username_claim_missing',
  USERNAME_CLAIM_WRONG_TYPE: 'username_claim_wrong_type',
  EMAIL_NOT_VERIFIED: 'email_not_verified',
  EMAIL_VERIFIED_WRONG_TYPE: 'email_verified_wrong_type',
  GROUPS_CLAIM_WRONG_TYPE: 'groups_claim_wrong_type',
  REQUIRED_CLAIM_MISSING: 'required_claim_missing',
  REQUIRED_CLAIM_MISMATCH: 'required_claim_mismatch',
  REQUIRED_CLAIM_WRONG_TYPE: 'required_claim_wrong_type'
} as const
export type ReasonCode = typeof ReasonCode[keyof typeof ReasonCode]

/** Stable hint codes. */
export const HintCode = {
  ISSUER_PREFIXED_USERNAME: 'issuer_prefixed_username',
  USE_EMAIL_CLAIM: 'use_email_claim',
  USERNAME_CLAIM_CANDIDATES: 'username_claim_candidates',
  EMPTY_USERNAME: 'empty_username',
  EMAIL_VERIFIED_ABSENT: 'email_verified_absent',
  USE_COGNITO_GROUPS_CLAIM: 'use_cognito_groups_claim',
  GROUPS_CLAIM_ABSENT: 'groups_claim_absent',
  GROUPS_NOT_CONFIGURED: 'groups_not_configured',
  DISTRIBUTED_GROUPS_CLAIM: 'distributed_groups_claim',
  ISSUER_TRAILING_SLASH: 'issuer_trailing_slash',
  WRONG_ISSUER_IGNORED: 'wrong_issuer_ignored',
  ACCESS_TOKEN_SUPPLIED: 'access_token_supplied',
  ONLY_RS256: 'only_rs256',
  TOKEN_EXPIRED_REFRESH: 'token_expired_refresh'
} as const
export type HintCode = typeof HintCode[keyof typeof HintCode]

export interface Reason {
  code: ReasonCode
  /** What failed and how to fix it, in words. */
  message: string
  /** The claim the check looked at, when there is one. */
  claim?: string
}

export interface Hint {
  code: HintCode
  message: string
}

export interface KubernetesUser {
  username: string
  groups: string[]
  extra?: Record<string, string[]>
}

export interface TokenReviewStatus {
  /** True when kube-apiserver would accept the token with this config. */
  authenticated: boolean
  /** The authenticated user, exactly as the API server (and RBAC) sees it; only when authenticated. */
  user?: KubernetesUser
  /** The identity the claims map to, present even when other checks fail (e.g. an expired token). */
  mappedUser?: KubernetesUser
  /** Audiences the token was accepted for (the config's clientId); only when authenticated. */
  audiences?: string[]
  /** The error kube-apiserver reports first, in its own evaluation order; absent when authenticated. */
  error?: string
  /** Every failed check, in kube-apiserver's evaluation order. */
  reasons: Reason[]
  hints: Hint[]
  /**
   * Only for token reviews: whether the signature was verified against the issuer's keys. When
   * false, the claim checks ran on the unverified payload, for diagnosis only.
   */
  verified?: boolean
}

/** Port: loads the issuer's JWKS (discovery document → `jwks_uri`). Wired to the SSRF-guarded fetch. */
export type FetchJwks = (issuerUrl: string) => Promise<unknown>
