import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { Ref } from '../schemas/common.ts'
import { PreviewRequest, RbacBindingResponse, RbacQuery, TokenReviewRequest, TokenReviewStatus } from '../src/token-review/schemas.ts'
import { ConfigParams } from './identity-provider-configs.ts'
import { problems } from './responses.ts'

const tokenReviewRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { tokenReviews } = app.services

  app.post('/clusters/:name/identity-provider-configs/:configName/token-reviews', {
    config: { auth: { action: 'read' } },
    schema: {
      tags: ['login-diagnosis'],
      operationId: 'createTokenReview',
      summary: 'Why can\'t this user log in? Judge an ID token (or claims) with the associated config',
      description: 'Applies the cluster\'s associated config exactly as the Kubernetes API server\'s OIDC authenticator does and answers in the shape of a TokenReview status: authenticated or not, the username and groups with prefixes applied, every failed check with a stable code, and hints at likely misconfigurations. A token\'s signature is verified against the issuer\'s JWKS (fetched through the SSRF guard). The token is never stored or logged.',
      params: ConfigParams,
      body: Ref(TokenReviewRequest),
      response: { 200: Ref(TokenReviewStatus), ...problems(404) }
    }
  }, async (request) => tokenReviews.review(request.params.name, request.params.configName, request.body))

  app.post('/clusters/:name/identity-provider-configs/:configName/preview', {
    config: { auth: { action: 'read' } },
    schema: {
      tags: ['login-diagnosis'],
      operationId: 'previewTokenReview',
      summary: 'Judge a token with a proposed config, before spending 20 minutes on an association',
      description: 'Same answer as a token review, but with the config in the body (the associate body\'s `oidc`) instead of the associated one.',
      params: ConfigParams,
      body: Ref(PreviewRequest),
      response: { 200: Ref(TokenReviewStatus), ...problems() }
    }
  }, async (request) => tokenReviews.preview(request.body.oidc, request.body))

  app.get('/clusters/:name/identity-provider-configs/:configName/rbac', {
    config: { auth: { action: 'read' } },
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
        },
        ...problems(404)
      }
    }
  }, async (request, reply) => {
    const binding = await tokenReviews.rbac(request.params.name, request.params.configName, request.query)
    if (request.headers.accept?.includes('application/yaml')) return reply.type('application/yaml').send(binding.yaml)
    return reply.type('application/json').send(binding)
  })
}

export default tokenReviewRoutes
