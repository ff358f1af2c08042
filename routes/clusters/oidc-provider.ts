import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { ClusterNameParams, IdempotencyKeyHeader, Ref } from '../../schemas/common.ts'
import { OidcProviderStatus, PutOidcProviderQuery, PutOidcProviderRequest, PutOidcProviderResponse } from '../../schemas/iam.ts'
import { currentChange } from '../support/current-change.ts'
import { location, withHeaders } from '../support/headers.ts'
import { EKS_CALL, IAM_CALL, ISSUER_FETCH } from '../support/problems.ts'
import { scopedPath, scopedServices } from '../support/scope.ts'

const oidcProviderRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/clusters/:name/oidc-provider', {
    config: { auth: { action: 'read' }, problems: [EKS_CALL, IAM_CALL, 'ResourceNotFoundException', 'ClusterStateConflict'] },
    schema: {
      tags: ['oidc-provider'],
      operationId: 'getOpenIDConnectProvider',
      summary: 'Show the cluster\'s IAM OIDC provider (IRSA)',
      description: 'Finds the cluster\'s OIDC issuer, derives the IAM provider ARN from it (partition and account from the cluster ARN) and tells whether the provider exists. A cluster without a provider is a normal answer with `exists: false`.',
      params: ClusterNameParams,
      response: { 200: Ref(OidcProviderStatus) }
    }
  }, async (request) => scopedServices(request).oidcProvider.get(request.params.name))

  app.put('/clusters/:name/oidc-provider', {
    config: {
      change: { idempotency: 'optional' },
      problems: [
        EKS_CALL, IAM_CALL, ISSUER_FETCH, 'ResourceNotFoundException', 'NoSuchEntityException', 'ClusterStateConflict',
        'OpenIdIdpCommunicationErrorException', 'LimitExceededException', 'ConcurrentModificationException'
      ]
    },
    schema: {
      tags: ['oidc-provider'],
      operationId: 'putOpenIDConnectProvider',
      summary: 'Create the IAM OIDC provider, or converge it to the desired state',
      description: 'Creates the provider (201) or converges an existing one with the fewest calls (AddClientID, RemoveClientID, UpdateThumbprint, Tag, Untag), answering 200. A provider already in the desired state makes no write call. With `dryRun=true` nothing changes and `changes` lists the calls that would be made. The Url sent to IAM never carries a port.',
      params: ClusterNameParams,
      querystring: PutOidcProviderQuery,
      headers: IdempotencyKeyHeader,
      body: Ref(PutOidcProviderRequest),
      response: {
        200: Ref(PutOidcProviderResponse),
        201: withHeaders(Ref(PutOidcProviderResponse), location('The provider: `/clusters/{name}/oidc-provider`.'))
      }
    }
  }, async (request, reply) => {
    const change = currentChange(request)
    const result = await scopedServices(request).oidcProvider.put(request.params.name, request.body, { dryRun: change.dryRun, computeThumbprints: request.query.computeThumbprints ?? false })
    change.report({ resource: result.status.OpenIDConnectProviderArn })
    if (result.created) reply.code(201).header('location', scopedPath(request, `/clusters/${encodeURIComponent(request.params.name)}/oidc-provider`))
    return { ...result.status, dryRun: result.dryRun, changes: result.changes }
  })

  app.delete('/clusters/:name/oidc-provider', {
    config: {
      change: { idempotency: 'optional' },
      problems: [
        EKS_CALL, IAM_CALL, 'ResourceNotFoundException', 'ClusterStateConflict', 'ConcurrentModificationException'
      ]
    },
    schema: {
      tags: ['oidc-provider'],
      operationId: 'deleteOpenIDConnectProvider',
      summary: 'Delete the cluster\'s IAM OIDC provider',
      description: 'Answers 204, also when the provider is already gone. Roles trusting the provider stop working for pods.',
      params: ClusterNameParams,
      headers: IdempotencyKeyHeader,
      response: {
        204: Type.Null({ description: 'Deleted, or already absent.' })
      }
    }
  }, async (request, reply) => {
    const arn = await scopedServices(request).oidcProvider.delete(request.params.name)
    currentChange(request).report({ resource: arn })
    return reply.code(204).send(null)
  })
}

export default oidcProviderRoutes
