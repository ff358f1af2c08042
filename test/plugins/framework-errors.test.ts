/** Errors Fastify raises before routing are problems like every other error, with a request id. */
import type { FastifyError } from 'fastify'
import t from 'tap'
import { toServiceError } from '../../src/plugins/error-handler.ts'
import { MAX_PATH_PARAM_LENGTH } from '../../src/plugins/security.ts'
import { assertProblem, build } from '../support/build.ts'

t.test('a path parameter longer than maxParamLength is a 414 problem', async t => {
  const { app } = await build(t)
  const response = await app.inject({ method: 'GET', url: `/clusters/${'a'.repeat(MAX_PATH_PARAM_LENGTH + 1)}` })
  assertProblem(t, response, 414, 'FST_ERR_MAX_PARAM_LENGTH')
  t.ok(response.headers['x-request-id'], 'carries X-Request-Id')
})

t.test('below maxParamLength, a parameter breaking its own rule is a 400 naming it', async t => {
  const { app } = await build(t)
  const problem = assertProblem(t, await app.inject({ method: 'GET', url: `/clusters/${'a'.repeat(101)}` }), 400, 'ValidationException')
  t.equal(problem.errors[0].pointer, '/params/name', 'a cluster name is 1 to 100 characters (the EKS model\'s ClusterName)')
})

t.test('a malformed URL is a 400 problem', async t => {
  const { app } = await build(t)
  const response = await app.inject({ method: 'GET', url: '/clusters/%E0%A4%A' })
  assertProblem(t, response, 400, 'FST_ERR_BAD_URL')
  t.ok(response.headers['x-request-id'], 'carries X-Request-Id')
})

t.test('a client error of another origin keeps its code and status', async t => {
  const error = Object.assign(new Error('Range Not Satisfiable'), { statusCode: 416, code: 'ERR_RANGE' }) as FastifyError
  t.match(toServiceError(error), { status: 416, code: 'ERR_RANGE', slug: 'bad-request', catalogueCode: 'BadRequest' })
  const uncoded = Object.assign(new Error('x'), { statusCode: 400 }) as unknown as FastifyError
  t.match(toServiceError(uncoded), { status: 400, code: 'BadRequest' })
})
