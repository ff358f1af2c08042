/**
 * Shutdown and overload behaviour (reliability.md §5):
 * - once `app.close()` starts, readiness fails and new requests get a 503 problem with
 *   `Connection: close`, while requests already running finish;
 * - while the instance is overloaded (src/load/overload-guard.ts), requests get a 503 problem with
 *   `Retry-After`, counted in `http_requests_shed_total`.
 * The probe routes are never shed, so probes see the real state.
 */
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { LoadMonitor } from '../load/load-monitor.ts'
import { OverloadGuard, type Overload, type OverloadThresholds } from '../load/overload-guard.ts'
import type { ReadinessService } from '../services/readiness.ts'
import { isProbeRoute } from './probe-routes.ts'
import { problem } from '../errors.ts'
import { sendProblem } from './error-handler.ts'

export interface LifecycleOptions {
  /** The readiness checks /readyz runs; a `shutdown` check is added. */
  readiness: ReadinessService
  overload: OverloadThresholds
  /** Where load samples come from: the process, or a test's controlled source. */
  loadMonitor: LoadMonitor
  /**
   * After shutdown begins and before the listener closes, how long connections may drain: each
   * gets its next answer with `Connection: close`. Closing an idle keep-alive connection at once
   * would reset a request the client is sending on it at that moment.
   */
  drainMs: number
  retryAfterSeconds?: number
}

const shuttingDown = () => problem('ServiceShuttingDown', {
  detail: 'This instance no longer accepts requests; retry, and another instance will answer.'
})

const overloaded = ({ reason }: Overload, retryAfterSeconds: number) => problem('ServiceOverloaded', {
  detail: `The instance sheds load (${reason.replaceAll('_', ' ')} is over its threshold); retry after the Retry-After delay.`,
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
  const guard = new OverloadGuard(options.overload, app.log)
  options.loadMonitor.start(sample => guard.observe(sample))
  app.addHook('onClose', async () => options.loadMonitor.stop())
  // Answered here rather than thrown: a shed request is expected under overload, not an error to
  // log with its stack; the guard logs the overload once.
  app.addHook('onRequest', async (request, reply) => {
    const overload = guard.current
    if (overload === undefined || isProbeRoute(request)) return
    guard.countShed()
    app.metrics.countShed(overload.reason)
    return sendProblem(request, reply, overloaded(overload, retryAfterSeconds))
  })
  options.readiness.add('load', async () => {
    if (guard.current) throw new Error('overloaded')
  })
}

export default fp(lifecycle, { name: 'lifecycle', dependencies: ['error-handler', 'metrics'] })
