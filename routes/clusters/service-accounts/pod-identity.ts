import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { IdempotencyKeyHeader, Ref } from '../../../schemas/common.ts'
import {
  PutServiceAccountPodIdentityQuery, PutServiceAccountPodIdentityRequest, PutServiceAccountPodIdentityResponse, ServiceAccountParams
} from '../../../schemas/pod-identity.ts'
import { currentChange } from '../../support/current-change.ts'
import { location, withHeaders } from '../../support/headers.ts'
import { EKS_CALL, POD_IDENTITY_PREFLIGHT } from '../../support/problems.ts'
import { scopedPath, scopedServices } from '../../support/scope.ts'
import { associationPath } from '../pod-identity-associations.ts'

const podIdentityRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.put('/clusters/:name/service-accounts/:namespace/:serviceAccount/pod-identity', {
    config: {
      change: { idempotency: 'optional', resource: 'param:serviceAccount' },
      problems: [EKS_CALL, POD_IDENTITY_PREFLIGHT, 'ResourceNotFoundException', 'InvalidRequestException', 'ResourceLimitExceededException', 'PodIdentityAssociationExists']
    },
    schema: {
      tags: ['pod-identity'],
      operationId: 'putServiceAccountPodIdentity',
      summary: 'Converge the Pod Identity association of one service account',
      description: 'Makes the one association of the service account equal to the body: creates it (201, `created`), updates what differs (200, `updated`, `changes` naming the members), or does nothing (200, `unchanged`). An absent `targetRoleArn` removes the target role, an absent `disableSessionTags` means false; `tags` apply only when creating. The pre-flight checks always run and are answered in `preflight`; a failed one refuses a create or update with 422 `PodIdentityPreflightFailed` unless `force=true`. `?dryRun=true` answers what would happen and writes nothing. Namespace and service account must be Kubernetes names (400 naming `/params/namespace` or `/params/serviceAccount`).',
      params: ServiceAccountParams,
      querystring: PutServiceAccountPodIdentityQuery,
      headers: IdempotencyKeyHeader,
      body: Ref(PutServiceAccountPodIdentityRequest),
      response: {
        200: { ...Ref(PutServiceAccountPodIdentityResponse), description: 'Updated, unchanged, or the plan of a dry run.' },
        201: withHeaders({ ...Ref(PutServiceAccountPodIdentityResponse), description: 'The association was created.' },
          location('The association: `/clusters/{name}/pod-identity-associations/{associationId}`.'))
      }
    }
  }, async (request, reply) => {
    const change = currentChange(request)
    const { name, namespace, serviceAccount } = request.params
    const outcome = await scopedServices(request).podIdentityAssociations.converge(name, { namespace, serviceAccount }, request.body, change.guard, {
      dryRun: change.dryRun, force: request.query.force ?? false
    })
    if (outcome.association?.associationArn) change.report({ resource: outcome.association.associationArn })
    const body = { ...outcome, operationId: change.operationId }
    if (outcome.outcome !== 'created' || outcome.dryRun) return body
    return reply.code(201)
      .header('location', scopedPath(request, associationPath(name, outcome.association?.associationId)))
      .send(body)
  })
}

export default podIdentityRoutes
