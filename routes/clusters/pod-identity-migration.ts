import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ClusterNameParams, Ref } from '../../schemas/common.ts'
import { PodIdentityMigrationPlan, PodIdentityMigrationQuery } from '../../schemas/pod-identity-migration.ts'
import { EKS_CALL, IAM_CALL } from '../support/problems.ts'
import { scopedServices } from '../support/scope.ts'

const podIdentityMigrationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/clusters/:name/pod-identity-migration', {
    config: {
      change: { idempotency: 'optional' },
      problems: [EKS_CALL, IAM_CALL, 'ResourceNotFoundException', 'ClusterStateConflict']
    },
    schema: {
      tags: ['pod-identity'],
      operationId: 'migrateToPodIdentity',
      summary: 'Plan the migration of a cluster\'s service accounts from IRSA to EKS Pod Identity',
      description: 'Reads every IAM role (ListRoles) and finds those whose trust policy lets a service account (`system:serviceaccount:NS:SA` in a `StringEquals` or `StringLike` condition on `<provider>:sub`) assume them through this cluster\'s IAM OIDC provider. For each service account the plan gives the association to create (or why not: one exists, another role is associated, several roles trust it) and the trust statement the role needs for Pod Identity, next to its IRSA statement, which stays. It also answers the cluster\'s pre-flight checks (agent add-on, platform). `dryRun=true` is required: the plan changes nothing. Apply it with the declarative PUT of each service account.',
      params: ClusterNameParams,
      querystring: PodIdentityMigrationQuery,
      response: { 200: Ref(PodIdentityMigrationPlan) }
    }
  }, async (request) => scopedServices(request).podIdentityMigration.plan(request.params.name))
}

export default podIdentityMigrationRoutes
