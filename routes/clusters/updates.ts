import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { problemBody } from '../../src/plugins/error-handler.ts'
import type { Readable } from 'node:stream'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { ClusterNameParams, Ref } from '../../schemas/common.ts'
import {
  DescribeUpdateQuery, DescribeUpdateResponse, ListQuery, ListUpdatesResponse, UPDATE_EVENT_STREAM_DESCRIPTION, UpdateParams
} from '../../schemas/eks.ts'
import { problem } from '../../src/errors.ts'
import { retryAfter } from '../support/headers.ts'
import { EKS_CALL } from '../support/problems.ts'
import { scopedServices } from '../support/scope.ts'

/**
 * Fires when the client goes away before its answer was sent. The reason is logged like any
 * client error (nginx's 499); nobody receives the answer.
 */
function clientGone (reply: FastifyReply) {
  const controller = new AbortController()
  reply.raw.once('close', () => {
    if (reply.raw.writableEnded) return
    controller.abort(problem('ClientClosedRequest'))
  })
  return controller.signal
}

function wantsEventStream (request: FastifyRequest) {
  return /\btext\/event-stream\b/i.test(request.headers.accept ?? '')
}

const updateRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/clusters/:name/updates', {
    config: { auth: { action: 'read' }, problems: [EKS_CALL, 'ResourceNotFoundException'] },
    schema: {
      tags: ['updates'],
      operationId: 'listUpdates',
      summary: 'List the update ids of a cluster',
      params: ClusterNameParams,
      querystring: ListQuery,
      response: { 200: Ref(ListUpdatesResponse) }
    }
  }, async (request) => scopedServices(request).updates.list(request.params.name, request.query))

  app.get('/clusters/:name/updates/:updateId', {
    config: { auth: { action: 'read' }, problems: [EKS_CALL, 'ResourceNotFoundException'] },
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
          headers: retryAfter('Only with `wait`, when the wait ended before a terminal status: seconds until the service next asks AWS, a good moment to ask again.'),
          content: {
            'application/json': { schema: Ref(DescribeUpdateResponse) },
            // Documented as text; the handler sends it as a stream of that text.
            'text/event-stream': { schema: Type.Unsafe<Readable>({ type: 'string', description: UPDATE_EVENT_STREAM_DESCRIPTION }) }
          }
        }
      }
    }
  }, async (request, reply) => {
    const { name, updateId } = request.params
    const { updates } = scopedServices(request)
    if (wantsEventStream(request)) {
      const stream = await updates.stream(name, updateId, { problem: (error) => problemBody(request, error), signal: clientGone(reply) })
      return reply
        .type('text/event-stream; charset=utf-8')
        .header('cache-control', 'no-cache, no-transform')
        .header('x-accel-buffering', 'no')
        .send(stream)
    }

    const wait = request.query.wait ?? 0
    if (wait === 0) return { update: await updates.describe(name, updateId) }
    const result = await updates.wait(name, updateId, wait * 1000, clientGone(reply))
    if (!result.terminal) reply.header('retry-after', String(result.retryAfterSeconds))
    return { update: result.update }
  })
}

export default updateRoutes
