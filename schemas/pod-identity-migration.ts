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
  dryRun: Type.Literal(true, { description: 'Required: only the plan is answered; carrying it out as one operation is not available yet.' })
}, { additionalProperties: false })

export type MigrationServiceAccount = Static<typeof MigrationServiceAccount>
export type PodIdentityMigrationPlan = Static<typeof PodIdentityMigrationPlan>
