/**
 * The fleet view: `GET /clusters?include=...` answers, for every cluster of the account and
 * region, whether IRSA is set up and which OIDC identity provider config is associated.
 */
import { Type, type Static } from 'typebox'
import { Ref } from './common.ts'
import { ClusterStatus, ListClustersResponse, ListQuery, OidcIdentityProviderConfig } from './eks.ts'
import { ThumbprintDrift } from './issuers.ts'

export const FLEET_PARTS = ['oidc', 'identityProviderConfigs'] as const
export type FleetPart = typeof FLEET_PARTS[number]

export const ListClustersQuery = Type.Object({
  ...ListQuery.properties,
  include: Type.Optional(Type.String({
    pattern: `^(${FLEET_PARTS.join('|')})(,(${FLEET_PARTS.join('|')}))*$`,
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
