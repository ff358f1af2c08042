import type { FastifyPluginAsync } from 'fastify'

/** The OpenAPI document the swagger plugin generates from the route schemas. */
const openapiRoutes: FastifyPluginAsync = async (app) => {
  app.get('/openapi.json', { schema: { hide: true }, config: { public: true } }, () => app.swagger())
  app.get('/openapi.yaml', { schema: { hide: true }, config: { public: true } }, (_request, reply) =>
    reply.type('application/yaml; charset=utf-8').send(app.swagger({ yaml: true })))
}

export default openapiRoutes
