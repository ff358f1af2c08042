/**
 * IAM OIDC provider shapes, mirrored from the IAM API model with the same names and PascalCase
 * fields, plus the envelope this service adds around a cluster's provider.
 */
import { Type, type Static } from 'typebox'
import { ClusterNameParams, DNS_LABEL_PATTERN, KubernetesNamespace, KubernetesServiceAccount, kubernetesNamespace, kubernetesServiceAccount, Ref, RESERVED_TAG_PREFIX, Timestamp } from './common.ts'
import { ThumbprintDrift } from './issuers.ts'

export const DEFAULT_AUDIENCE = 'sts.amazonaws.com'

export const Tag = Type.Object({
  Key: Type.String({
    minLength: 1,
    maxLength: 128,
    pattern: '^[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+$',
    'x-reserved-prefix': RESERVED_TAG_PREFIX,
    description: 'Tag key: 1 to 128 letters, digits, spaces and `_.:/=+-@`, not beginning with `aws:` in any letter case (AWS reserves it). Case-sensitive: `Team` and `team` are two keys of an OIDC provider.'
  }),
  Value: Type.String({ maxLength: 256, pattern: '^[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*$', description: 'Tag value: up to 256 letters, digits, spaces and `_.:/=+-@`.' })
}, { $id: 'Tag', additionalProperties: false, description: 'An IAM tag.' })

export const ClientIDList = Type.Array(Type.String({ minLength: 1, maxLength: 255 }), {
  minItems: 1,
  maxItems: 100,
  uniqueItems: true,
  description: 'Client IDs (audiences) the provider accepts: 1 to 100 distinct values of 1 to 255 characters.'
})

export const ThumbprintList = Type.Array(Type.String({ pattern: '^[0-9A-Fa-f]{40}$' }), {
  minItems: 1,
  maxItems: 5,
  uniqueItems: true,
  description: 'SHA-1 thumbprints of the issuer\'s top intermediate CA certificate: 1 to 5 values of exactly 40 hexadecimal characters.'
})

export const TagList = Type.Array(Ref(Tag), { maxItems: 50, 'x-unique-by': 'Key', description: 'Up to 50 tags with distinct keys (compared case-sensitively); a repeated key is refused.' })

export const GetOpenIDConnectProviderResponse = Type.Object({
  Url: Type.Optional(Type.String({ description: 'Issuer URL as IAM stores it: without `https://`.' })),
  ClientIDList: Type.Optional(Type.Array(Type.String(), { description: 'Client IDs (audiences).' })),
  ThumbprintList: Type.Optional(Type.Array(Type.String(), { description: 'Registered thumbprints.' })),
  CreateDate: Type.Optional(Timestamp),
  Tags: Type.Optional(Type.Array(Ref(Tag), { description: 'Tags of the provider.' }))
}, { $id: 'GetOpenIDConnectProviderResponse', additionalProperties: false, description: 'An IAM OpenID Connect provider.' })

export const OidcProviderStatus = Type.Object({
  clusterName: Type.String({ description: 'Cluster name.' }),
  issuerUrl: Type.String({ description: 'The cluster\'s OIDC issuer URL.' }),
  OpenIDConnectProviderArn: Type.String({ description: 'ARN the cluster\'s IAM OIDC provider has (or would have): partition and account from the cluster ARN, issuer without scheme or port.' }),
  exists: Type.Boolean({ description: 'Whether the IAM OIDC provider exists.' }),
  provider: Type.Optional(Ref(GetOpenIDConnectProviderResponse)),
  thumbprintDrift: Type.Optional(Ref(ThumbprintDrift, { description: 'Registered versus served thumbprints, when the provider exists.' }))
}, { $id: 'OidcProviderStatus', additionalProperties: false, description: 'The IAM OIDC provider of a cluster, used by IAM roles for service accounts (IRSA).' })

export const PutOidcProviderRequest = Type.Object({
  ClientIDList: Type.Optional(ClientIDList),
  ThumbprintList: Type.Optional(ThumbprintList),
  Tags: Type.Optional(TagList)
}, {
  $id: 'PutOidcProviderRequest',
  additionalProperties: false,
  // Swagger UI's "Try it out" starts from the first example: it must change no audience or thumbprint.
  examples: [{ Tags: [{ Key: 'team', Value: 'platform' }] }],
  description: 'Desired state of the cluster\'s IAM OIDC provider. A member that is present is the whole desired list: the provider ends with exactly these audiences, thumbprints or tags. A member that is omitted is left as it is on an existing provider; on create, an omitted `ClientIDList` is `["sts.amazonaws.com"]`, an omitted `ThumbprintList` lets IAM compute the thumbprint, and omitted `Tags` mean no tags.'
})

export const PlannedCall = Type.Object({
  operation: Type.String({ description: 'IAM operation, e.g. `CreateOpenIDConnectProvider` or `AddClientIDToOpenIDConnectProvider`.' }),
  input: Type.Record(Type.String(), Type.Unknown(), { description: 'The input the call is (or would be) sent with.' })
}, { $id: 'PlannedCall', additionalProperties: false, description: 'One IAM call of a convergence plan.' })

export const PutOidcProviderResponse = Type.Object({
  ...OidcProviderStatus.properties,
  dryRun: Type.Boolean({ description: 'True when nothing was changed because `dryRun=true` was asked.' }),
  changes: Type.Array(Ref(PlannedCall), { description: 'The IAM calls made (or, in a dry run, that would be made), in order. Empty when the provider was already in the desired state.' })
}, { $id: 'PutOidcProviderResponse', additionalProperties: false })

export const PutOidcProviderQuery = Type.Object({
  dryRun: Type.Optional(Type.Boolean({ default: false, description: 'Only compute the plan of IAM calls; change nothing.' })),
  computeThumbprints: Type.Optional(Type.Boolean({ default: false, description: 'When the body has no ThumbprintList, compute it from the certificate chain the issuer serves (as eksctl does) instead of letting IAM compute it. Repairs thumbprint drift.' }))
}, { additionalProperties: false })

export const ProviderAccountParams = Type.Object({
  ...ClusterNameParams.properties,
  // Not `accountId`: under /accounts/{accountId}/regions/{region} that names the cluster's account.
  providerAccountId: Type.String({ pattern: '^\\d{12}$', description: 'The 12-digit id of the account the provider is in: an account of the registry (GET /accounts), or the cluster\'s own.' })
}, { additionalProperties: false })

/** IAM's quota of OIDC providers in one account, and how many it has. */
export const OidcProviderCount = Type.Object({
  count: Type.Integer({ minimum: 0, description: 'IAM OIDC providers the account has now (ListOpenIDConnectProviders).' }),
  quota: Type.Integer({ minimum: 1, description: 'IAM\'s quota of OIDC providers per account (100).' })
}, { $id: 'OidcProviderCount', additionalProperties: false, description: 'How close the account is to IAM\'s quota of OIDC providers.' })

export const CrossAccountOidcProviderStatus = Type.Object({
  ...OidcProviderStatus.properties,
  OpenIDConnectProviderArn: Type.String({ description: 'ARN the provider has (or would have) in `accountId`: partition from the cluster ARN, issuer without scheme or port.' }),
  accountId: Type.String({ description: 'The account the provider is in (the one the roles pods assume are in).' }),
  oidcProviders: Ref(OidcProviderCount)
}, { $id: 'CrossAccountOidcProviderStatus', additionalProperties: false, description: 'The IAM OIDC provider for a cluster\'s issuer in another account (IRSA across accounts), and that account\'s provider count.' })

export type Tag = Static<typeof Tag>
export type PutOidcProviderRequest = Static<typeof PutOidcProviderRequest>
export type OidcProviderStatus = Static<typeof OidcProviderStatus>
export type PlannedCall = Static<typeof PlannedCall>

// IRSA trust policies (routes/clusters/trust-policy.ts).

export const AccountId = Type.String({ pattern: '^[0-9]{12}$', description: 'AWS account ID: 12 digits.' })

export const RoleArn = Type.String({
  minLength: 20,
  maxLength: 2048,
  // IAM's role name (1 to 64 of `[\w+=,.@-]`) after an optional path of printable ASCII.
  pattern: '^arn:aws[a-z-]*:iam::[0-9]{12}:role/([\\u0021-\\u007E]+/)?[\\w+=,.@-]{1,64}$',
  description: 'ARN of the IAM role, e.g. `arn:aws:iam::111122223333:role/my-app`; a path is allowed (`role/irsa/my-app`).'
})

export const RenderTrustPolicyQuery = Type.Object({
  namespace: kubernetesNamespace(DNS_LABEL_PATTERN, 'Kubernetes namespace of the service account: a DNS-1123 label (1 to 63 lower-case letters, digits and `-`). `*` and `?` only with `wildcards=true`.'),
  serviceAccount: kubernetesServiceAccount(DNS_LABEL_PATTERN, 'Name of the Kubernetes service account: a DNS-1123 subdomain (1 to 253 characters). `*` and `?` only with `wildcards=true`.'),
  accountId: Type.Optional(Type.String({ ...AccountId, description: 'Account of the role (and of the IAM OIDC provider it trusts). Default: the cluster\'s account.' })),
  wildcards: Type.Optional(Type.Boolean({ default: false, description: 'Allow `*` (any characters) and `?` (one character) in `namespace` and `serviceAccount`; the `sub` condition is then `StringLike` (`aud` stays `StringEquals`).' }))
}, { additionalProperties: false })

export const PolicyDocument = Type.Object({
  Version: Type.String({ description: 'Policy language version, `2012-10-17`.' }),
  Id: Type.Optional(Type.String()),
  Statement: Type.Array(Type.Record(Type.String(), Type.Unknown()), { description: 'The statements, as IAM\'s policy grammar writes them (Sid, Effect, Principal, Action, Condition, …).' })
}, { $id: 'PolicyDocument', additionalProperties: false, description: 'An IAM policy document as JSON: send it as the AssumeRolePolicyDocument of CreateRole or the PolicyDocument of UpdateAssumeRolePolicy.' })

export const TrustPolicyRendering = Type.Object({
  clusterName: Type.String({ description: 'Cluster name.' }),
  issuerUrl: Type.String({ description: 'The cluster\'s OIDC issuer URL.' }),
  accountId: Type.String({ description: 'Account of the role and of the provider it trusts.' }),
  OpenIDConnectProviderArn: Type.String({ description: 'The provider of the cluster\'s issuer in that account: the `Federated` principal.' }),
  exists: Type.Optional(Type.Boolean({ description: 'Whether that provider exists (one GetOpenIDConnectProvider). Absent when the account is not one the service reaches.' })),
  policy: Ref(PolicyDocument),
  size: Type.Integer({ description: 'Characters IAM counts against the trust-policy quota (white space not counted).' }),
  sizeLimit: Type.Integer({ description: 'The quota the service checks against (`TRUST_POLICY_SIZE_LIMIT`).' })
}, { $id: 'TrustPolicyRendering', additionalProperties: false, description: 'The IRSA trust policy of a role for one service account (or a pattern of them) of the cluster.' })

export const TRUST_POLICY_CHECKS = [
  'provider-exists', 'federated-principal', 'action', 'operator-fits-value', 'sub-condition', 'aud-condition', 'other-conditions', 'no-deny', 'thumbprint', 'size'
] as const

export const TrustPolicyCheck = Type.Object({
  id: Type.Enum(TRUST_POLICY_CHECKS, { description: 'The check: the provider exists in the role\'s account; a statement names it as Federated principal (not another cluster\'s); the action; an operator fitting its values (`*` under StringEquals never matches); the sub and aud conditions; other conditions; no Deny overriding; the provider\'s thumbprints; the size quota (also after the fix).' }),
  status: Type.Enum(['pass', 'fail', 'warn', 'skipped'], { description: '`fail`: this alone keeps the pod out; `warn`: allowed, but looser or less certain than it should be; `skipped`: not applicable (e.g. no statement to read).' }),
  reason: Type.String({ description: 'Why, naming the statement (by index and Sid), the values and the issuer concerned.' })
}, { $id: 'TrustPolicyCheck', additionalProperties: false })

export const TrustPolicyFix = Type.Object({
  added: Type.Array(Type.Record(Type.String(), Type.Unknown()), { description: 'Statements added (the rendered IRSA statement).' }),
  changed: Type.Array(Type.Object({
    index: Type.Integer({ description: 'Index of the statement in `Statement`.' }),
    before: Type.Record(Type.String(), Type.Unknown()),
    after: Type.Record(Type.String(), Type.Unknown())
  }, { additionalProperties: false }), { description: 'Statements changed: the one naming this provider, with the action or condition mended.' }),
  policy: Ref(PolicyDocument, { description: 'The whole trust policy after the fix; no statement removed.' }),
  size: Type.Integer({ description: 'Its size as IAM counts it.' })
}, { $id: 'TrustPolicyFix', additionalProperties: false, description: 'The smallest change to the trust policy that lets the service account assume the role.' })

const roleAndServiceAccount = { roleArn: RoleArn, namespace: KubernetesNamespace, serviceAccount: KubernetesServiceAccount }

export const TrustPolicyDiagnosisQuery = Type.Object(roleAndServiceAccount, { additionalProperties: false })

export const TrustPolicyRepairRequest = Type.Object(roleAndServiceAccount, { $id: 'TrustPolicyRepairRequest', additionalProperties: false, description: 'The role and the service account whose pods must be able to assume it.' })

export const TrustPolicyRepairQuery = Type.Object({
  apply: Type.Boolean({ description: 'Must be `true`: update the trust policy with the fix (the read-only diagnosis is the GET).' }),
  dryRun: Type.Optional(Type.Boolean({ default: false, description: 'Only compute the UpdateAssumeRolePolicy call; change nothing.' }))
}, { additionalProperties: false })

export const TrustPolicyDiagnosis = Type.Object({
  clusterName: Type.String(),
  issuerUrl: Type.String({ description: 'The cluster\'s OIDC issuer URL.' }),
  roleArn: Type.String(),
  namespace: Type.String(),
  serviceAccount: Type.String(),
  OpenIDConnectProviderArn: Type.String({ description: 'The provider of the cluster\'s issuer in the role\'s account: what the trust policy must name.' }),
  allowed: Type.Boolean({ description: 'Whether a pod of this service account can assume the role now (provider present, an Allow statement applies, no Deny does).' }),
  checks: Type.Array(Ref(TrustPolicyCheck)),
  policy: Ref(PolicyDocument, { description: 'The role\'s trust policy as read.' }),
  size: Type.Integer({ description: 'Characters IAM counts against the quota (white space not counted).' }),
  sizeLimit: Type.Integer({ description: 'The quota checked against (`TRUST_POLICY_SIZE_LIMIT`).' }),
  fix: Type.Optional(Ref(TrustPolicyFix))
}, { $id: 'TrustPolicyDiagnosis', additionalProperties: false, description: 'Why a pod can (or cannot) assume a role with its service account token, check by check.' })

export const TrustPolicyRepairResponse = Type.Object({
  ...TrustPolicyDiagnosis.properties,
  dryRun: Type.Boolean({ description: 'True when nothing was changed because `dryRun=true` was asked.' }),
  changes: Type.Array(Ref(PlannedCall), { description: 'The UpdateAssumeRolePolicy call made (or, in a dry run, that would be made); empty when the policy needed no change or none can help.' })
}, { $id: 'TrustPolicyRepairResponse', additionalProperties: false, description: 'The diagnosis after the repair (before it, in a dry run), and the call made.' })

export type TrustPolicyRendering = Static<typeof TrustPolicyRendering>
export type TrustPolicyDiagnosis = Static<typeof TrustPolicyDiagnosis>
export type TrustPolicyRepairRequest = Static<typeof TrustPolicyRepairRequest>
