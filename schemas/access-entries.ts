/**
 * EKS access entries, access policies and the cluster's authentication mode, mirrored from the EKS
 * model (botocore data/eks/2017-11-01/service-2.json) with its names and camelCase fields, plus the
 * service's own views: the authentication mode change and the principal lookup.
 */
import { Type, type Static } from 'typebox'
import { ClusterNameParams, MaxResults, NextToken, Ref, TagMap, Timestamp } from './common.ts'
import { ClientRequestToken, Update } from './eks.ts'

/** `CreateAccessEntryRequest.type` in the current EKS model; every type but STANDARD is for nodes. */
export const ACCESS_ENTRY_TYPES = ['STANDARD', 'EC2_LINUX', 'EC2_WINDOWS', 'FARGATE_LINUX', 'EC2', 'HYBRID_LINUX', 'HYPERPOD_LINUX'] as const
export const NODE_ACCESS_ENTRY_TYPES: ReadonlySet<string> = new Set(ACCESS_ENTRY_TYPES.filter(type => type !== 'STANDARD'))
/** In the order EKS lets a cluster move through them, one step at a time and never back. */
export const AUTHENTICATION_MODES = ['CONFIG_MAP', 'API_AND_CONFIG_MAP', 'API'] as const
export type AuthenticationMode = typeof AUTHENTICATION_MODES[number]

/** An IAM role (with or without a path) or user: what an access entry may name (EKS User Guide, Create access entries). */
export const IAM_PRINCIPAL_ARN_PATTERN = '^arn:aws[a-z-]*:iam::\\d{12}:(role|user)/([\\x21-\\x7e]+/)*[\\w+=,.@-]{1,128}$'
/** An STS role session, as `aws sts get-caller-identity` answers for an assumed role. */
export const ASSUMED_ROLE_ARN_PATTERN = '^arn:aws[a-z-]*:sts::\\d{12}:assumed-role/[\\w+=,.@-]{1,128}/[\\w+=,.@-]{2,64}$'
const ACCESS_POLICY_ARN_PATTERN = '^arn:aws[a-z-]*:eks::aws:cluster-access-policy/[A-Za-z0-9]+$'
/** EKS refuses usernames beginning with these (EKS User Guide, Create access entries). */
const USERNAME_PATTERN = '^(?!system:|eks:|aws:|amazon:|iam:)[\\s\\S]+$'

const PrincipalArn = Type.String({
  maxLength: 1024,
  pattern: IAM_PRINCIPAL_ARN_PATTERN,
  description: 'ARN of an IAM role (`arn:aws:iam::ACCOUNT:role/[PATH/]NAME`) or user (`arn:aws:iam::ACCOUNT:user/[PATH/]NAME`). Not an STS session ARN: an access entry names the role, not one session of it.'
})

export const AccessEntryType = Type.Enum(ACCESS_ENTRY_TYPES, {
  description: '`STANDARD` (default) for people and workloads; `EC2_LINUX`, `EC2_WINDOWS` (self-managed nodes), `FARGATE_LINUX`, `EC2` (EKS Auto Mode node classes), `HYBRID_LINUX`, `HYPERPOD_LINUX` for node roles. Cannot be changed after creation.'
})

const KubernetesGroups = Type.Array(Type.String({ minLength: 1 }), {
  description: 'Kubernetes group names (`kind: Group` subjects of your RoleBindings and ClusterRoleBindings). EKS does not check that any binding names them. Only for `STANDARD` entries.'
})

const Username = Type.String({
  minLength: 1,
  pattern: USERNAME_PATTERN,
  description: 'Kubernetes username; best left out so that EKS sets it (the role\'s STS ARN with `{{SessionName}}`, or the user\'s ARN). Must not begin with `system:`, `eks:`, `aws:`, `amazon:` or `iam:`; `{{SessionName}}` or `{{SessionNameRaw}}` must come after a colon.'
})

export const AccessEntry = Type.Object({
  clusterName: Type.Optional(Type.String({ description: 'Cluster name.' })),
  principalArn: Type.Optional(Type.String({ description: 'The IAM role or user of the entry.' })),
  kubernetesGroups: Type.Optional(Type.Array(Type.String(), { description: 'Kubernetes groups the principal gets (`system:nodes` for node entries).' })),
  accessEntryArn: Type.Optional(Type.String({ description: 'ARN of the access entry.' })),
  createdAt: Type.Optional(Timestamp),
  modifiedAt: Type.Optional(Timestamp),
  tags: Type.Optional(Ref(TagMap)),
  username: Type.Optional(Type.String({ description: 'Kubernetes username, possibly a template (`{{SessionName}}`, `{{EC2PrivateDNSName}}`).' })),
  type: Type.Optional(Type.String({ description: 'Entry type, e.g. `STANDARD` or `EC2_LINUX`.' }))
}, { $id: 'AccessEntry', additionalProperties: false, description: 'An EKS access entry: how one IAM principal is known to Kubernetes in this cluster.' })

export const CreateAccessEntryRequest = Type.Object({
  principalArn: PrincipalArn,
  kubernetesGroups: Type.Optional(KubernetesGroups),
  tags: Type.Optional(Ref(TagMap)),
  clientRequestToken: Type.Optional(ClientRequestToken),
  username: Type.Optional(Username),
  type: Type.Optional(AccessEntryType)
}, { $id: 'CreateAccessEntryRequest', additionalProperties: false, description: 'CreateAccessEntry request without `clusterName`, which comes from the path.' })

export const UpdateAccessEntryRequest = Type.Object({
  kubernetesGroups: Type.Optional(KubernetesGroups),
  clientRequestToken: Type.Optional(ClientRequestToken),
  username: Type.Optional(Username)
}, { $id: 'UpdateAccessEntryRequest', additionalProperties: false, description: 'UpdateAccessEntry request: the members given replace the entry\'s; the others stay.' })

export const AccessEntryResponse = Type.Object({
  accessEntry: Ref(AccessEntry),
  operationId: Type.Optional(Type.String({ description: 'Id of this service\'s operation record for the request.' }))
}, { $id: 'AccessEntryResponse', additionalProperties: false, description: 'The answer of CreateAccessEntry, DescribeAccessEntry and UpdateAccessEntry.' })

export const ListAccessEntriesQuery = Type.Object({
  associatedPolicyArn: Type.Optional(Type.String({ pattern: ACCESS_POLICY_ARN_PATTERN, description: 'Only the entries this access policy is associated with.' })),
  maxResults: Type.Optional(MaxResults),
  nextToken: Type.Optional(NextToken)
}, { additionalProperties: false })

export const ListAccessEntriesResponse = Type.Object({
  accessEntries: Type.Array(Type.String(), { description: 'Principal ARNs of the entries.' }),
  nextToken: Type.Optional(NextToken)
}, { $id: 'ListAccessEntriesResponse', additionalProperties: false })

export const AccessEntryParams = Type.Object({
  ...ClusterNameParams.properties,
  principalArn: Type.String({ ...PrincipalArn, description: 'The entry\'s IAM role or user ARN, percent-encoded in the path (`:` as `%3A`, `/` as `%2F`).' })
}, { additionalProperties: false })

export const DeleteAccessEntryQuery = Type.Object({
  confirmNodeEntryDeletion: Type.Optional(Type.Boolean({
    default: false,
    description: 'Required (`true`) to delete an entry of a node type (`EC2_LINUX`, `EC2_WINDOWS`, `FARGATE_LINUX`, `EC2`, `HYBRID_LINUX`, `HYPERPOD_LINUX`): without it the nodes using that role could no longer join or stay in the cluster.'
  }))
}, { additionalProperties: false })

export const AccessScope = Type.Object({
  type: Type.Enum(['cluster', 'namespace'] as const, { description: '`cluster`: all namespaces; `namespace`: only those in `namespaces`.' }),
  namespaces: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 63 }), {
    description: 'Kubernetes namespaces, required with `type: namespace` and empty with `cluster`. A trailing `*` matches a prefix (`dev-*`). EKS does not check that they exist.'
  }))
}, { $id: 'AccessScope', additionalProperties: false, description: 'Where an access policy applies.' })

export const AssociateAccessPolicyRequest = Type.Object({
  policyArn: Type.String({ pattern: ACCESS_POLICY_ARN_PATTERN, description: 'ARN of an AWS-managed access policy (`GET /access-policies`), e.g. `arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy`.' }),
  accessScope: Ref(AccessScope)
}, { $id: 'AssociateAccessPolicyRequest', additionalProperties: false, description: 'AssociateAccessPolicy request. Associating a policy already associated changes its scope.' })

export const AssociatedAccessPolicy = Type.Object({
  policyArn: Type.Optional(Type.String({ description: 'ARN of the access policy.' })),
  accessScope: Type.Optional(Type.Object({
    type: Type.Optional(Type.String({ description: '`cluster` or `namespace`.' })),
    namespaces: Type.Optional(Type.Array(Type.String(), { description: 'The namespaces of a `namespace` scope; empty for `cluster`.' }))
  }, { additionalProperties: false, description: 'Where the policy applies.' })),
  associatedAt: Type.Optional(Timestamp),
  modifiedAt: Type.Optional(Timestamp)
}, { $id: 'AssociatedAccessPolicy', additionalProperties: false })

export const AssociateAccessPolicyResponse = Type.Object({
  clusterName: Type.Optional(Type.String({ description: 'Cluster name.' })),
  principalArn: Type.Optional(Type.String({ description: 'The entry\'s principal.' })),
  associatedAccessPolicy: Ref(AssociatedAccessPolicy),
  operationId: Type.Optional(Type.String({ description: 'Id of this service\'s operation record for the request.' }))
}, { $id: 'AssociateAccessPolicyResponse', additionalProperties: false })

export const ListAssociatedAccessPoliciesResponse = Type.Object({
  clusterName: Type.Optional(Type.String({ description: 'Cluster name.' })),
  principalArn: Type.Optional(Type.String({ description: 'The entry\'s principal.' })),
  associatedAccessPolicies: Type.Array(Ref(AssociatedAccessPolicy), { description: 'The policies and their scopes.' }),
  nextToken: Type.Optional(NextToken)
}, { $id: 'ListAssociatedAccessPoliciesResponse', additionalProperties: false })

export const AccessPolicyParams = Type.Object({
  ...AccessEntryParams.properties,
  policyArn: Type.String({ pattern: ACCESS_POLICY_ARN_PATTERN, description: 'ARN of the associated access policy, percent-encoded in the path.' })
}, { additionalProperties: false })

export const AccessPolicy = Type.Object({
  name: Type.Optional(Type.String({ description: 'Policy name, e.g. `AmazonEKSClusterAdminPolicy`.' })),
  arn: Type.Optional(Type.String({ description: 'Policy ARN.' }))
}, { $id: 'AccessPolicy', additionalProperties: false, description: 'An AWS-managed access policy: Kubernetes permissions EKS grants, similar to the user-facing cluster roles.' })

export const ListAccessPoliciesResponse = Type.Object({
  accessPolicies: Type.Array(Ref(AccessPolicy), { description: 'The policies AWS offers.' }),
  nextToken: Type.Optional(NextToken)
}, { $id: 'ListAccessPoliciesResponse', additionalProperties: false })

// ── Authentication mode ───────────────────────────────────────────────────────────────────────

const AuthenticationModeValue = Type.Enum(AUTHENTICATION_MODES, {
  description: '`CONFIG_MAP`: only the `aws-auth` ConfigMap; `API_AND_CONFIG_MAP`: access entries first, then the ConfigMap; `API`: only access entries.'
})

export const AuthenticationModeResponse = Type.Object({
  clusterName: Type.String({ description: 'Cluster name.' }),
  authenticationMode: AuthenticationModeValue,
  allowedNext: Type.Array(AuthenticationModeValue, { description: 'The one mode the cluster may move to next (empty in `API`): EKS goes one step forward and never back.' })
}, { $id: 'AuthenticationModeResponse', additionalProperties: false })

export const PutAuthenticationModeRequest = Type.Object({
  authenticationMode: AuthenticationModeValue,
  confirm: Type.Optional(Type.String({ description: 'Must be `API` to move to `API`: that stops the cluster reading the `aws-auth` ConfigMap, so whoever it alone maps loses access, and there is no way back.' })),
  clientRequestToken: Type.Optional(ClientRequestToken)
}, { $id: 'PutAuthenticationModeRequest', additionalProperties: false })

export const PutAuthenticationModeResponse = Type.Object({
  outcome: Type.Enum(['started', 'unchanged'] as const, { description: '`started`: an AccessConfigUpdate runs; `unchanged`: the cluster is already in that mode.' }),
  authenticationMode: AuthenticationModeValue,
  update: Type.Optional(Ref(Update)),
  operationId: Type.Optional(Type.String({ description: 'Id of this service\'s operation record, which follows the update to its end.' }))
}, { $id: 'PutAuthenticationModeResponse', additionalProperties: false })

// ── Who is this principal in this cluster ───────────────────────────────────────────────────────

export const PrincipalParams = Type.Object({
  ...ClusterNameParams.properties,
  principalArn: Type.String({
    maxLength: 1024,
    pattern: `(${IAM_PRINCIPAL_ARN_PATTERN})|(${ASSUMED_ROLE_ARN_PATTERN})`,
    description: 'An IAM role or user ARN, or a role session ARN (`arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`, what `aws sts get-caller-identity` answers), percent-encoded in the path.'
  })
}, { additionalProperties: false })

export const PRINCIPAL_REVIEW_REASONS = ['AccessEntry', 'NodeAccessEntry', 'NoAccessEntry', 'ConfigMapMode'] as const

export const PrincipalReview = Type.Object({
  principalArn: Type.String({ description: 'The ARN asked about.' }),
  entryPrincipalArn: Type.Optional(Type.String({ description: 'The IAM principal of the access entry that applies: for a role session, its role (with its path, which the session ARN does not show).' })),
  sessionName: Type.Optional(Type.String({ description: 'The session name of a role session ARN.' })),
  authenticationMode: AuthenticationModeValue,
  mapped: Type.Boolean({ description: 'Whether an access entry maps the principal into Kubernetes.' }),
  reason: Type.Enum(PRINCIPAL_REVIEW_REASONS, {
    description: '`AccessEntry`: a STANDARD entry maps it; `NodeAccessEntry`: a node entry maps it as a node; `NoAccessEntry`: no entry names it; `ConfigMapMode`: the cluster reads only the `aws-auth` ConfigMap, which this service does not see.'
  }),
  detail: Type.String({ description: 'The reason in words, with what to do.' }),
  username: Type.Optional(Type.String({ description: 'The Kubernetes username: the entry\'s template with `{{SessionName}}`, `{{SessionNameRaw}}` and `{{AccountID}}` filled in when the ARN is a session; node templates (`{{EC2PrivateDNSName}}`) stay as they are.' })),
  usernameTemplate: Type.Optional(Type.String({ description: 'The entry\'s username as EKS stores it.' })),
  kubernetesGroups: Type.Array(Type.String(), { description: 'Groups the entry gives (Kubernetes adds `system:authenticated` to every authenticated user besides).' }),
  accessEntryType: Type.Optional(Type.String({ description: 'Type of the entry.' })),
  accessPolicies: Type.Array(Ref(AssociatedAccessPolicy), { description: 'The access policies of the entry with their scopes.' })
}, { $id: 'PrincipalReview', additionalProperties: false, description: 'Who an IAM principal is in a cluster, through access entries: the IAM counterpart of a token review.' })

export type AccessEntry = Static<typeof AccessEntry>
export type CreateAccessEntryRequest = Static<typeof CreateAccessEntryRequest>
export type UpdateAccessEntryRequest = Static<typeof UpdateAccessEntryRequest>
export type AccessScope = Static<typeof AccessScope>
export type AssociateAccessPolicyRequest = Static<typeof AssociateAccessPolicyRequest>
export type PutAuthenticationModeRequest = Static<typeof PutAuthenticationModeRequest>
export type PrincipalReview = Static<typeof PrincipalReview>
