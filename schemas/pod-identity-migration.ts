/** The plan of a migration from IRSA to EKS Pod Identity (src/pod-identity/migration-plan.ts). */
import { Type, type Static } from 'typebox'
import { Ref } from './common.ts'
import { PreflightCheck } from './pod-identity.ts'

export const MigrationServiceAccount = Type.Object({
  namespace: Type.String({ description: 'Kubernetes namespace, from the IRSA subject `system:serviceaccount:NS:SA`.' }),
  serviceAccount: Type.String({ description: 'Kubernetes service account, from the IRSA subject.' }),
  roleArn: Type.String({ description: 'The role that trusts the service account through the cluster\'s IAM OIDC provider.' }),
  association: Type.Object({
    action: Type.Union([Type.Literal('create'), Type.Literal('exists'), Type.Literal('conflict'), Type.Literal('ambiguous')], {
      description: '`create`: an association with this role would be created; `exists`: it already is; `conflict`: the service account has an association with another role (left alone); `ambiguous`: several roles trust the service account and Pod Identity takes one.'
    }),
    associationId: Type.Optional(Type.String({ description: 'The existing association, for `exists` and `conflict`.' })),
    reason: Type.String({ description: 'Why, in words.' })
  }, { additionalProperties: false }),
  trust: Type.Object({
    action: Type.Union([Type.Literal('add-statement'), Type.Literal('none')], { description: '`add-statement`: the role\'s trust policy needs `statementToAdd`; `none`: it already trusts Pod Identity.' }),
    reason: Type.String({ description: 'Why, in words.' }),
    statementToAdd: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'The statement to add to the role\'s trust policy; the IRSA statement stays.' }))
  }, { additionalProperties: false })
}, { $id: 'MigrationServiceAccount', additionalProperties: false, description: 'What moving one service account and role from IRSA to Pod Identity takes.' })

export const PodIdentityMigrationPlan = Type.Object({
  clusterName: Type.String({ description: 'The cluster.' }),
  oidcProviderArn: Type.String({ description: 'The cluster\'s IAM OIDC provider, whose trust was searched for.' }),
  dryRun: Type.Boolean({ description: 'Always true: the plan changes nothing.' }),
  clusterChecks: Type.Array(Ref(PreflightCheck), { description: 'The pre-flight checks of the cluster (`agent-addon`, `platform`); the migration is of no use while one fails.' }),
  serviceAccounts: Type.Array(Ref(MigrationServiceAccount), { description: 'Each service account a role trusts through IRSA, sorted by namespace and name.' }),
  skipped: Type.Array(Type.Object({
    roleArn: Type.String({ description: 'The role.' }),
    subject: Type.String({ description: 'The subject that cannot be migrated as is.' }),
    reason: Type.String({ description: 'Why.' })
  }, { additionalProperties: false }), { description: 'Trust that names no single service account (wildcards).' })
}, { $id: 'PodIdentityMigrationPlan', additionalProperties: false, description: 'The plan of a migration from IRSA to Pod Identity; IRSA trust stays in place.' })

export const PodIdentityMigrationQuery = Type.Object({
  dryRun: Type.Optional(Type.Boolean({ default: false, description: '`true`: answer the plan and change nothing. Otherwise the plan is carried out as one operation (202).' }))
}, { additionalProperties: false })

export const MigrationRunStep = Type.Object({
  name: Type.Union([Type.Literal('add-trust'), Type.Literal('create-association')], {
    description: '`add-trust`: add the Pod Identity statement to the role\'s trust policy (UpdateAssumeRolePolicy; the IRSA statement stays); `create-association`: CreatePodIdentityAssociation.'
  }),
  namespace: Type.String({ description: 'Kubernetes namespace.' }),
  serviceAccount: Type.String({ description: 'Kubernetes service account.' }),
  roleArn: Type.String({ description: 'The role.' }),
  status: Type.Union([Type.Literal('pending'), Type.Literal('in_progress'), Type.Literal('succeeded'), Type.Literal('skipped'), Type.Literal('failed')], {
    description: '`pending`, `in_progress`, `succeeded`, `skipped` (the plan does not run it: exists, conflict, ambiguous, or the role trusts Pod Identity already) or `failed`.'
  }),
  clientRequestToken: Type.Optional(Type.String({ description: 'The EKS clientRequestToken of a create step, derived from the operation id and the step: a resumed step never makes a second association.' })),
  associationId: Type.Optional(Type.String({ description: 'The association made, found, or in the way.' })),
  startedAt: Type.Optional(Type.String({ format: 'date-time', description: 'When the step started.' })),
  endedAt: Type.Optional(Type.String({ format: 'date-time', description: 'When the step ended.' })),
  note: Type.Optional(Type.String({ description: 'What happened, or why the step was skipped or failed.' }))
}, { $id: 'MigrationRunStep', additionalProperties: false, description: 'One step of a migration run from IRSA to Pod Identity.' })

export const PodIdentityMigrationRun = Type.Object({
  clusterName: Type.String({ description: 'The cluster.' }),
  operationId: Type.String({ description: 'The operation carrying out the steps; follow it at `/clusters/{name}/operations/{operationId}`.' }),
  steps: Type.Array(Ref(MigrationRunStep), { description: 'Per service account of the plan: add-trust, then create-association.' })
}, { $id: 'PodIdentityMigrationRun', additionalProperties: false, description: 'A migration run that started; IRSA trust stays in place.' })

export type MigrationServiceAccount = Static<typeof MigrationServiceAccount>
export type PodIdentityMigrationPlan = Static<typeof PodIdentityMigrationPlan>
export type MigrationRunStep = Static<typeof MigrationRunStep>
