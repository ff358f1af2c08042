/**
 * EKS shapes, mirrored from the EKS API model with the same names and camelCase fields.
 * Timestamps, epoch seconds on the AWS wire, are ISO-8601 strings here.
 */
import { Type, type Static } from 'typebox'
import { ClusterNameParams, MaxResults, NextToken, Ref, TagMap, Timestamp } from './common.ts'
import { IssuerUrl } from './issuer-url.ts'

/** Enumerations of the EKS API model (botocore data/eks/2017-11-01/service-2.json). */
export const CLUSTER_STATUSES = ['CREATING', 'ACTIVE', 'DELETING', 'FAILED', 'UPDATING', 'PENDING'] as const
export const CONFIG_STATUSES = ['CREATING', 'DELETING', 'ACTIVE'] as const
export const UPDATE_STATUSES = ['InProgress', 'Failed', 'Cancelled', 'Successful'] as const

export const ClusterStatus = Type.Enum(CLUSTER_STATUSES, { description: 'Cluster status: `CREATING`, `ACTIVE`, `DELETING`, `FAILED`, `UPDATING` or `PENDING`.' })

/**
 * A prefix must not contain `system:` (it would impersonate Kubernetes system identities): the EKS
 * User Guide, https://docs.aws.amazon.com/eks/latest/userguide/authenticate-oidc-identity-provider.html
 */
const NO_SYSTEM_PREFIX = '^(?![\\s\\S]*system:)[\\s\\S]*$'

export const Cluster = Type.Object({
  name: Type.String({ description: 'Cluster name.' }),
  arn: Type.String({ description: 'Cluster ARN: `arn:<partition>:eks:<region>:<account>:cluster/<name>`.' }),
  status: Type.Optional(ClusterStatus),
  version: Type.Optional(Type.String({ description: 'Kubernetes version, e.g. `1.32`.' })),
  createdAt: Type.Optional(Timestamp),
  identity: Type.Optional(Type.Object({
    oidc: Type.Optional(Type.Object({
      issuer: Type.Optional(Type.String({ description: 'The cluster\'s OpenID Connect issuer URL, used by IAM roles for service accounts.' }))
    }, { additionalProperties: false, description: 'The cluster\'s OIDC issuer.' }))
  }, { additionalProperties: false, description: 'Identity provider information of the cluster.' })),
  accessConfig: Type.Optional(Type.Object({
    authenticationMode: Type.Optional(Type.String({ description: 'How the cluster maps IAM principals into Kubernetes: `CONFIG_MAP`, `API_AND_CONFIG_MAP` or `API` (see `/clusters/{name}/authentication-mode`).' }))
  }, { additionalProperties: false, description: 'The cluster\'s access configuration.' })),
  tags: Type.Optional(Ref(TagMap))
}, { $id: 'Cluster', additionalProperties: false, description: 'The members of an EKS cluster this service uses.' })

export const ListClustersResponse = Type.Object({
  clusters: Type.Array(Type.String(), { description: 'Cluster names in this account and region.' }),
  nextToken: Type.Optional(NextToken)
}, { $id: 'ListClustersResponse', additionalProperties: false })

export const ListQuery = Type.Object({
  maxResults: Type.Optional(MaxResults),
  nextToken: Type.Optional(NextToken)
}, { additionalProperties: false })

export const DescribeClusterResponse = Type.Object({
  cluster: Ref(Cluster)
}, { $id: 'DescribeClusterResponse', additionalProperties: false })

export const RequiredClaims = Type.Record(
  Type.String({ minLength: 1, maxLength: 63 }),
  Type.String({ minLength: 1, maxLength: 253 }),
  { propertyNames: { minLength: 1, maxLength: 63 }, description: 'Claims that must be present in ID tokens with exactly these values: keys 1 to 63 characters, values 1 to 253.' }
)

export const OidcIdentityProviderConfigRequest = Type.Object({
  // The EKS model sets no length or pattern (a plain String); only empty is refused, as a path segment of this API cannot be.
  identityProviderConfigName: Type.String({ minLength: 1, description: 'Name of the identity provider config, unique per cluster: any non-empty string, as EKS accepts (its model sets no length or pattern).' }),
  issuerUrl: IssuerUrl('Issuer URL of the OIDC identity provider, the level below `/.well-known/openid-configuration`; must equal the tokens\' `iss` claim and be reachable from the internet.'),
  clientId: Type.String({ minLength: 1, maxLength: 255, description: 'Client ID of the OIDC application: the audience (`aud`) the ID tokens must carry.' }),
  usernameClaim: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'Claim used as the Kubernetes username; default `sub`. Claims other than `email` get the issuer URL as prefix unless `usernamePrefix` says otherwise.' })),
  usernamePrefix: Type.Optional(Type.String({ minLength: 1, maxLength: 255, pattern: NO_SYSTEM_PREFIX, description: 'Prefix added to usernames; `-` disables prefixing. Must not contain `system:`.' })),
  groupsClaim: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'Claim holding the user\'s groups (a string or an array of strings).' })),
  groupsPrefix: Type.Optional(Type.String({ minLength: 1, maxLength: 255, pattern: NO_SYSTEM_PREFIX, description: 'Prefix added to each group, e.g. `oidc:`. Must not contain `system:`.' })),
  requiredClaims: Type.Optional(RequiredClaims)
}, { $id: 'OidcIdentityProviderConfigRequest', additionalProperties: false, description: 'An OIDC identity provider configuration, as sent to AssociateIdentityProviderConfig.' })

/**
 * A plain String in the EKS model, with no document setting a length or alphabet for these
 * operations; EKS refused CreateCluster tokens outside 33–126 characters
 * (https://github.com/ansible-collections/community.aws/issues/817), so it may refuse them here too,
 * and that refusal is answered as 400 InvalidParameterException.
 */
export const ClientRequestToken = Type.String({
  description: 'EKS idempotency token, sent to EKS as is: any string (the EKS model sets no length; EKS refuses CreateCluster tokens outside 33 to 126 characters, and such a refusal is a 400 `InvalidParameterException`). Reusing it with the same parameters returns the original update. Omit it (or send it empty) and send an `Idempotency-Key` header instead to have one derived for you.'
})

export const AssociateIdentityProviderConfigRequest = Type.Object({
  oidc: Ref(OidcIdentityProviderConfigRequest),
  tags: Type.Optional(Ref(TagMap)),
  clientRequestToken: Type.Optional(ClientRequestToken)
}, { $id: 'AssociateIdentityProviderConfigRequest', additionalProperties: false, description: 'AssociateIdentityProviderConfig request without `clusterName`, which comes from the path.' })

export const ErrorDetail = Type.Object({
  errorCode: Type.Optional(Type.String({ description: 'Error code, e.g. `AccessDenied`, `OperationNotPermitted`, `ClusterUnreachable`, `ConfigurationConflict` or `Unknown`.' })),
  errorMessage: Type.Optional(Type.String({ description: 'Error message.' })),
  resourceIds: Type.Optional(Type.Array(Type.String(), { description: 'Resources the error concerns.' }))
}, { $id: 'ErrorDetail', additionalProperties: false })

export const UpdateParam = Type.Object({
  type: Type.Optional(Type.String({ description: 'Parameter type: `IdentityProviderConfig`, or `AuthenticationMode` for an AccessConfigUpdate.' })),
  value: Type.Optional(Type.String({ description: 'Parameter value as a JSON-encoded string, e.g. `[{"type":"oidc","name":"corp"}]`.' }))
}, { $id: 'UpdateParam', additionalProperties: false })

export const Update = Type.Object({
  id: Type.Optional(Type.String({ description: 'Update id (UUID).' })),
  status: Type.Optional(Type.Enum(UPDATE_STATUSES, { description: '`InProgress`, `Failed`, `Cancelled` or `Successful`.' })),
  type: Type.Optional(Type.String({ description: 'Update type, e.g. `AssociateIdentityProviderConfig`, `DisassociateIdentityProviderConfig` or `AccessConfigUpdate` (an authentication mode change).' })),
  params: Type.Optional(Type.Array(Ref(UpdateParam), { description: 'Parameters of the update.' })),
  createdAt: Type.Optional(Timestamp),
  errors: Type.Optional(Type.Array(Ref(ErrorDetail), { description: 'Errors of a failed update.' }))
}, { $id: 'Update', additionalProperties: false, description: 'An asynchronous EKS update. Identity provider changes take 20 to 40 minutes on AWS.' })

export const AssociateIdentityProviderConfigResponse = Type.Object({
  update: Ref(Update),
  tags: Type.Optional(Ref(TagMap)),
  operationId: Type.Optional(Type.String({ description: 'Id of this service\'s operation record for the request.' })),
  issuerChecks: Type.Optional(Type.Union([Type.Literal('passed'), Type.Literal('skipped')], { description: 'Whether the issuer\'s pre-flight checks ran and passed, or were skipped with `skipIssuerChecks=true`.' }))
}, { $id: 'AssociateIdentityProviderConfigResponse', additionalProperties: false })

export const IdentityProviderConfig = Type.Object({
  type: Type.String({ description: 'Config type; always `oidc`.' }),
  name: Type.String({ description: 'Config name.' })
}, { $id: 'IdentityProviderConfig', additionalProperties: false })

export const ListIdentityProviderConfigsResponse = Type.Object({
  identityProviderConfigs: Type.Array(Ref(IdentityProviderConfig), { description: 'Configs associated with the cluster.' }),
  nextToken: Type.Optional(NextToken)
}, { $id: 'ListIdentityProviderConfigsResponse', additionalProperties: false })

export const OidcIdentityProviderConfig = Type.Object({
  identityProviderConfigName: Type.Optional(Type.String({ description: 'Config name.' })),
  identityProviderConfigArn: Type.Optional(Type.String({ description: 'Config ARN.' })),
  clusterName: Type.Optional(Type.String({ description: 'Cluster name.' })),
  issuerUrl: Type.Optional(Type.String({ description: 'Issuer URL.' })),
  clientId: Type.Optional(Type.String({ description: 'Client ID (audience).' })),
  usernameClaim: Type.Optional(Type.String({ description: 'Username claim.' })),
  usernamePrefix: Type.Optional(Type.String({ description: 'Username prefix.' })),
  groupsClaim: Type.Optional(Type.String({ description: 'Groups claim.' })),
  groupsPrefix: Type.Optional(Type.String({ description: 'Groups prefix.' })),
  requiredClaims: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'Required claims.' })),
  tags: Type.Optional(Ref(TagMap)),
  status: Type.Optional(Type.Enum(CONFIG_STATUSES, { description: '`CREATING`, `ACTIVE` or `DELETING`.' }))
}, { $id: 'OidcIdentityProviderConfig', additionalProperties: false, description: 'An associated OIDC identity provider config.' })

export const DescribeIdentityProviderConfigResponse = Type.Object({
  identityProviderConfig: Type.Object({
    oidc: Type.Optional(Ref(OidcIdentityProviderConfig))
  }, { additionalProperties: false, description: 'The config, keyed by type.' })
}, { $id: 'DescribeIdentityProviderConfigResponse', additionalProperties: false })

export const DisassociateIdentityProviderConfigResponse = Type.Object({
  update: Ref(Update),
  operationId: Type.Optional(Type.String({ description: 'Id of this service\'s operation record for the request.' }))
}, { $id: 'DisassociateIdentityProviderConfigResponse', additionalProperties: false })

export const ListUpdatesResponse = Type.Object({
  updateIds: Type.Array(Type.String(), { description: 'Update ids of the cluster, newest first.' }),
  nextToken: Type.Optional(NextToken)
}, { $id: 'ListUpdatesResponse', additionalProperties: false })

export const DescribeUpdateResponse = Type.Object({
  update: Ref(Update)
}, { $id: 'DescribeUpdateResponse', additionalProperties: false })

export const AssociateIdentityProviderConfigQuery = Type.Object({
  skipIssuerChecks: Type.Optional(Type.Boolean({ default: false, description: 'Skip the network checks of the issuer (for issuers reachable from AWS but not from this service). The answer says `issuerChecks: skipped`.' }))
}, { additionalProperties: false })

export const DescribeIdentityProviderConfigHeaders = Type.Object({
  'cache-control': Type.Optional(Type.String({
    description: 'Send `no-cache` (or `max-age=0`) to read EKS now. Otherwise an answer up to `CONFIG_CACHE_TTL_MS` old may be reused; the `Cache-Status` response header says which (RFC 9211).'
  }))
})

export const UpdateParams = Type.Object({
  ...ClusterNameParams.properties,
  updateId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9-]+$', description: 'Update id (UUID).' })
}, { additionalProperties: false })

export const MAX_UPDATE_WAIT_SECONDS = 60

export const DescribeUpdateQuery = Type.Object({
  wait: Type.Optional(Type.Integer({
    minimum: 0,
    maximum: MAX_UPDATE_WAIT_SECONDS,
    description: `Long polling: wait up to this many seconds (0 to ${MAX_UPDATE_WAIT_SECONDS}) for the update to reach Successful, Failed or Cancelled before answering. 0 or absent answers at once.`
  }))
}, { additionalProperties: false })

export const UPDATE_EVENT_STREAM_DESCRIPTION = [
  'Sent when the request has `Accept: text/event-stream` (`wait` is then ignored). Server-Sent Events:',
  '`event: update` with `data` a DescribeUpdateResponse, first the current state, then on each status change;',
  '`event: error` with `data` a problem details object when a poll fails (the stream goes on unless an `end` follows);',
  'a `: heartbeat` comment every ~15 s; and last `event: end` with `data` `{"reason": "terminal" | "error" | "max-duration" | "shutdown", "detail": "…"}`, after which the server closes the stream.',
  'Every event has an `id`. Close your EventSource on `end`; reconnect after `max-duration` or `shutdown` to keep watching.',
  'An unknown update is answered 404 as a problem, not as a stream.'
].join(' ')

export type Cluster = Static<typeof Cluster>
export type OidcIdentityProviderConfigRequest = Static<typeof OidcIdentityProviderConfigRequest>
export type AssociateIdentityProviderConfigRequest = Static<typeof AssociateIdentityProviderConfigRequest>
export type OidcIdentityProviderConfig = Static<typeof OidcIdentityProviderConfig>
export type Update = Static<typeof Update>
