/**
 * Shapes shared by the token-review modules. The status mirrors a Kubernetes TokenReview status
 * (`authenticated`, `user`, `audiences`, `error`) and adds the diagnosis: every failed check as a
 * reason with a stable code, and hints about likely misconfigurations.
 */
import type { HintCode, ReasonCode } from '../../schemas/token-review.ts'

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
