/**
 * A tiny Fastify app around the idempotency plugin: a minimal problem+json error handler, a fake
 * "associate" handler whose behaviour each test scripts, and an execution log.
 */
import Fastify from 'fastify'
import type { FastifyInstance } from 'fastify'
import { ServiceError } from '../../src/errors.ts'
import type { OperationContext } from '../../src/idempotency/operation.ts'
import idempotency, { operationContextOf } from '../../src/idempotency/plugin.ts'
import type { IdempotencyPluginOptions } from '../../src/idempotency/plugin.ts'

export const ASSOCIATE_ROUTE = '/clusters/:name/identity-provider-configs'

export interface Execution {
  params: Record<string, string>
  body: unknown
  context: OperationContext
  /** True when the request held an idempotency claim. */
  claimed: boolean
}

export interface Outcome {
  status: number
  body?: unknown
  headers?: Record<string, string>
}

export type Behaviour = (execution: Execution) => Promise<Outcome> | Outcome

export const accepted: Behaviour = ({ context }) => ({
  status: 202,
  headers: { location: `/operations/${context.operationId}`, 'x-request-scoped': 'fresh' },
  body: { operationId: context.operationId, clientRequestToken: context.clientRequestToken }
})

export interface Harness {
  app: FastifyInstance
  executions: Execution[]
  behave: (behaviour: Behaviour) => void
}

export async function buildHarness (options: IdempotencyPluginOptions): Promise<Harness> {
  const executions: Execution[] = []
  let behaviour: Behaviour = accepted
  const app = Fastify({ logger: false })

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof ServiceError) {
      if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds))
      return reply.code(error.status).type('application/problem+json').send({
        type: error.type, title: error.title, status: error.status, detail: error.message, code: error.code, instance: request.url
      })
    }
    const status = (error as { statusCode?: number }).statusCode ?? 500
    return reply.code(status).type('application/problem+json').send({ title: 'error', status })
  })

  await app.register(idempotency, options)

  const body = {
    type: 'object',
    required: ['identityProviderConfigName'],
    properties: {
      identityProviderConfigName: { type: 'string' },
      issuerUrl: { type: 'string' },
      groupsClaim: { type: 'string', default: 'groups' },
      requiredClaims: { type: 'object', additionalProperties: { type: 'string' } },
      clientRequestToken: { type: 'string' }
    }
  }
  const run = async (request: Parameters<typeof operationContextOf>[0], reply: import('fastify').FastifyReply) => {
    const execution: Execution = {
      params: request.params as Record<string, string>,
      body: request.body,
      context: operationContextOf(request),
      claimed: request.idempotency !== null
    }
    executions.push(execution)
    const outcome = await behaviour(execution)
    reply.code(outcome.status).headers(outcome.headers ?? {})
    return outcome.body ?? null
  }

  app.post(ASSOCIATE_ROUTE, { schema: { body }, config: { idempotency: 'required' } }, run)
  app.delete('/clusters/:name/identity-provider-configs/:configName', { config: { idempotency: 'optional' } }, run)
  app.get(ASSOCIATE_ROUTE, { config: { idempotency: 'optional' } }, run)
  await app.ready()
  return { app, executions, behave: (next) => { behaviour = next } }
}

/** A clock the test moves by hand. */
export function manualClock (start = Date.now()) {
  let current = start
  return {
    now: () => new Date(current),
    advance: (ms: number) => { current += ms }
  }
}

/** A promise with its resolve function, to hold a handler mid-flight. */
export function gate () {
  let open!: () => void
  const opened = new Promise<void>((resolve) => { open = resolve })
  return { opened, open }
}
