/**
 * A tiny Fastify app around the changes plugin and its coordinator: a minimal problem+json error
 * handler, a fake "associate" handler whose behaviour each test scripts, and an execution log.
 */
import Fastify from 'fastify'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { ChangeCoordinator, type ChangeCoordinatorOptions } from '../../src/changes/coordinator.ts'
import type { WriteGuard } from '../../src/services/write-guard.ts'
import { ServiceError } from '../../src/errors.ts'
import changes from '../../src/plugins/changes.ts'
import type { Store } from '../../src/store/store.ts'
import { currentChange } from '../../routes/support/current-change.ts'

export const ASSOCIATE_ROUTE = '/clusters/:name/identity-provider-configs'

export interface Execution {
  params: Record<string, string>
  body: unknown
  operationId: string
  guard: WriteGuard
}

export interface Outcome {
  status: number
  body?: unknown
  headers?: Record<string, string>
}

export type Behaviour = (execution: Execution) => Promise<Outcome> | Outcome

export const accepted: Behaviour = ({ operationId, guard }) => ({
  status: 202,
  headers: { location: `/operations/${operationId}`, 'x-request-scoped': 'fresh' },
  body: { operationId, clientRequestToken: guard.clientRequestToken }
})

export interface Harness {
  app: FastifyInstance
  coordinator: ChangeCoordinator
  executions: Execution[]
  behave: (behaviour: Behaviour) => void
}

const silent = { debug () {}, info () {}, warn () {}, error () {} }

export interface HarnessOptions extends Omit<ChangeCoordinatorOptions, 'store' | 'log'> {
  store: Store
  /** Identity the key is scoped to; `anonymous` unless given. */
  principalOf?: (request: FastifyRequest) => string
}

export async function buildHarness (options: HarnessOptions): Promise<Harness> {
  const executions: Execution[] = []
  let behaviour: Behaviour = accepted
  const app = Fastify({ logger: false })
  const { principalOf = () => 'anonymous', ...coordinatorOptions } = options
  const coordinator = new ChangeCoordinator({ log: silent, ...coordinatorOptions })

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

  app.decorateRequest('principal', null)
  app.addHook('onRequest', async (request) => { request.principal = { name: principalOf(request), via: 'anonymous' } })
  await app.register(changes, { coordinator })

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
  const run = async (request: FastifyRequest, reply: FastifyReply) => {
    const change = currentChange(request)
    const execution: Execution = {
      params: request.params as Record<string, string>,
      body: request.body,
      operationId: change.operationId!,
      guard: change.guard
    }
    executions.push(execution)
    const outcome = await behaviour(execution)
    reply.code(outcome.status).headers(outcome.headers ?? {})
    return outcome.body ?? null
  }

  app.post(ASSOCIATE_ROUTE, { schema: { body, operationId: 'associate' }, config: { auth: { action: 'write' }, change: { idempotency: 'required' } } }, run)
  app.delete('/clusters/:name/identity-provider-configs/:configName', {
    schema: { operationId: 'disassociate' }, config: { auth: { action: 'write' }, change: { idempotency: 'optional', resource: 'param:configName' } }
  }, run)
  app.get(ASSOCIATE_ROUTE, { config: { auth: { action: 'read' } } }, async () => ({ read: true }))
  await app.ready()
  coordinator.start()
  return { app, coordinator, executions, behave: (next) => { behaviour = next } }
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
