import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { IdempotencyKeyHeader, Ref } from '../../../schemas/common.ts'
import {
  AccessEntryParams, AccessPolicyParams, AssociateAccessPolicyRequest, AssociateAccessPolicyResponse, ListAssociatedAccessPoliciesResponse
} from '../../../schemas/access-entries.ts'
import { ListQuery } from '../../../schemas/eks.ts'
import { currentChange } from '../../support/current-change.ts'
import { EKS_CALL, type DeclaredProblems } from '../../support/problems.ts'
import { scopedServices } from '../../support/scope.ts'

const POLICY_PROBLEMS = [EKS_CALL, 'ResourceNotFoundException', 'InvalidRequestException'] as const satisfies DeclaredProblems

const associatedPolicyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/clusters/:name/access-entries/:principalArn/access-policies', {
    config: { change: { idempotency: 'optional', resource: 'param:principalArn' }, problems: [...POLICY_PROBLEMS, 'InvalidParameter'] },
    schema: {
      tags: ['access-entries'],
      operationId: 'associateAccessPolicy',
      summary: 'Associate an access policy with an access entry, for the whole cluster or some namespaces',
      description: 'Associating a policy already associated sets its scope to the one given, so a retry changes nothing more. `accessScope.namespaces` is required with `type: namespace` and must be empty with `cluster` (400 naming it). Only `STANDARD` entries take access policies; EKS refuses the others (409 `InvalidRequestException`).',
      params: AccessEntryParams,
      headers: IdempotencyKeyHeader,
      body: Ref(AssociateAccessPolicyRequest),
      response: { 200: Ref(AssociateAccessPolicyResponse) }
    }
  }, async (request) => {
    const change = currentChange(request)
    const out = await scopedServices(request).accessEntries.associatePolicy(request.params.name, request.params.principalArn, request.body, change.guard)
    return { ...out, operationId: change.operationId }
  })

  app.get('/clusters/:name/access-entries/:principalArn/access-policies', {
    config: { auth: { action: 'read' }, problems: POLICY_PROBLEMS },
    schema: {
      tags: ['access-entries'],
      operationId: 'listAssociatedAccessPolicies',
      summary: 'List the access policies of an access entry, with their scopes',
      params: AccessEntryParams,
      querystring: ListQuery,
      response: { 200: Ref(ListAssociatedAccessPoliciesResponse) }
    }
  }, async (request) => scopedServices(request).accessEntries.listPolicies(request.params.name, request.params.principalArn, request.query))

  app.delete('/clusters/:name/access-entries/:principalArn/access-policies/:policyArn', {
    config: { change: { idempotency: 'optional', resource: 'param:policyArn' }, problems: POLICY_PROBLEMS },
    schema: {
      tags: ['access-entries'],
      operationId: 'disassociateAccessPolicy',
      summary: 'Disassociate an access policy from an access entry',
      description: 'Answers 204 whether the policy was disassociated now or was not associated.',
      params: AccessPolicyParams,
      headers: IdempotencyKeyHeader,
      response: { 204: Type.Null({ description: 'The policy is not associated (any more).' }) }
    }
  }, async (request, reply) => {
    const change = currentChange(request)
    await scopedServices(request).accessEntries.disassociatePolicy(request.params.name, request.params.principalArn, request.params.policyArn, change.guard)
    return reply.code(204).send(null)
  })
}

export default associatedPolicyRoutes
