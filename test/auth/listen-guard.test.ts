import t, { type Test } from 'tap'
import { assertListenAllowed, isLoopbackHost } from '../../src/auth/listen-guard.ts'
import { authConfigFromEnv, AuthConfigError } from '../../src/auth/config.ts'
import { createAuthenticator } from '../../src/auth/authenticator.ts'
import { build, testStore } from '../support/build.ts'
import { capturedLog } from '../support/captured-log.ts'

/** The real app with its own logger (LOG_LEVEL, redaction), started; what it logged. */
async function startLogs (t: Test, env: Record<string, string>) {
  const { lines, stream } = capturedLog()
  await build(t, { env: { LOG_LEVEL: 'info', ...env }, deps: { logger: undefined, logStream: stream } })
  return lines
}

t.test('with authentication off, only loopback is allowed', async t => {
  for (const host of ['0.0.0.0', '::', '', '10.0.0.5', '192.168.1.2', 'example.com', '[::]', '::ffff:10.0.0.1']) {
    t.throws(() => assertListenAllowed(true, host), /Refusing to listen on .* with AUTH_MODE=none: without authentication the service may only listen on loopback/, `refuses ${JSON.stringify(host)}`)
  }
  for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', 'LOCALHOST', '::ffff:127.0.0.1']) {
    t.doesNotThrow(() => assertListenAllowed(true, host), `allows ${host}`)
    t.ok(isLoopbackHost(host))
  }
})

t.test('with authentication on, any host is allowed', async t => {
  t.doesNotThrow(() => assertListenAllowed(false, '0.0.0.0'))
  t.doesNotThrow(() => assertListenAllowed(false, '::'))
})

t.test('authentication is off only when asked for explicitly', async t => {
  const error = t.throws(() => authConfigFromEnv({})) as AuthConfigError
  t.match(error.problems, [/no authentication configured: set AUTH_API_TOKENS and\/or AUTH_JWT_ISSUER, or AUTH_MODE=none/])
  t.throws(() => authConfigFromEnv({ AUTH_MODE: 'off' }), /AUTH_MODE: unknown mode "off"/)
  t.throws(() => authConfigFromEnv({ AUTH_MODE: 'none,tokens' }), /"none" cannot be combined/)
  t.throws(() => authConfigFromEnv({ AUTH_MODE: 'tokens' }), /AUTH_API_TOKENS is required when AUTH_MODE includes "tokens"/)
  t.throws(() => authConfigFromEnv({ AUTH_MODE: 'jwt' }), /AUTH_JWT_ISSUER is required[\s\S]*AUTH_JWT_AUDIENCE is required/)
  t.throws(() => authConfigFromEnv({ AUTH_MODE: 'jwt', AUTH_JWT_ISSUER: 'http://idp.example', AUTH_JWT_AUDIENCE: 'a' }), /AUTH_JWT_ISSUER must be an https URL/)
  t.throws(() => authConfigFromEnv({ AUTH_MODE: 'tokens', AUTH_API_TOKENS: 'a:sha256:' + '0'.repeat(64), AUTH_JWT_ISSUER: 'https://idp' }), /AUTH_JWT_ISSUER is set but AUTH_MODE does not include "jwt"/)
  t.throws(() => authConfigFromEnv({ AUTH_MODE: 'jwt', AUTH_JWT_ISSUER: 'https://idp.example', AUTH_JWT_AUDIENCE: 'a', AUTH_JWT_CA_FILE: '/nonexistent.pem' }), /AUTH_JWT_CA_FILE \/nonexistent.pem cannot be read/)
  t.throws(() => authConfigFromEnv({ AUTH_MODE: 'jwt', AUTH_JWT_ISSUER: 'https://idp.example', AUTH_JWT_AUDIENCE: 'a', AUTH_JWT_CLOCK_TOLERANCE_SECONDS: '-1' }), /CLOCK_TOLERANCE/)

  const jwt = authConfigFromEnv({ AUTH_JWT_ISSUER: 'https://idp.example', AUTH_JWT_AUDIENCE: 'a, b' }).jwt
  t.match(jwt, { issuer: 'https://idp.example', audiences: ['a', 'b'], principalClaim: 'sub', algorithms: ['RS256', 'ES256'], clockToleranceSeconds: 30 }, 'mode inferred, defaults applied')

  const config = authConfigFromEnv({ AUTH_MODE: 'none' })
  t.equal(config.disabled, true)
  t.ok(Object.isFrozen(config))
  const outcome = await createAuthenticator(config).authenticate(undefined)
  t.same(outcome, { ok: true, principal: { name: 'anonymous', via: 'anonymous' } })
})

t.test('AUTH_MODE=none: every route acts as anonymous, and a warning is logged at start', async t => {
  const logs = await startLogs(t, { AUTH_MODE: 'none' })
  t.match(logs.join(''), /"level":40.*authentication is DISABLED/)
  const { app } = await build(t, { env: { AUTH_MODE: 'none' } })
  const response = await app.inject({ method: 'PUT', url: '/clusters/demo/oidc-provider?dryRun=true', payload: {} })
  t.equal(response.statusCode, 200)
  const { items } = await (await testStore()).listAudit({ limit: 100 })
  t.equal(items.find(record => record.requestId === response.headers['x-request-id'])?.principal, 'anonymous')
})

t.test('an empty grant list is allowed but warned about', async t => {
  const logs = await startLogs(t, { AUTH_MODE: 'tokens', AUTH_API_TOKENS: 'a:sha256:' + '1'.repeat(64) })
  t.match(logs.join(''), /no authorization grants configured: every authenticated request will be denied/)
})
