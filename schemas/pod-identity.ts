/**
 * EKS Pod Identity shapes, named and cased as the EKS model has them (botocore
 * data/eks/2017-11-01: CreatePodIdentityAssociationRequest, PodIdentityAssociation, …), plus the
 * declarative form and the pre-flight checks of this service.
 *
 * The EKS model gives `namespace` and `serviceAccount` no limit; Kubernetes does, and an
 * association naming something Kubernetes cannot hold never matches a pod, so both are checked
 * as Kubernetes names: a namespace is an RFC 1123 label (at most 63), a service account an
 * RFC 1123 subdomain (at most 253) (Kubernetes docs, "Object Names and IDs").
 */
import { Type, type Static } from 'typebox'
import { ClientRequestToken } from './eks.ts'
import { ClusterNameParams, KubernetesNamespace, KubernetesServiceAccount, MaxResults, NextToken, Ref, TagMap, Timestamp } from './common.ts'

/** An IAM role ARN: partition, 12-digit account, optional path, name (IAM's RoleName: at most 64 of `\w+=,.@-`). */
const ROLE_ARN = '^arn:aws[a-z-]*:iam::\\d{12}:role/([\\x21-\\x7E]+/)?[\\w+=,.@-]{1,64}$'

export const RoleArn = (description: string) => Type.String({ minLength: 20, maxLength: 2048, pattern: ROLE_ARN, description })

const ROLE_ARN_DOC = 'ARN of the IAM role the pods get, in the cluster\'s account (EKS passes it with `iam:PassRole`). Its trust policy must allow `pods.eks.amazonaws.com` to `sts:AssumeRole` and `sts:TagSession`.'
const TARGET_ROLE_ARN_DOC = 'ARN of a role, in this or another account, that EKS assumes with the credentials of `roleArn` (role chaining); the pods get this one. Its trust policy must allow `roleArn`, with the association\'s `externalId`.'
const DISABLE_SESSION_TAGS_DOC = 'Turns off the six session tags EKS Pod Identity adds (cluster, namespace, service account, pod name and uid); default false. Must be true when `policy` is set.'
const POLICY_DOC = 'An IAM policy in JSON, as a string, that further restricts the role\'s permissions for these pods; requires `disableSessionTags: true`. With a target role it restricts the target role only.'

export const PodIdentityAssociation = Type.Object({
  clusterName: Type.Optional(Type.String({ description: 'Cluster of the association.' })),
  namespace: Type.Optional(Type.String({ description: 'Kubernetes namespace of the service account.' })),
  serviceAccount: Type.Optional(Type.String({ description: 'Kubernetes service account.' })),
  roleArn: Type.Optional(Type.String({ description: 'The IAM role the pods of the service account get.' })),
  associationArn: Type.Optional(Type.String({ description: 'ARN of the association.' })),
  associationId: Type.Optional(Type.String({ description: 'Id of the association, e.g. `a-9njjin9gfghecgocd`.' })),
  tags: Type.Optional(Ref(TagMap)),
  createdAt: Type.Optional(Timestamp),
  modifiedAt: Type.Optional(Timestamp),
  ownerArn: Type.Optional(Type.String({ description: 'Set when an EKS add-on owns the association.' })),
  disableSessionTags: Type.Optional(Type.Boolean({ description: 'Whether the session tags are turned off.' })),
  targetRoleArn: Type.Optional(Type.String({ description: 'The role assumed with `roleArn`\'s credentials (role chaining), when set.' })),
  externalId: Type.Optional(Type.String({ description: 'With a target role: the `sts:ExternalId` to require in the target role\'s trust policy.' })),
  policy: Type.Optional(Type.String({ description: 'The session policy, when set.' }))
}, { $id: 'PodIdentityAssociation', additionalProperties: false, description: 'An EKS Pod Identity association: an IAM role for the pods of one service account.' })

export const PodIdentityAssociationSummary = Type.Pick(PodIdentityAssociation,
  ['clusterName', 'namespace', 'serviceAccount', 'associationArn', 'associationId', 'ownerArn'],
  { $id: 'PodIdentityAssociationSummary', additionalProperties: false, description: 'An association as ListPodIdentityAssociations lists it.' })

export const PreflightCheck = Type.Object({
  name: Type.Union([Type.Literal('trust-policy'), Type.Literal('agent-addon'), Type.Literal('platform')], {
    description: '`trust-policy`: the role trusts `pods.eks.amazonaws.com` with `sts:AssumeRole` and `sts:TagSession`; `agent-addon`: the `eks-pod-identity-agent` add-on is installed and ACTIVE; `platform`: the cluster\'s Kubernetes and platform versions support Pod Identity.'
  }),
  status: Type.Union([Type.Literal('passed'), Type.Literal('failed')], { description: 'Whether the check passed.' }),
  reason: Type.String({ description: 'What was found, and what to do when the check failed.' }),
  statementToAdd: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'With a failed `trust-policy` check: the statement to add to the role\'s trust policy.' }))
}, { $id: 'PreflightCheck', additionalProperties: false })

export const PodIdentityPreflight = Type.Object({
  passed: Type.Boolean({ description: 'True when every check passed.' }),
  checks: Type.Array(Ref(PreflightCheck), { description: 'Each check with its outcome and reason.' })
}, { $id: 'PodIdentityPreflight', additionalProperties: false, description: 'The pre-flight checks of a Pod Identity association: whether pods of the service account will actually get the role.' })

export const CreatePodIdentityAssociationRequest = Type.Object({
  namespace: KubernetesNamespace,
  serviceAccount: KubernetesServiceAccount,
  roleArn: RoleArn(ROLE_ARN_DOC),
  targetRoleArn: Type.Optional(RoleArn(TARGET_ROLE_ARN_DOC)),
  disableSessionTags: Type.Optional(Type.Boolean({ description: DISABLE_SESSION_TAGS_DOC })),
  policy: Type.Optional(Type.String({ minLength: 1, description: POLICY_DOC })),
  tags: Type.Optional(Ref(TagMap)),
  clientRequestToken: Type.Optional(ClientRequestToken)
}, { $id: 'CreatePodIdentityAssociationRequest', additionalProperties: false, description: 'CreatePodIdentityAssociation request without `clusterName`, which comes from the path.' })

export const CreatePodIdentityAssociationResponse = Type.Object({
  association: Ref(PodIdentityAssociation),
  preflight: Type.Optional(Ref(PodIdentityPreflight)),
  operationId: Type.Optional(Type.String({ description: 'Id of this service\'s operation record for the request.' }))
}, { $id: 'CreatePodIdentityAssociationResponse', additionalProperties: false })

export const ListPodIdentityAssociationsQuery = Type.Object({
  namespace: Type.Optional(KubernetesNamespace),
  serviceAccount: Type.Optional(KubernetesServiceAccount),
  maxResults: Type.Optional(MaxResults),
  nextToken: Type.Optional(NextToken)
}, { additionalProperties: false })

export const ListPodIdentityAssociationsResponse = Type.Object({
  associations: Type.Array(Ref(PodIdentityAssociationSummary), { description: 'The associations of the cluster that match the filters.' }),
  nextToken: Type.Optional(NextToken)
}, { $id: 'ListPodIdentityAssociationsResponse', additionalProperties: false })

export const DescribePodIdentityAssociationResponse = Type.Object({
  association: Ref(PodIdentityAssociation)
}, { $id: 'DescribePodIdentityAssociationResponse', additionalProperties: false })

export const UpdatePodIdentityAssociationRequest = Type.Object({
  roleArn: Type.Optional(RoleArn(ROLE_ARN_DOC)),
  targetRoleArn: Type.Optional(Type.Union([RoleArn(TARGET_ROLE_ARN_DOC), Type.Literal('')], { description: TARGET_ROLE_ARN_DOC + ' An empty string removes the target role.' })),
  disableSessionTags: Type.Optional(Type.Boolean({ description: DISABLE_SESSION_TAGS_DOC })),
  policy: Type.Optional(Type.String({ description: POLICY_DOC + ' An empty string removes it.' })),
  clientRequestToken: Type.Optional(ClientRequestToken)
}, {
  $id: 'UpdatePodIdentityAssociationRequest',
  additionalProperties: false,
  minProperties: 1,
  description: 'UpdatePodIdentityAssociation request: what to change (at least one of `roleArn`, `targetRoleArn`, `disableSessionTags`, `policy`). An association cannot move to another namespace or service account.'
})

export const UpdatePodIdentityAssociationResponse = Type.Object({
  association: Ref(PodIdentityAssociation),
  operationId: Type.Optional(Type.String({ description: 'Id of this service\'s operation record for the request.' }))
}, { $id: 'UpdatePodIdentityAssociationResponse', additionalProperties: false })

export const DeletePodIdentityAssociationResponse = Type.Object({
  association: Ref(PodIdentityAssociation),
  operationId: Type.Optional(Type.String({ description: 'Id of this service\'s operation record for the request.' }))
}, { $id: 'DeletePodIdentityAssociationResponse', additionalProperties: false })

export const PodIdentityAssociationParams = Type.Object({
  ...ClusterNameParams.properties,
  associationId: Type.String({ minLength: 3, maxLength: 64, pattern: '^a-[a-z0-9]+$', description: 'Id of the association, e.g. `a-9njjin9gfghecgocd`.' })
}, { additionalProperties: false })

export const ServiceAccountParams = Type.Object({
  ...ClusterNameParams.properties,
  namespace: KubernetesNamespace,
  serviceAccount: KubernetesServiceAccount
}, { additionalProperties: false })

export const ForceQuery = Type.Object({
  force: Type.Optional(Type.Boolean({ default: false, description: 'Write even when a pre-flight check fails (the answer still lists the checks).' }))
}, { additionalProperties: false })

export const PutServiceAccountPodIdentityQuery = Type.Object({
  ...ForceQuery.properties,
  dryRun: Type.Optional(Type.Boolean({ default: false, description: 'Answer what would be done, with the pre-flight checks, and change nothing.' }))
}, { additionalProperties: false })

export const PreflightQuery = Type.Object({
  roleArn: RoleArn('The role to check for this service account.')
}, { additionalProperties: false })

export const PutServiceAccountPodIdentityRequest = Type.Object({
  roleArn: RoleArn(ROLE_ARN_DOC),
  targetRoleArn: Type.Optional(RoleArn(TARGET_ROLE_ARN_DOC + ' Absent: no target role (an existing one is removed).')),
  disableSessionTags: Type.Optional(Type.Boolean({ description: DISABLE_SESSION_TAGS_DOC })),
  tags: Type.Optional(Ref(TagMap))
}, {
  $id: 'PutServiceAccountPodIdentityRequest',
  additionalProperties: false,
  description: 'The whole Pod Identity of one service account. `tags` are set only when the association is created (EKS cannot change them through an update).'
})

export const PutServiceAccountPodIdentityResponse = Type.Object({
  outcome: Type.Union([Type.Literal('created'), Type.Literal('updated'), Type.Literal('unchanged')], {
    description: '`created`: there was no association; `updated`: the association had other settings; `unchanged`: it already matched. With `dryRun=true`, what would happen.'
  }),
  dryRun: Type.Boolean({ description: 'True when nothing was written.' }),
  changes: Type.Array(Type.String(), { description: 'The members that differ (`roleArn`, `targetRoleArn`, `disableSessionTags`), empty when unchanged or created.' }),
  association: Type.Optional(Ref(PodIdentityAssociation, { description: 'The association as it is now (after the write); absent on a dry run that would create one.' })),
  preflight: Ref(PodIdentityPreflight),
  operationId: Type.Optional(Type.String({ description: 'Id of this service\'s operation record for the request.' }))
}, { $id: 'PutServiceAccountPodIdentityResponse', additionalProperties: false })

export type CreatePodIdentityAssociationRequest = Static<typeof CreatePodIdentityAssociationRequest>
export type UpdatePodIdentityAssociationRequest = Static<typeof UpdatePodIdentityAssociationRequest>
export type PutServiceAccountPodIdentityRequest = Static<typeof PutServiceAccountPodIdentityRequest>
export type PodIdentityPreflight = Static<typeof PodIdentityPreflight>
export type PreflightCheck = Static<typeof PreflightCheck>
