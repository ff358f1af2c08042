/**
 * An operation record for every mutating request: who, what, which cluster, the EKS
 * clientRequestToken and update id, and how it ended. The record's id is the idempotency record's
 * operation id, so a retried request updates the same operation.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { OperationContext } from '../idempotency/index.ts'
import { operationContextOf } from '../idempotency/plugin.ts'
import { OperationStatus, type ClaimedOperation, type CompletedOperation, type OperationStore } from '../store/index.ts'

declare module 'fastify' {
  interface FastifyRequest {
    /** The operation of a mutating request; set before its handler runs. */
    operation: OperationContext | null
  }
}

/** Who does what on which cluster: the operation record of a mutating request, before its token. */
export function operationOf (request: FastifyRequest): Omit<ClaimedOperation, 'clientRequestToken'> {
  const params = request.params as { name?: string, configName?: string }
  return {
    principal: request.principal?.name ?? 'anonymous',
    action: String(request.routeOptions.schema?.operationId ?? request.routeOptions.url),
    cluster: params.name ?? '',
    resource: params.configName
  }
}

function statusAfter (statusCode: number) {
  if (statusCode === 202) return OperationStatus.IN_PROGRESS
  return statusCode < 400 ? OperationStatus.SUCCEEDED : OperationStatus.FAILED
}

/** How the request's operation ended, from its answer. */
export function operationOutcomeOf (request: FastifyRequest, statusCode: number, updateId: string | undefined, now: Date): CompletedOperation {
  return {
    status: statusAfter(statusCode),
    updateId,
    error: statusCode >= 400 ? { code: `HTTP${statusCode}`, message: `the request was answered ${statusCode}` } : null,
    details: { httpStatus: statusCode, requestId: request.id },
    now
  }
}

/** The EKS update id in an answer's JSON body, if any. */
export function updateIdOf (payload: unknown): string | undefined {
  if (typeof payload !== 'string') return undefined
  try {
    return (JSON.parse(payload) as { update?: { id?: string } }).update?.id
  } catch {
    return undefined
  }
}

async function operationsPlugin (app: FastifyInstance, options: { operations: OperationStore, now?: () => Date }) {
  const { operations } = options
  const now = options.now ?? (() => new Date())
  app.decorateRequest('operation', null)
  const updateIds = new WeakMap<FastifyRequest, string>()

  app.addHook('preHandler', async (request, reply) => {
    if (!request.routeOptions.config.idempotency || reply.sent) return
    const context = operationContextOf(request)
    request.operation = context
    if (request.idempotency?.operationRecorded) return
    await operations.create({ id: context.operationId, ...operationOf(request), clientRequestToken: context.clientRequestToken, now: now() })
  })

  app.addHook('onSend', async (request, _reply, payload) => {
    // A stored idempotent answer carries the outcome already (the idempotency plugin's onSend ran first).
    if (request.idempotency?.operationFinished) return payload
    const updateId = request.operation ? updateIdOf(payload) : undefined
    if (updateId) updateIds.set(request, updateId)
    return payload
  })

  app.addHook('onResponse', async (request, reply) => {
    if (!request.operation || request.idempotency?.operationFinished) return
    try {
      await operations.update(request.operation.operationId, operationOutcomeOf(request, reply.statusCode, updateIds.get(request), now()))
    } catch (error) {
      request.log.error({ err: error }, 'could not record the outcome of the operation')
    }
  })
}

export default fp(operationsPlugin, { name: 'operations', dependencies: ['idempotency'] })
