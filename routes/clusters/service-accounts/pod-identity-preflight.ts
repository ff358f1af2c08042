import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Ref } from '../../../schemas/common.ts'
import { PodIdentityPreflight, PreflightQuery, ServiceAccountParams } from '../../../schemas/pod-identity.ts'
import { EKS_CALL, IAM_CALL } from '../../support/problems.ts'
import { scopedServices } from '../../support/scope.ts'

const podIdentityPreflightRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/clusters/:name/service-accounts/:namespace/:serviceAccount/pod-identity/preflight', {
    config: { auth: { action: 'read' }, problems: [EKS_CALL, IAM_CALL, 'ResourceNotFoundException'] },
    schema: {
      tags: ['pod-identity'],
      operationId: 'preflightServiceAccountPodIdentity',
      summary: 'Check whether the pods of a service account would get a role through EKS Pod Identity',
      description: 'Runs the checks a create or PUT runs, without writing: `trust-policy` (the role trusts `pods.eks.amazonaws.com` with `sts:AssumeRole` and `sts:TagSession`; when it does not, `statementToAdd` is the statement to add), `agent-addon` (the `eks-pod-identity-agent` add-on is installed and ACTIVE, or the cluster uses Auto Mode), `platform` (Kubernetes 1.24 or later with the platform versions the EKS User Guide lists, not on AWS Outposts). Always 200: `passed` says whether all passed.',
      params: ServiceAccountParams,
      querystring: PreflightQuery,
      response: { 200: Ref(PodIdentityPreflight) }
    }
  }, async (request) => scopedServices(request).podIdentityAssociations.preflight(request.params.name, request.query.roleArn))
}

export default podIdentityPreflightRoutes
