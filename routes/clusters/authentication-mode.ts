import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ClusterNameParams, IdempotencyKeyHeader, Ref } from '../../schemas/common.ts'
import { AuthenticationModeResponse, PutAuthenticationModeRequest, PutAuthenticationModeResponse } from '../../schemas/access-entries.ts'
import { currentChange } from '../support/current-change.ts'
import { location, withHeaders } from '../support/headers.ts'
import { EKS_CALL } from '../support/problems.ts'
import { scopedPath, scopedServices } from '../support/scope.ts'
import { updateLocation } from '../support/update-location.ts'

const authenticationModeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/clusters/:name/authentication-mode', {
    config: { auth: { action: 'read' }, problems: [EKS_CALL, 'ResourceNotFoundException'] },
    schema: {
      tags: ['access-entries'],
      operationId: 'getAuthenticationMode',
      summary: 'Read how the cluster maps IAM principals: CONFIG_MAP, API_AND_CONFIG_MAP or API, and the mode it may move to next',
      description: 'Read from a fresh DescribeCluster (`accessConfig.authenticationMode`, also in `GET /clusters/{name}`). A cluster whose answer carries no access configuration predates access entries and reads only `aws-auth`: `CONFIG_MAP`.',
      params: ClusterNameParams,
      response: { 200: Ref(AuthenticationModeResponse) }
    }
  }, async (request) => scopedServices(request).authenticationMode.read(request.params.name))

  app.put('/clusters/:name/authentication-mode', {
    config: {
      change: { idempotency: 'optional' },
      problems: [EKS_CALL, 'ResourceNotFoundException', 'ResourceInUseException', 'InvalidRequestException', 'AuthenticationModeTransition', 'ConfirmationRequired']
    },
    schema: {
      tags: ['access-entries'],
      operationId: 'putAuthenticationMode',
      summary: 'Move the cluster to an authentication mode (one step forward; starts an EKS AccessConfigUpdate)',
      description: 'EKS moves `CONFIG_MAP` → `API_AND_CONFIG_MAP` → `API`, one step per update, and never back. The cluster already in the mode: 200 `unchanged`, no AWS write. The next mode: 202 `started` with the EKS update (`type: AccessConfigUpdate`) and a `Location` to follow it (`/clusters/{name}/updates/{updateId}`, with `?wait=` or as an event stream); the operation record follows it to its end. Any other mode is refused before AWS is called, with 409 `AuthenticationModeTransition` saying the way forward. Moving to `API` needs `"confirm": "API"` in the body (else 400 `ConfirmationRequired` naming `/body/confirm`): the cluster then stops reading the `aws-auth` ConfigMap. Another update of the cluster still running: 409 `ResourceInUseException`.',
      params: ClusterNameParams,
      headers: IdempotencyKeyHeader,
      body: Ref(PutAuthenticationModeRequest),
      response: {
        200: { ...Ref(PutAuthenticationModeResponse), description: 'The cluster is already in this mode.' },
        202: withHeaders({ ...Ref(PutAuthenticationModeResponse), description: 'The change started; follow the update at `Location`.' },
          location('The EKS update to follow: `/clusters/{name}/updates/{updateId}`.'))
      }
    }
  }, async (request, reply) => {
    const change = currentChange(request)
    const outcome = await scopedServices(request).authenticationMode.change(request.params.name, request.body, change.guard)
    if (outcome.kind === 'unchanged') return { outcome: outcome.kind, authenticationMode: outcome.authenticationMode }
    change.report({ updateId: outcome.update.id, next: 'follow-update' })
    reply.code(202).header('location', scopedPath(request, updateLocation(request.params.name, outcome.update.id)))
    return { outcome: outcome.kind, authenticationMode: outcome.authenticationMode, update: outcome.update, operationId: change.operationId }
  })
}

export default authenticationModeRoutes
