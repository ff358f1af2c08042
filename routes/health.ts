import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { HealthStatus } from '../schemas/health.ts'

const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { readiness } = app.services

  app.get('/healthz', {
    config: { public: true },
    schema: { tags: ['health'], operationId: 'getHealth', summary: 'Liveness: the process is up', response: { 200: HealthStatus } }
  }, async () => ({ status: 'ok' }))

  app.get('/readyz', {
    config: { public: true },
    schema: {
      tags: ['health'],
      operationId: 'getReadiness',
      summary: 'Readiness: dependencies are usable',
      description: 'Answers 503 while the service is shutting down or a dependency (the store) is unusable.',
      response: {
        200: { ...HealthStatus, description: 'Ready: every check passed.' },
        503: { ...HealthStatus, description: 'Not ready: shutting down, overloaded, or a dependency failed; `checks` names it.' }
      }
    }
  }, async (_request, reply) => {
    const { ready, checks } = await readiness.report()
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not-ready', checks })
  })
}

export default healthRoutes
