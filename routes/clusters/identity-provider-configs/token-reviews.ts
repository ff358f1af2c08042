import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ConfigParams, Ref } from '../../../schemas/common.ts'
import { PreviewRequest, TokenReviewRequest, TokenReviewStatus } from '../../../schemas/token-review.ts'
import { EKS_CALL } from '../../support/problems.ts'
import { scopedServices } from '../../support/scope.ts'

const tokenReviewRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/clusters/:name/identity-provider-configs/:configName/token-reviews', {
    config: { auth: { action: 'read' }, problems: [EKS_CALL, 'ResourceNotFoundException'] },
    schema: {
      tags: ['login-diagnosis'],
      operationId: 'createTokenReview',
      summary: 'Why can\'t this user log in? Judge an ID token (or claims) with the associated config',
      description: 'Applies the cluster\'s associated config exactly as the Kubernetes API server\'s OIDC authenticator does and answers in the shape of a TokenReview status: authenticated or not, the username and groups with prefixes applied, every failed check with a stable code, and hints at likely misconfigurations. A token\'s signature is verified against the issuer\'s JWKS (fetched through the SSRF guard). The token is never stored or logged.',
      params: ConfigParams,
      body: Ref(TokenReviewRequest),
      response: { 200: Ref(TokenReviewStatus) }
    }
  }, async (request) => scopedServices(request).tokenReviews.review(request.params.name, request.params.configName, request.body))

  app.post('/clusters/:name/identity-provider-configs/:configName/preview', {
    config: { auth: { action: 'read' } },
    schema: {
      tags: ['login-diagnosis'],
      operationId: 'previewTokenReview',
      summary: 'Judge a token with a proposed config, before spending 20 minutes on an association',
      description: 'Same answer as a token review, but with the config in the body (the associate body\'s `oidc`) instead of the associated one.',
      params: ConfigParams,
      body: Ref(PreviewRequest),
      response: { 200: Ref(TokenReviewStatus) }
    }
  }, async (request) => scopedServices(request).tokenReviews.preview(request.body.oidc, request.body))
}

export default tokenReviewRoutes
