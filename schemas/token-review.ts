/**
 * Request and response bodies of the token-review routes:
 * POST …/identity-provider-configs/:configName/token-reviews, POST …/:configName/preview and
 * GET …/:configName/rbac.
 */

import { Type, type Static } from 'typebox'
import { Ref } from './common.ts'
import { OidcIdentityProviderConfigRequest } from './eks.ts'

/** Longest raw ID token a review accepts. */
export const MAX_TOKEN_LENGTH = 16 * 1024

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

const Token = Type.String({
  minLength: 1,
  maxLength: MAX_TOKEN_LENGTH,
  description: 'The raw OIDC ID token (compact JWT) as kubectl would send it. It is verified, never stored, logged or returned.'
})

const Claims = Type.Record(Type.String(), Type.Unknown(), {
  description: 'Decoded ID-token claims to judge without a signature check, e.g. `{"iss": "https://idp.example.com", "sub": "abc", "aud": "kubernetes", "exp": 1893456000}`.'
})

const ProposedConfig = Ref(OidcIdentityProviderConfigRequest, { description: 'The config you are about to associate: the `oidc` member of the associate body.' })

export const TokenReviewRequest = Type.Union([
  Type.Object({ token: Token }, { additionalProperties: false, description: 'Review a raw ID token: signature and claims.' }),
  Type.Object({ claims: Claims }, { additionalProperties: false, description: 'Review decoded claims only (no signature check).' })
], { $id: 'TokenReviewRequest', description: 'Exactly one of `token` or `claims`.' })

export const PreviewRequest = Type.Union([
  Type.Object({ oidc: ProposedConfig, token: Token }, { additionalProperties: false, description: 'Preview with a raw ID token.' }),
  Type.Object({ oidc: ProposedConfig, claims: Claims }, { additionalProperties: false, description: 'Preview with decoded claims.' })
], { $id: 'PreviewRequest', description: 'A config you are about to associate (the associate body\'s `oidc`) plus exactly one of `token` or `claims`: what identity would this login get?' })

const KubernetesUser = Type.Object({
  username: Type.String({ description: 'The Kubernetes username, prefixes applied, exactly as RBAC sees it.' }),
  groups: Type.Array(Type.String(), { description: 'The Kubernetes groups, groupsPrefix applied, plus `system:authenticated` which the API server adds to every authenticated user.' }),
  extra: Type.Optional(Type.Record(Type.String(), Type.Array(Type.String()), { description: 'Extra user attributes (none for EKS OIDC configs).' }))
}, { additionalProperties: false })

export const TokenReviewReason = Type.Object({
  code: Type.Enum(Object.values(ReasonCode), { description: 'Stable code of the failed check.' }),
  message: Type.String({ description: 'What failed and how to fix it.' }),
  claim: Type.Optional(Type.String({ description: 'The claim the check looked at.' }))
}, { additionalProperties: false, description: 'One failed check.' })

export const TokenReviewHint = Type.Object({
  code: Type.Enum(Object.values(HintCode), { description: 'Stable code of the hint.' }),
  message: Type.String({ description: 'The likely misconfiguration and the fix.' })
}, { additionalProperties: false, description: 'A likely misconfiguration behind the result.' })

export const TokenReviewStatus = Type.Object({
  authenticated: Type.Boolean({ description: 'Whether kube-apiserver would accept the token with this config.' }),
  user: Type.Optional(Type.Object(KubernetesUser.properties, { additionalProperties: false, description: 'The authenticated user; only when `authenticated`.' })),
  mappedUser: Type.Optional(Type.Object(KubernetesUser.properties, { additionalProperties: false, description: 'The identity the claims map to, even when other checks fail (e.g. the token expired).' })),
  audiences: Type.Optional(Type.Array(Type.String(), { description: 'Audiences the token was accepted for (the clientId); only when `authenticated`.' })),
  error: Type.Optional(Type.String({ description: 'The error kube-apiserver would report first, in its own words; absent when authenticated.' })),
  reasons: Type.Array(TokenReviewReason, { description: 'Every failed check, in the order kube-apiserver evaluates them; empty when authenticated.' }),
  hints: Type.Array(TokenReviewHint, { description: 'Likely misconfigurations, also for logins that succeed but not as intended.' }),
  verified: Type.Optional(Type.Boolean({ description: 'Token reviews only: whether the signature verified against the issuer\'s keys. When false, claim verdicts come from the unverified payload, for diagnosis only.' }))
}, { $id: 'TokenReviewStatus', additionalProperties: false, description: 'A Kubernetes TokenReview-shaped status with the full diagnosis.' })

export const RbacQuery = Type.Object({
  group: Type.Optional(Type.String({ minLength: 1, maxLength: 1024, description: 'Group as the identity provider sends it (groupsPrefix is added for you). Give exactly one of `group` and `user`.' })),
  user: Type.Optional(Type.String({ minLength: 1, maxLength: 1024, description: 'Username claim value as the identity provider sends it (the username prefix is added for you).' })),
  clusterRole: Type.String({ minLength: 1, maxLength: 253, description: 'ClusterRole to grant, e.g. `view`, `edit` or `cluster-admin`.' }),
  namespace: Type.Optional(Type.String({ minLength: 1, maxLength: 63, pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', description: 'Namespace for a RoleBinding; without it a ClusterRoleBinding.' })),
  bindingName: Type.Optional(Type.String({ minLength: 1, maxLength: 253, description: 'Name of the binding (DNS-1123 subdomain); default `oidc-<kind>-<subject>-<role>-<hash>`.' }))
}, { $id: 'RbacQuery', additionalProperties: false, description: 'Which role to bind to which OIDC group or user.' })

export const RbacBindingResponse = Type.Object({
  kind: Type.Enum(['ClusterRoleBinding', 'RoleBinding'], { description: 'Kind of the binding.' }),
  name: Type.String({ description: 'Name of the binding.' }),
  namespace: Type.Optional(Type.String({ description: 'Namespace of a RoleBinding.' })),
  subject: Type.Object({
    kind: Type.Enum(['Group', 'User'], { description: 'Subject kind.' }),
    apiGroup: Type.String({ description: 'Always `rbac.authorization.k8s.io`.' }),
    name: Type.String({ description: 'Subject name with the config\'s prefixes applied, exactly as the API server sees it.' })
  }, { additionalProperties: false, description: 'The bound subject.' }),
  yaml: Type.String({ description: 'The binding manifest as YAML, ready for `kubectl apply -f -`.' })
}, { $id: 'RbacBindingResponse', additionalProperties: false, description: 'A (Cluster)RoleBinding for an OIDC group or user.' })

export type TokenReviewRequest = Static<typeof TokenReviewRequest>
export type PreviewRequest = Static<typeof PreviewRequest>
export type RbacQuery = Static<typeof RbacQuery>
export type TokenReviewStatus = Static<typeof TokenReviewStatus>
export type RbacBindingResponse = Static<typeof RbacBindingResponse>
