import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { IdempotencyKeyHeader, Ref } from '../../schemas/common.ts'
import { CrossAccountOidcProviderStatus, ProviderAccountParams, PutOidcProviderQuery, PutOidcProviderRequest, PutOidcProviderResponse } from '../../schemas/iam.ts'
import { currentChange } from '../support/current-change.ts'
import { location, withHeaders } from '../support/headers.ts'
import { EKS_CALL, IAM_CALL, ISSUER_FETCH } from '../support/problems.ts'
import { scopedPath, scopedServices } from '../support/scope.ts'

/** The provider's account is reached through the registry: unknown, or its role refused or unreachable. */
const PROVIDER_ACCOUNT = ['AccountNotFound', 'AccountAccessDenied', 'AccountUnreachable'] as const

const oidcProviderAccountRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/clusters/:name/oidc-provider/accounts/:providerAccountId', {
    config: { auth: { action: 'read', account: 'param:providerAccountId' }, problems: [EKS_CALL, IAM_CALL, PROVIDER_ACCOUNT, 'ResourceNotFoundException', 'ClusterStateConflict'] },
    schema: {
      tags: ['oidc-provider'],
      operationId: 'getCrossAccountOpenIDConnectProvider',
      summary: 'Show the IAM OIDC provider for the cluster\'s issuer in another account (IRSA across accounts)',
      description: 'Pods of the cluster can assume roles of account `providerAccountId` only if that account has an IAM OIDC provider for the cluster\'s issuer. Tells whether it exists there (with its thumbprint drift), and how many providers the account has out of IAM\'s quota of 100 (`oidcProviders`). A missing provider is a normal answer with `exists: false`. The `read` grant must reach the cluster in its own account and in `providerAccountId`.',
      params: ProviderAccountParams,
      response: { 200: Ref(CrossAccountOidcProviderStatus) }
    }
  }, async (request) => scopedServices(request).crossAccountOidcProviders.get(request.params.name, request.params.providerAccountId))

  app.put('/clusters/:name/oidc-provider/accounts/:providerAccountId', {
    config: {
      change: { idempotency: 'optional' },
      auth: { action: 'write', account: 'param:providerAccountId' },
      problems: [
        EKS_CALL, IAM_CALL, ISSUER_FETCH, PROVIDER_ACCOUNT, 'ResourceNotFoundException', 'NoSuchEntityException', 'ClusterStateConflict',
        'OpenIdIdpCommunicationErrorException', 'OidcProviderQuotaReached', 'LimitExceededException', 'ConcurrentModificationException'
      ]
    },
    schema: {
      tags: ['oidc-provider'],
      operationId: 'putCrossAccountOpenIDConnectProvider',
      summary: 'Create the IAM OIDC provider for the cluster\'s issuer in another account, or converge it',
      description: 'As `PUT /clusters/{name}/oidc-provider`, in account `providerAccountId` (through its role of the registry): creates the provider (201) or converges it with the fewest calls (200); a provider in the desired state makes no write call; `dryRun=true` changes nothing. Before a create, the account\'s providers are counted: at IAM\'s quota of 100 the answer is 409 `OidcProviderQuotaReached` with `count` and `quota`. The `write` grant must reach the cluster in its own account and in `providerAccountId`.',
      params: ProviderAccountParams,
      querystring: PutOidcProviderQuery,
      headers: IdempotencyKeyHeader,
      body: Ref(PutOidcProviderRequest),
      response: {
        200: Ref(PutOidcProviderResponse),
        201: withHeaders(Ref(PutOidcProviderResponse), location('The provider: `/clusters/{name}/oidc-provider/accounts/{providerAccountId}`.'))
      }
    }
  }, async (request, reply) => {
    const { name, providerAccountId } = request.params
    const change = currentChange(request)
    const options = { dryRun: change.dryRun, computeThumbprints: request.query.computeThumbprints ?? false }
    const result = await scopedServices(request).crossAccountOidcProviders.put(name, providerAccountId, request.body, options)
    change.report({ resource: result.status.OpenIDConnectProviderArn })
    if (result.created) reply.code(201).header('location', scopedPath(request, `/clusters/${encodeURIComponent(name)}/oidc-provider/accounts/${providerAccountId}`))
    return { ...result.status, dryRun: result.dryRun, changes: result.changes }
  })

  app.delete('/clusters/:name/oidc-provider/accounts/:providerAccountId', {
    config: {
      change: { idempotency: 'optional' },
      auth: { action: 'write', account: 'param:providerAccountId' },
      problems: [EKS_CALL, IAM_CALL, PROVIDER_ACCOUNT, 'ResourceNotFoundException', 'ClusterStateConflict', 'ConcurrentModificationException']
    },
    schema: {
      tags: ['oidc-provider'],
      operationId: 'deleteCrossAccountOpenIDConnectProvider',
      summary: 'Delete the IAM OIDC provider for the cluster\'s issuer in another account',
      description: 'Answers 204, also when the provider is already gone. Roles of that account trusting it stop working for the cluster\'s pods. The `write` grant must reach the cluster in its own account and in `providerAccountId`.',
      params: ProviderAccountParams,
      headers: IdempotencyKeyHeader,
      response: {
        204: Type.Null({ description: 'Deleted, or already absent.' })
      }
    }
  }, async (request, reply) => {
    const arn = await scopedServices(request).crossAccountOidcProviders.delete(request.params.name, request.params.providerAccountId)
    currentChange(request).report({ resource: arn })
    return reply.code(204).send(null)
  })
}

export default oidcProviderAccountRoutes
