import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'

const HealthStatus = Type.Object({
  status: Type.String({ description: '`ok` or `ready`, or `not-ready` with the failing checks.' }),
  checks: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'Dependency checks and their result.' }))
}, { additionalProperties: false })

/** Readiness checks run on each /readyz call: a name and a probe that throws when unusable. */
export type ReadinessCheck = () => Promise<void>

const healthRoutes: FastifyPluginAsyncTypebox<{ readinessChecks: Record<string, ReadinessCheck> }> = async (app, options) => {
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
      response: { 200: HealthStatus, 503: HealthStatus }
    }
  }, async (_request, reply) => {
    const results = await Promise.all(Object.entries(options.readinessChecks).map(async ([name, check]) => {
      try {
        await check()
        return [name, 'ok'] as const
      } catch (error) {
        return [name, (error as Error).message] as const
      }
    }))
    const ready = results.every(([, result]) => result === 'ok')
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not-ready', checks: Object.fromEntries(results) })
  })
}

export default healthRoutes
