import type { FastifyRequest } from 'fastify'

/**
 * What an orchestrator and a scraper call: never rate-limited and never shed, or a flood of bad
 * requests (or plain saturation) would make healthy replicas look dead and blind the metrics.
 */
export const PROBE_ROUTES: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics'])

export const isProbeRoute = (request: FastifyRequest) => PROBE_ROUTES.has(request.routeOptions.url ?? '')
