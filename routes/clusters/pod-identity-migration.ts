import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ClusterNameParams, IdempotencyKeyHeader, Ref } from '../../schemas/common.ts'
import { PodIdentityMigrationPlan, PodIdentityMigrationQuery, PodIdentityMigrationRun } from '../../schemas/pod-identity-migration.ts'
import { MIGRATION_ACTION } from '../../src/pod-identity/migration-steps.ts'
import { operationLocation } from '../../src/replace/service.ts'
import { currentChange } from '../support/current-change.ts'
import { location, withHeaders } from '../support/headers.ts'
import { EKS_CALL, IAM_CALL } from '../support/problems.ts'
import { scopedPath, scopedServices } from '../support/scope.ts'

const DESCRIPTION = 'Reads every IAM role (ListRoles) and finds those whose trust policy lets a service account (`system:serviceaccount:NS:SA` in a `StringEquals` or `StringLike` condition on `<provider>:sub`) assume them through this cluster\'s IAM OIDC provider. For each service account the plan gives the association to create (or why not: one exists, another role is associated, several roles trust it) and the trust statement the role needs for Pod Identity, next to its IRSA statement, which stays. It also answers the cluster\'s pre-flight checks (agent add-on, platform).\n\n' +
  '`dryRun=true` answers the plan (200) and changes nothing. Without it the plan is carried out as one durable operation (202, `Location` of the operation): per service account to create, `add-trust` (UpdateAssumeRolePolicy adds the Pod Identity statement; the IRSA statement is never removed) then `create-association` (CreatePodIdentityAssociation with a clientRequestToken derived from the operation and the step). The steps are stored in the operation before the first write; a restart resumes at the first unfinished step. An association already there with the same role counts as made; one with another role fails that step. Entries the plan does not carry out are recorded as `skipped` (the role of an association that `exists` still gains its trust statement). The operation ends `succeeded`, or `failed` when a step failed; follow it with GET of the operation. While a run of the cluster is unfinished, another answers 409 `MigrationInProgress`.'

const podIdentityMigrationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/clusters/:name/pod-identity-migration', {
    config: {
      change: { idempotency: 'optional' },
      problems: [EKS_CALL, IAM_CALL, 'ResourceNotFoundException', 'ClusterStateConflict', 'MigrationInProgress']
    },
    schema: {
      tags: ['pod-identity'],
      operationId: MIGRATION_ACTION,
      summary: 'Plan, or run as one operation, the migration of a cluster\'s service accounts from IRSA to EKS Pod Identity',
      description: DESCRIPTION,
      params: ClusterNameParams,
      querystring: PodIdentityMigrationQuery,
      headers: IdempotencyKeyHeader,
      response: {
        200: { ...Ref(PodIdentityMigrationPlan), description: 'The plan (`dryRun=true`); nothing changed.' },
        202: withHeaders({ ...Ref(PodIdentityMigrationRun), description: 'The run started as an operation; follow it at `Location`.' },
          location('The operation carrying out the run: `/clusters/{name}/operations/{operationId}`.'))
      }
    }
  }, async (request, reply) => {
    const change = currentChange(request)
    const migration = scopedServices(request).podIdentityMigration
    const { operationId } = change
    if (change.dryRun || operationId === undefined) return migration.plan(request.params.name)
    const started = await migration.run(request.params.name, operationId)
    change.report({ resource: request.params.name, next: 'run-migration' })
    return reply.code(202).header('location', scopedPath(request, operationLocation(request.params.name, operationId))).send(started)
  })
}

export default podIdentityMigrationRoutes
