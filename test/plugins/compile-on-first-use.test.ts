/**
 * Route schemas are compiled at a route's first use, not at start (the start's largest cost);
 * a validator compiled late still reports its errors to Fastify, so bad input stays a 400 that
 * names the member and the rule.
 */
import t from 'tap'
import { compileOnFirstUse } from '../../src/plugins/compile-on-first-use.ts'
import { build } from '../support/build.ts'

t.test('nothing is compiled before the first call, once after it, and the errors of each call are passed on', async t => {
  let compiles = 0
  const compile = compileOnFirstUse((limit: number) => {
    compiles++
    const validate = (data: unknown) => {
      validate.errors = typeof data === 'number' && data <= limit ? null : [{ message: `must be <= ${limit}` }]
      return validate.errors === null
    }
    validate.errors = null as unknown
    return validate
  })
  const validate = compile(3)
  t.equal(compiles, 0, 'not compiled when the route is set up')
  t.equal(validate(5), false)
  t.same(validate.errors, [{ message: 'must be <= 3' }])
  t.equal(validate(2), true)
  t.equal(validate.errors, null)
  t.equal(compiles, 1, 'compiled once')
})

t.test('the app built with it still refuses bad bodies with the member and rule, and serialises answers', async t => {
  const { app } = await build(t, {})
  const bad = await app.inject({ method: 'POST', url: '/clusters/demo/identity-provider-configs', payload: { oidc: { identityProviderConfigName: 7 } } })
  t.equal(bad.statusCode, 400)
  t.match(bad.json(), { errors: [{ pointer: /^\/body\/oidc/, detail: String }] })
  const health = await app.inject({ method: 'GET', url: '/healthz' })
  t.same(health.json(), { status: 'ok' })
})
