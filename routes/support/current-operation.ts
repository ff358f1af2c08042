import type { FastifyRequest } from 'fastify'
import type { OperationContext } from '../../src/idempotency/index.ts'

/** The operation of a mutating route, set by the operations plugin before the handler runs. */
export function currentOperation (request: FastifyRequest): OperationContext {
  if (!request.operation) throw new Error(`${request.routeOptions.url} is not declared as a mutating (idempotency) route`)
  return request.operation
}
