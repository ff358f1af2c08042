import type { FastifyRequest } from 'fastify'
import type { Change } from '../../src/changes/coordinator.ts'

/** The change of a mutating route, begun by the changes plugin before the handler runs. */
export function currentChange (request: FastifyRequest): Change {
  if (!request.change) throw new Error(`${request.routeOptions.url} declares no config.change`)
  return request.change
}
