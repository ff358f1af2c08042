/** Errors Fastify raises before routing are problems like every other error, with a request id. */
import t from 'tap'
import { assertProblem, build } from '../support/build.ts'

t.test('a path parameter longer than maxParamLength is a 414 problem', async t => {
  const { app } = await build(t)
  const response = await app.inject({ method: 'GET', url: `/clusters/${'a'.repeat(101)}` })
  assertProblem(t, response, 414, 'FST_ERR_MAX_PARAM_LENGTH')
  t.ok(response.headers['x-request-id'], 'carries X-Request-Id')
})

t.test('a malformed URL is a 400 problem', async t => {
  const { app } = await build(t)
  const response = await app.inject({ method: 'GET', url: '/clusters/%E0%A4%A' })
  assertProblem(t, response, 400, 'FST_ERR_BAD_URL')
  t.ok(response.headers['x-request-id'], 'carries X-Request-Id')
})
