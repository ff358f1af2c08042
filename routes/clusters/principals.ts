import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { PrincipalParams, PrincipalReview } from '../../schemas/access-entries.ts'
import { Ref } from '../../schemas/common.ts'
import { EKS_CALL } from '../support/problems.ts'
import { scopedServices } from '../support/scope.ts'

const principalRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/clusters/:name/principals/:principalArn', {
    config: { auth: { action: 'read' }, problems: [EKS_CALL, 'ResourceNotFoundException', 'InvalidRequestException'] },
    schema: {
      tags: ['login-diagnosis'],
      operationId: 'reviewPrincipal',
      summary: 'Who is this IAM principal in the cluster? The username, groups and access policies its access entry gives, or why it has none',
      description: 'The IAM counterpart of a token review. Give an IAM role or user ARN, or a role session ARN as `aws sts get-caller-identity` prints it (`arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`): a session is mapped to its role by the role\'s name among the cluster\'s access entries, since the session ARN does not show the role\'s path (role names are unique in an account, so at most one entry matches; a role ARN written without its path is found the same way), and the username template is filled in with the session name. `reason` says why: `AccessEntry`, `NodeAccessEntry`, `NoAccessEntry` (in `API_AND_CONFIG_MAP` the `aws-auth` ConfigMap may still map it) or `ConfigMapMode` (only `aws-auth` decides; this service does not read it). Cluster-creator admin access granted outside access entries is not shown.',
      params: PrincipalParams,
      response: { 200: Ref(PrincipalReview) }
    }
  }, async (request) => scopedServices(request).principalReviews.review(request.params.name, request.params.principalArn))
}

export default principalRoutes
