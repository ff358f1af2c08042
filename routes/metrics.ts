import type { FastifyPluginAsync } from 'fastify'
import { Type } from 'typebox'

/** Prometheus text exposition of the service's metrics (recorded by the metrics plugin). */
const metricsRoutes: FastifyPluginAsync = async (app) => {
  app.get('/metrics', {
    config: { public: true },
    schema: {
      tags: ['metrics'],
      operationId: 'getMetrics',
      summary: 'Prometheus metrics of this instance',
      response: {
        200: {
          description: 'The metrics in the Prometheus text exposition format (version 0.0.4).',
          content: { 'text/plain': { schema: Type.String() } }
        }
      }
    }
  }, async (_request, reply) => {
    const { contentType, body } = await app.metrics.render()
    return reply.type(contentType).send(body)
  })
}

export default metricsRoutes
