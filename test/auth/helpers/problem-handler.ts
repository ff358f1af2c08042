/** A minimal problem+json error handler standing in for the app's own in these tests. */
import type { FastifyInstance } from 'fastify'
import { ServiceError } from '../../../src/errors.ts'

function asServiceError (error: unknown): ServiceError {
  if (error instanceof ServiceError) return error
  if ((error as { statusCode?: number }).statusCode === 400) {
    return new ServiceError({ status: 400, code: 'InvalidParameterException', slug: 'invalid-parameter', title: 'Invalid parameter', detail: (error as Error).message })
  }
  return new ServiceError({ status: 500, code: 'InternalFailure', slug: 'internal', title: 'Internal error' })
}

export function installProblemHandler (app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const problem = asServiceError(error)
    if (problem.retryAfterSeconds !== undefined) reply.header('retry-after', String(problem.retryAfterSeconds))
    reply.code(problem.status).type('application/problem+json').send({
      type: problem.type,
      title: problem.title,
      status: problem.status,
      detail: problem.message,
      instance: `${request.url}#${request.id}`,
      code: problem.code
    })
  })
}
