import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Ref } from '../schemas/common.ts'
import { InspectIssuerRequest, IssuerInspection } from '../schemas/issuers.ts'

const issuerRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { issuers } = app.services

  app.post('/issuers/inspect', {
    config: { auth: { action: 'read' }, problems: ['IssuerUrlInvalid', 'IssuerAddressForbidden'] },
    schema: {
      tags: ['issuers'],
      operationId: 'inspectIssuer',
      summary: 'Inspect an OIDC issuer: discovery, keys, certificate chain, thumbprints and named checks',
      description: 'Fetches `<issuer>/.well-known/openid-configuration` and the JWKS, reads the TLS chain of the JWKS host (and of the issuer host when different), and reports each check with pass/fail and a reason. Every connection goes through the SSRF guard: only https on allowed ports to public addresses, no redirects; a refused URL is a 400 problem and nothing is contacted.',
      body: Ref(InspectIssuerRequest),
      response: { 200: Ref(IssuerInspection) }
    }
  }, async (request) => issuers.inspectIssuer(request.body.issuerUrl))
}

export default issuerRoutes
