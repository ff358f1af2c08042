/**
 * Request metrics and the request context: counts and times every answer by route template, sets
 * up the AsyncLocalStorage context that AWS call logs read (routes/metrics.ts serves GET /metrics).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import fp from 'fastify-plugin'
import type { ServiceMetrics } from '../observability/metrics.ts'
import { runInRequestContext, type RequestContext } from '../observability/request-context.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** Counters other plugins increment, e.g. `app.metrics.countIdempotency('replayed')`. */
    metrics: ServiceMetrics
  }
  interface FastifyRequest {
    /** What code below the routes sees of the request (AsyncLocalStorage), including the AWS calls it made. */
    requestContext: RequestContext
  }
}

export interface MetricsPluginOptions { metrics: ServiceMetrics }

/** Unmatched URLs share one label: raw paths would make the label set unbounded. */
const UNMATCHED_ROUTE = 'unmatched'

function enterRequestContext (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) {
  request.requestContext ??= { reqId: request.id, log: request.log, awsCalls: [] }
  runInRequestContext(request.requestContext, done)
}

async function metricsPlugin (app: FastifyInstance, options: MetricsPluginOptions) {
  const { metrics } = options
  app.decorate('metrics', metrics)
  app.decorateRequest('requestContext', null as unknown as RequestContext)

  app.addHook('onRequest', enterRequestContext)
  // Entered again after body parsing: stream callbacks need not run in the request's context.
  app.addHook('preValidation', enterRequestContext)

  app.addHook('onResponse', async (request, reply) => {
    metrics.observeRequest({ route: request.routeOptions.url ?? UNMATCHED_ROUTE, method: request.method, status: reply.statusCode }, reply.elapsedTime / 1000)
  })
}

export default fp(metricsPlugin, { name: 'metrics' })
