/**
 * Shutdown and overload behaviour (reliability.md §5):
 * - once `app.close()` starts, readiness fails and new requests get a 503 problem with
 *   `Connection: close`, while requests already running finish;
 * - under event-loop, heap or RSS pressure, requests get a 503 problem with `Retry-After`.
 * The health routes stay reachable in both cases, so probes see the real state.
 */
import underPressure from '@fastify/under-pressure'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { ReadinessService } from '../services/readiness.ts'
import { isProbeRoute } from './probe-routes.ts'
import { problem } from '../errors.ts'
import { sendProblem } from './error-handler.ts'

export interface LifecycleOptions {
  /** The readiness checks /readyz runs; a `shutdown` check is added. */
  readiness: ReadinessService
  /** 0 turns a threshold off. */
  maxEventLoopDelayMs: number
  maxEventLoopUtilization: number
  maxHeapBytes: number
  maxRssBytes: number
  /**
   * After shutdown begins and before the listener closes, how long connections may drain: each
   * gets its next answer with `Connection: close`. Closing an idle keep-alive connection at once
   * would reset a request the client is sending on it at that moment.
   */
  drainMs: number
  /** How often load is sampled (under-pressure's default 1000 ms). */
  sampleIntervalMs?: number
  retryAfterSeconds?: number
}

const shuttingDown = () => problem('ServiceShuttingDown', {
  detail: 'This instance no longer accepts requests; retry, and another instance will answer.'
})

const overloaded = (type: string, retryAfterSeconds: number) => problem('ServiceOverloaded', {
  detail: `The instance sheds load (${type} is over its threshold); retry after the Retry-After delay.`,
  retryAfterSeconds
})

/** Counts open connections and tells when none are left. */
function trackConnections (app: FastifyInstance) {
  let open = 0
  let onEmpty: (() => void) | undefined
  app.server.on('connection', socket => {
    open++
    socket.once('close', () => {
      if (--open === 0) onEmpty?.()
    })
  })
  return {
    drained: (timeoutMs: number) => new Promise<void>(resolve => {
      if (open === 0) return resolve()
      const timer = setTimeout(resolve, timeoutMs)
      onEmpty = () => { clearTimeout(timer); resolve() }
    })
  }
}

async function lifecycle (app: FastifyInstance, options: LifecycleOptions) {
  let closing = false
  const connections = trackConnections(app)
  // Fastify 5 runs preClose right after it stops routing normally, before the server stops listening.
  app.addHook('preClose', async () => {
    closing = true
    if (app.server.listening) await connections.drained(options.drainMs)
  })
  options.readiness.add('shutdown', async () => {
    if (closing) throw new Error('shutting down')
  })

  // Fastify's own answer while closing (return503OnClosing) is a plain JSON body; buildApp turns
  // it off so that this hook answers with a problem instead.
  app.addHook('onRequest', async (request, reply) => {
    if (!closing || isProbeRoute(request)) return
    reply.header('connection', 'close')
    return sendProblem(request, reply, shuttingDown())
  })

  // Requests that were already running when shutdown began end their connection too; otherwise
  // the keep-alive socket stays open and the server waits for it until keepAliveTimeout.
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close')
  })

  const retryAfterSeconds = options.retryAfterSeconds ?? 5
  await app.register(underPressure, {
    maxEventLoopDelay: options.maxEventLoopDelayMs,
    maxEventLoopUtilization: options.maxEventLoopUtilization,
    // Utilisation over the last sample, not since start: a busy start-up must not shed load later.
    eventLoopUtilizationMode: 'interval',
    maxHeapUsedBytes: options.maxHeapBytes,
    maxRssBytes: options.maxRssBytes,
    sampleInterval: options.sampleIntervalMs,
    // A rejected promise goes to the error handler, which renders the problem and Retry-After.
    pressureHandler: (request, _reply, type) => isProbeRoute(request) ? undefined : Promise.reject(overloaded(type, retryAfterSeconds))
  })
  options.readiness.add('load', async () => {
    if (app.isUnderPressure()) throw new Error('overloaded')
  })
}

export default fp(lifecycle, { name: 'lifecycle', dependencies: ['error-handler'] })
