/**
 * The fleet view: `GET /clusters?include=...` answers, for every cluster of the account and
 * region, whether IRSA is set up and which OIDC identity provider config is associated.
 */
import { Type, type Static } from 'typebox'
import { ACCOUNT_ID_PATTERN, Ref, REGION_PATTERN } from './common.ts'
import { ClusterStatus, ListClustersResponse, ListQuery, OidcIdentityProviderConfig } from './eks.ts'
import { ThumbprintDrift } from './issuers.ts'

export const FLEET_PARTS = ['oidc', 'identityProviderConfigs'] as const
export type FleetPart = typeof FLEET_PARTS[number]

const FLEET_INCLUDE_PATTERN = `^(${FLEET_PARTS.join('|')})(,(${FLEET_PARTS.join('|')}))*$`

export const ListClustersQuery = Type.Object({
  ...ListQuery.properties,
  include: Type.Optional(Type.String({
    pattern: FLEET_INCLUDE_PATTERN,
    description: 'Comma-separated details to add for every cluster: `oidc` (the IAM OIDC provider, i.e. whether IRSA is enabled) and `identityProviderConfigs` (the associated OIDC identity provider config and its status). With `include`, the answer covers every cluster (all pages of ListClusters) and `maxResults`/`nextToken` are refused.'
  }))
}, { additionalProperties: false })

export const FleetPartError = Type.Object({
  part: Type.Union([Type.Literal('cluster'), Type.Literal('oidc'), Type.Literal('identityProviderConfigs')], { description: 'What could not be read: `cluster` (DescribeCluster; nothing else was tried), `oidc` or `identityProviderConfigs`.' }),
  status: Type.Integer({ description: 'The HTTP status this failure would have had on its own route.' }),
  code: Type.String({ description: 'Stable error code, as in problem details (e.g. `ThrottlingException`, `ResourceNotFoundException`).' }),
  detail: Type.Optional(Type.String({ description: 'What went wrong.' }))
}, { $id: 'FleetPartError', additionalProperties: false, description: 'A part of one cluster\'s view that could not be read; the other clusters are unaffected.' })

export const FleetIrsaStatus = Type.Object({
  enabled: Type.Boolean({ description: 'Whether an IAM OIDC provider exists for the cluster\'s issuer, so pods can assume IAM roles (IRSA). False when the cluster has no issuer yet.' }),
  OpenIDConnectProviderArn: Type.Optional(Type.String({ description: 'ARN the provider has (or would have); absent when the cluster has no issuer.' })),
  ClientIDList: Type.Optional(Type.Array(Type.String(), { description: 'Client IDs (audiences) of the provider, when it exists.' })),
  ThumbprintList: Type.Optional(Type.Array(Type.String(), { description: 'Thumbprints registered on the provider, when it exists.' })),
  thumbprintDrift: Type.Optional(Ref(ThumbprintDrift, { description: 'Registered versus served thumbprints.' }))
}, { $id: 'FleetIrsaStatus', additionalProperties: false, description: 'IAM roles for service accounts (IRSA) on one cluster.' })

export const FleetCluster = Type.Object({
  name: Type.String({ description: 'Cluster name.' }),
  arn: Type.Optional(Type.String({ description: 'Cluster ARN.' })),
  status: Type.Optional({ ...ClusterStatus, description: 'Cluster status; may be up to `CLUSTER_CACHE_TTL_SECONDS` old for ACTIVE and UPDATING clusters.' }),
  issuerUrl: Type.Optional(Type.String({ description: 'The cluster\'s OIDC issuer URL, when it has one.' })),
  irsa: Type.Optional(Ref(FleetIrsaStatus)),
  identityProviderConfigs: Type.Optional(Type.Array(Ref(OidcIdentityProviderConfig), { description: 'Associated OIDC identity provider configs (EKS allows one per cluster), each with its `status`.' })),
  errors: Type.Optional(Type.Array(Ref(FleetPartError), { description: 'Parts of this cluster\'s view that could not be read. Absent when everything was read.' }))
}, { $id: 'FleetCluster', additionalProperties: false, description: 'One cluster in the fleet view.' })

export const ListClustersFleetResponse = Type.Object({
  ...ListClustersResponse.properties,
  fleet: Type.Optional(Type.Array(Ref(FleetCluster), { description: 'With `include` only: one entry per cluster, in the order of `clusters`.' })),
  failedClusters: Type.Optional(Type.Integer({ description: 'With `include` only: how many entries have `errors`.' }))
}, { $id: 'ListClustersFleetResponse', additionalProperties: false, description: 'ListClusters, and with `include` the fleet view of every cluster.' })

export type FleetPartError = Static<typeof FleetPartError>
export type FleetIrsaStatus = Static<typeof FleetIrsaStatus>
export type FleetCluster = Static<typeof FleetCluster>

const AccountId = Type.String({ pattern: ACCOUNT_ID_PATTERN, description: 'The 12-digit AWS account id; absent for the implicit account (no registry) until its id is known.' })
const Region = Type.String({ pattern: REGION_PATTERN, description: 'The AWS region.' })
const ScopeProblem = Type.Object({
  status: FleetPartError.properties.status,
  code: FleetPartError.properties.code,
  detail: FleetPartError.properties.detail
}, { additionalProperties: false })

export const FleetQuery = Type.Object({
  include: Type.Optional(Type.String({
    pattern: FLEET_INCLUDE_PATTERN,
    description: 'Comma-separated details to add for every cluster, as on `GET /clusters?include=`: `oidc`, `identityProviderConfigs`. Without it each cluster has its identity (ARN, status, issuer) and `trustedInAccounts`.'
  }))
}, { additionalProperties: false })

export const FleetScope = Type.Object({
  accountId: Type.Optional(AccountId),
  region: Region,
  clusters: Type.Optional(Type.Integer({ description: 'How many clusters of this scope are in `fleet` (those the caller\'s grants reach).' })),
  failedClusters: Type.Optional(Type.Integer({ description: 'How many of them have `errors`.' })),
  error: Type.Optional({ ...ScopeProblem, description: 'Why this scope could not be swept (e.g. `AccountAccessDenied`: the role cannot be assumed; `UnrecognizedClientException`: the region is not enabled); its clusters are then absent and the other scopes are answered.' })
}, { $id: 'FleetScope', additionalProperties: false, description: 'One (account, region) of the registry in the fleet view.' })

export const FleetAccountsCluster = Type.Object({
  accountId: Type.Optional(AccountId),
  region: Region,
  ...FleetCluster.properties,
  trustedInAccounts: Type.Optional(Type.Array(AccountId, { description: 'The registry\'s accounts (those the caller sees) that have an IAM OIDC provider for this cluster\'s issuer, so that pods of the cluster can assume roles there (IRSA). Absent when the cluster has no issuer.' }))
}, { $id: 'FleetAccountsCluster', additionalProperties: false, description: 'One cluster of the fleet view across accounts, with its account and region.' })

export const FleetTrustError = Type.Object({
  accountId: Type.Optional(AccountId),
  error: ScopeProblem
}, { $id: 'FleetTrustError', additionalProperties: false, description: 'An account whose IAM OIDC providers could not be listed: `trustedInAccounts` cannot name it.' })

export const FleetResponse = Type.Object({
  scopes: Type.Array(Ref(FleetScope), { description: 'Every (account, region) of the registry the caller\'s grants reach, in registry order.' }),
  fleet: Type.Array(Ref(FleetAccountsCluster), { description: 'Every cluster the caller may read, scope by scope.' }),
  trustErrors: Type.Optional(Type.Array(Ref(FleetTrustError), { description: 'Accounts whose providers could not be listed; absent when none.' })),
  failedScopes: Type.Integer({ description: 'How many scopes have an `error`.' }),
  failedClusters: Type.Integer({ description: 'How many clusters have `errors`.' })
}, { $id: 'FleetResponse', additionalProperties: false, description: 'The fleet view of every account and region of the registry.' })

export type FleetScope = Static<typeof FleetScope>
export type FleetAccountsCluster = Static<typeof FleetAccountsCluster>
export type FleetTrustError = Static<typeof FleetTrustError>
export type FleetResponse = Static<typeof FleetResponse>
