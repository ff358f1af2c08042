import type { FastifyPluginAsync } from 'fastify'

/** Prometheus text exposition of the service's metrics (recorded by the metrics plugin). */
const metricsRoutes: FastifyPluginAsync = async (app) => {
  app.get('/metrics', { config: { public: true }, schema: { hide: true } }, async (_request, reply) => {
    const { contentType, body } = await app.metrics.render()
    return reply.type(contentType).send(body)
  })
}

export default metricsRoutes
