import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { ConfigParams, Ref } from '../../../schemas/common.ts'
import { RbacBindingResponse, RbacQuery } from '../../../schemas/token-review.ts'
import { EKS_CALL } from '../../support/problems.ts'
import { scopedServices } from '../../support/scope.ts'

const rbacRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/clusters/:name/identity-provider-configs/:configName/rbac', {
    config: { auth: { action: 'read' }, problems: [EKS_CALL, 'ResourceNotFoundException', 'InvalidParameter'] },
    schema: {
      tags: ['login-diagnosis'],
      operationId: 'getRbacBinding',
      summary: 'The ClusterRoleBinding or RoleBinding granting a role to an OIDC group or user',
      description: 'The subject is written with the config\'s prefixes applied, exactly as the API server will see it. Answers JSON with the manifest in `yaml`, or the manifest alone with `Accept: application/yaml`.',
      params: ConfigParams,
      querystring: Ref(RbacQuery),
      response: {
        200: {
          description: 'The binding.',
          content: {
            'application/json': { schema: Ref(RbacBindingResponse) },
            'application/yaml': { schema: Type.String({ description: 'The manifest, ready for `kubectl apply -f -`.' }) }
          }
        }
      }
    }
  }, async (request, reply) => {
    const binding = await scopedServices(request).tokenReviews.rbac(request.params.name, request.params.configName, request.query)
    if (request.headers.accept?.includes('application/yaml')) return reply.type('application/yaml').send(binding.yaml)
    return reply.type('application/json').send(binding)
  })
}

export default rbacRoutes
