/**
 * IAM OIDC provider shapes, mirrored from the IAM API model with the same names and PascalCase
 * fields, plus the envelope this service adds around a cluster's provider.
 */
import { Type, type Static } from 'typebox'
import { Ref, RESERVED_TAG_PREFIX, Timestamp } from './common.ts'
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

export type Tag = Static<typeof Tag>
export type PutOidcProviderRequest = Static<typeof PutOidcProviderRequest>
export type OidcProviderStatus = Static<typeof OidcProviderStatus>
export type PlannedCall = Static<typeof PlannedCall>
