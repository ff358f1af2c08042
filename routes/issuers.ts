import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Ref } from '../schemas/common.ts'
import { InspectIssuerRequest, IssuerInspection } from '../schemas/issuers.ts'

const issuerRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { issuers } = app.services

  app.post('/issuers/inspect', {
    config: { auth: { action: 'read' }, problems: ['IssuerAddressForbidden'] },
    schema: {
      tags: ['issuers'],
      operationId: 'inspectIssuer',
      summary: 'Inspect an OIDC issuer: discovery, keys, certificate chain, thumbprints and named checks',
      description: [
        'Fetches `<issuer>/.well-known/openid-configuration` and the JWKS, reads the TLS chain of the JWKS host (and of the issuer host when different), and reports each check with pass/fail and a reason.',
        '',
        'A diagnosis, so what is found at the issuer is a **200** report: an issuer that cannot be resolved, reached or verified (no discovery document, another `issuer`, no signing key, an untrusted or expired certificate, a timeout) answers 200 with those checks failed and a reason each.',
        'Two things are refused with a **400** problem instead, and nothing is contacted: an `issuerUrl` breaking the issuer URL rule (http, userinfo, a port, a query, a fragment, unparsable: `ValidationException` naming the broken part, as on every route that takes an issuer URL), and an issuer whose address the SSRF guard refuses (loopback, private, link-local, metadata: `IssuerAddressForbidden`).'
      ].join('\n'),
      body: Ref(InspectIssuerRequest),
      response: { 200: Ref(IssuerInspection) }
    }
  }, async (request) => issuers.inspectIssuer(request.body.issuerUrl))
}

export default issuerRoutes
