import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { problemBody } from '../src/plugins/error-handler.ts'
import type { Readable } from 'node:stream'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { ClusterNameParams, Ref } from '../schemas/common.ts'
import { DescribeUpdateResponse, ListQuery, ListUpdatesResponse } from '../schemas/eks.ts'
import type { Config } from '../src/config.ts'
import { ServiceError } from '../src/errors.ts'
import { openUpdateEventStream } from '../src/watch/update-event-stream.ts'
import { UpdateWatcher } from '../src/watch/update-watcher.ts'
import { waitForUpdate } from '../src/watch/wait-for-update.ts'
import { problems } from './responses.ts'

const UpdateParams = Type.Object({
  ...ClusterNameParams.properties,
  updateId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9-]+$', description: 'Update id (UUID).' })
}, { additionalProperties: false })

const MAX_WAIT_SECONDS = 60

const DescribeUpdateQuery = Type.Object({
  wait: Type.Optional(Type.Integer({
    minimum: 0,
    maximum: MAX_WAIT_SECONDS,
    description: `Long polling: wait up to this many seconds (0 to ${MAX_WAIT_SECONDS}) for the update to reach Successful, Failed or Cancelled before answering. 0 or absent answers at once.`
  }))
}, { additionalProperties: false })

const EVENT_STREAM_DESCRIPTION = [
  'Sent when the request has `Accept: text/event-stream` (`wait` is then ignored). Server-Sent Events:',
  '`event: update` with `data` a DescribeUpdateResponse, first the current state, then on each status change;',
  '`event: error` with `data` a problem details object when a poll fails (the stream goes on unless an `end` follows);',
  'a `: heartbeat` comment every ~15 s; and last `event: end` with `data` `{"reason": "terminal" | "error" | "max-duration" | "shutdown", "detail": "…"}`, after which the server closes the stream.',
  'Every event has an `id`. Close your EventSource on `end`; reconnect after `max-duration` or `shutdown` to keep watching.',
  'An unknown update is answered 404 as a problem, not as a stream.'
].join(' ')

export interface UpdateRoutesOptions { config: Config }

/**
 * Fires when the client goes away before its answer was sent. The reason is logged like any
 * client error (nginx's 499); nobody receives the answer.
 */
function clientGone (reply: FastifyReply) {
  const controller = new AbortController()
  reply.raw.once('close', () => {
    if (reply.raw.writableEnded) return
    controller.abort(new ServiceError({ status: 499, code: 'ClientClosedRequest', slug: 'client-closed-request', title: 'The client closed the connection before the answer' }))
  })
  return controller.signal
}

function wantsEventStream (request: FastifyRequest) {
  return /\btext\/event-stream\b/i.test(request.headers.accept ?? '')
}

const updateRoutes: FastifyPluginAsyncTypebox<UpdateRoutesOptions> = async (app, { config }) => {
  const { identityProviderConfigs } = app.services
  const watcher = new UpdateWatcher({
    describeUpdate: (clusterName, updateId) => identityProviderConfigs.describeUpdate(clusterName, updateId),
    initialIntervalMs: config.WATCH_POLL_INTERVAL_MS,
    maxIntervalMs: config.WATCH_MAX_POLL_INTERVAL_MS,
    onError: (err) => app.log.error({ err }, 'update watch listener failed')
  })
  // Open event streams would otherwise hold server.close() until their max duration.
  app.addHook('preClose', async () => watcher.close())

  app.get('/clusters/:name/updates', {
    config: { auth: { action: 'read' } },
    schema: {
      tags: ['updates'],
      operationId: 'listUpdates',
      summary: 'List the update ids of a cluster',
      params: ClusterNameParams,
      querystring: ListQuery,
      response: { 200: Ref(ListUpdatesResponse), ...problems(404) }
    }
  }, async (request) => identityProviderConfigs.listUpdates(request.params.name, request.query))

  app.get('/clusters/:name/updates/:updateId', {
    config: { auth: { action: 'read' } },
    schema: {
      tags: ['updates'],
      operationId: 'describeUpdate',
      summary: 'Describe an update: InProgress, Successful, Failed or Cancelled; optionally wait for it or stream it',
      description: 'Identity provider updates take 20 to 40 minutes on AWS. Instead of polling by hand, either long-poll with `?wait=SECONDS` (repeat while the answer carries `Retry-After`), or ask for `Accept: text/event-stream` to receive every status change as Server-Sent Events. Every waiting request and stream for one update shares a single DescribeUpdate loop in the service.',
      params: UpdateParams,
      querystring: DescribeUpdateQuery,
      response: {
        200: {
          description: 'The update. With `wait`, it is terminal unless the wait ran out first; then it carries `Retry-After`.',
          headers: {
            'retry-after': Type.Integer({ minimum: 1, description: 'Only with `wait`, when the wait ended before a terminal status: seconds until the service next asks AWS, a good moment to ask again.' })
          },
          content: {
            'application/json': { schema: Ref(DescribeUpdateResponse) },
            // Documented as text; the handler sends it as a stream of that text.
            'text/event-stream': { schema: Type.Unsafe<Readable>({ type: 'string', description: EVENT_STREAM_DESCRIPTION }) }
          }
        },
        ...problems(404)
      }
    }
  }, async (request, reply) => {
    const { name, updateId } = request.params
    if (wantsEventStream(request)) {
      const stream = await openUpdateEventStream(watcher, name, updateId, {
        heartbeatMs: config.WATCH_HEARTBEAT_MS,
        maxDurationMs: config.WATCH_MAX_SECONDS * 1000,
        retryMs: config.WATCH_POLL_INTERVAL_MS,
        problem: (error) => problemBody(request, error),
        signal: clientGone(reply)
      })
      return reply
        .type('text/event-stream; charset=utf-8')
        .header('cache-control', 'no-cache, no-transform')
        .header('x-accel-buffering', 'no')
        .send(stream)
    }

    const wait = request.query.wait ?? 0
    if (wait === 0) return { update: await identityProviderConfigs.describeUpdate(name, updateId) }
    const result = await waitForUpdate(watcher, name, updateId, { waitMs: wait * 1000, signal: clientGone(reply) })
    if (!result.terminal) reply.header('retry-after', String(result.retryAfterSeconds))
    return { update: result.update }
  })
}

export default updateRoutes
