import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Ref } from '../schemas/common.ts'
import { ListAccessPoliciesResponse } from '../schemas/access-entries.ts'
import { ListQuery } from '../schemas/eks.ts'
import { EKS_CALL } from './support/problems.ts'
import { scopedServices } from './support/scope.ts'

const accessPolicyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/access-policies', {
    config: { auth: { action: 'read', cluster: 'none' }, problems: [EKS_CALL] },
    schema: {
      tags: ['access-entries'],
      operationId: 'listAccessPolicies',
      summary: 'List the access policies AWS offers (AmazonEKSClusterAdminPolicy, AmazonEKSViewPolicy, …)',
      description: 'One page of ListAccessPolicies. The policies are AWS-managed Kubernetes permissions (not IAM policies) that an access entry can be given with `POST /clusters/{name}/access-entries/{principalArn}/access-policies`.',
      querystring: ListQuery,
      response: { 200: Ref(ListAccessPoliciesResponse) }
    }
  }, async (request) => scopedServices(request).accessEntries.listAccessPolicies(request.query))
}

export default accessPolicyRoutes
