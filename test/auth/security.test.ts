import t from 'tap'
import { generateToken, hashToken } from '../../src/auth/static-tokens.ts'
import { parseDuration, rateLimitConfigFromEnv } from '../../src/auth/rate-limit-config.ts'
import { genReqId } from '../../src/plugins/security.ts'
import { startHarness } from '../e2e/support.ts'
import { build } from '../support/build.ts'
import { capturedLog } from '../support/captured-log.ts'

const alpha = generateToken()
const beta = generateToken()
const env = {
  AUTH_API_TOKENS: `alpha:${hashToken(alpha)},beta:${hashToken(beta)}`,
  AUTH_GRANTS: JSON.stringify({ grants: [{ principal: 'alpha', clusters: ['*'], actions: ['read'] }, { principal: 'beta', clusters: ['*'], actions: ['read'] }] })
}
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

t.test('rate limit per principal, on the real app', async t => {
  const { app } = await build(t, { env: { ...env, AUTH_MODE: 'tokens', RATE_LIMIT_MAX: '3', RATE_LIMIT_WINDOW: '60s' } })
  const get = (token?: string, url = '/clusters/demo/oidc-provider') =>
    app.inject({ method: 'GET', url, headers: token === undefined ? {} : { authorization: `Bearer ${token}` } })

  t.test('the fourth request of a principal in the window gets a 429 problem', async t => {
    const statuses: number[] = []
    let last
    for (let i = 0; i < 4; i++) {
      last = await get(alpha)
      statuses.push(last.statusCode)
    }
    t.same(statuses, [200, 200, 200, 429])
    t.match(last!.headers['content-type'], /^application\/problem\+json/)
    t.match(last!.json(), { status: 429, code: 'TooManyRequestsException', type: 'https://eks-oidc-api.dev/problems/too-many-requests' })
    t.equal(last!.headers['x-ratelimit-limit'], '3')
    t.equal(last!.headers['x-ratelimit-remaining'], '0')
    const retryAfter = Number(last!.headers['retry-after'])
    t.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter} is within the window`)
    t.ok(Number(last!.headers['x-ratelimit-reset']) >= 1)
  })

  t.test('another principal has its own budget', async t => {
    const response = await get(beta)
    t.equal(response.statusCode, 200)
    t.equal(response.headers['x-ratelimit-remaining'], '2')
  })

  t.test('unauthenticated traffic is limited per IP, failed logins included; probes are not limited', async t => {
    const statuses: number[] = []
    statuses.push((await get(undefined, '/healthz')).statusCode)
    statuses.push((await get(generateToken())).statusCode)
    statuses.push((await get(generateToken())).statusCode)
    statuses.push((await get()).statusCode)
    statuses.push((await get(generateToken())).statusCode)
    t.same(statuses, [200, 401, 401, 401, 429])
  })
})

t.test('rate limit settings', async t => {
  t.same(rateLimitConfigFromEnv({}), { max: 300, windowMs: 60_000 })
  t.same(rateLimitConfigFromEnv({ RATE_LIMIT_MAX: '50', RATE_LIMIT_WINDOW: '30s' }), { max: 50, windowMs: 30_000 })
  t.equal(parseDuration('1m'), 60_000)
  t.equal(parseDuration('1500'), 1500)
  t.equal(parseDuration('2h'), 7_200_000)
  t.equal(parseDuration('soon'), undefined)
  t.throws(() => rateLimitConfigFromEnv({ RATE_LIMIT_MAX: '0' }), /RATE_LIMIT_MAX must be an integer from 1/)
  t.throws(() => rateLimitConfigFromEnv({ RATE_LIMIT_WINDOW: 'a while' }), /RATE_LIMIT_WINDOW must be a duration/)
})

t.test('request ids, on the real app and its own logger, over HTTP', async t => {
  const { lines, stream } = capturedLog()
  const { call } = await startHarness(t, { env: { ...env, AUTH_MODE: 'tokens', LOG_LEVEL: 'info' }, logStream: stream })
  const withId = (id?: string) => call('GET', '/healthz', { headers: id === undefined ? {} : { 'x-request-id': id } })

  t.test('a well-formed id is kept, echoed and logged with the request', async t => {
    const reply = await withId('trace-1234.abc:XYZ_9')
    t.equal(reply.headers.get('x-request-id'), 'trace-1234.abc:XYZ_9')
    const logged = lines.map(line => JSON.parse(line)).filter(entry => entry.reqId === 'trace-1234.abc:XYZ_9')
    t.match(logged, [{ msg: 'incoming request', req: { method: 'GET', url: '/healthz' } }, { msg: 'request completed', res: { statusCode: 200 } }])
  })

  t.test('without one, a UUID is generated and echoed', async t => {
    t.match((await withId()).headers.get('x-request-id'), UUID)
  })

  for (const [what, id] of [['spaces', 'has spaces'], ['a newline-free injection attempt', 'a"b'], ['129 characters', 'x'.repeat(129)], ['an empty value', '']]) {
    t.test(`an id with ${what} is replaced`, async t => {
      const echoed = (await withId(id)).headers.get('x-request-id')
      t.match(echoed, UUID)
      t.not(echoed, id)
    })
  }

  t.test('128 characters are accepted', async t => {
    t.equal(genReqId({ headers: { 'x-request-id': 'y'.repeat(128) } } as never), 'y'.repeat(128))
  })

  t.test('errors carry the id as well', async t => {
    const reply = await call('GET', '/clusters/x/oidc-provider', { headers: { 'x-request-id': 'denied-1' } })
    t.equal(reply.status, 401)
    t.equal(reply.headers.get('x-request-id'), 'denied-1')
    t.equal(reply.body.requestId, 'denied-1')
  })
})

t.test('security headers of the real app', async t => {
  const { app } = await build(t, { env: { ...env, AUTH_MODE: 'tokens' } })
  const apiHeaders = {
    'content-security-policy': "default-src 'none';frame-ancestors 'none';base-uri 'none';form-action 'none'",
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-resource-policy': 'same-origin',
    'cache-control': 'no-store'
  }

  for (const [what, request] of [
    ['a successful API response', { url: '/clusters/demo/oidc-provider', headers: { authorization: `Bearer ${alpha}` }, status: 200 }],
    ['a 401', { url: '/clusters/demo/oidc-provider', headers: {}, status: 401 }],
    ['a 404', { url: '/nothing-here', headers: { authorization: `Bearer ${alpha}` }, status: 404 }],
    ['a public route', { url: '/healthz', headers: {}, status: 200 }]
  ] as const) {
    t.test(`on ${what}`, async t => {
      const response = await app.inject({ method: 'GET', url: request.url, headers: request.headers })
      t.equal(response.statusCode, request.status)
      t.match(response.headers, apiHeaders)
      t.match(response.headers['strict-transport-security'], /max-age=\d+/)
    })
  }

  t.test('the docs UI gets a CSP that lets Swagger UI load its own scripts and styles', async t => {
    const page = await app.inject({ method: 'GET', url: '/docs/' })
    t.equal(page.statusCode, 200)
    const csp = String(page.headers['content-security-policy'])
    t.match(csp, /default-src 'self'/)
    t.match(csp, /script-src 'self'(;|$)/)
    t.match(csp, /style-src 'self' 'unsafe-inline'/)
    t.match(csp, /img-src 'self' data:/)
    t.match(csp, /frame-ancestors 'none'/)
    t.notMatch(csp, /unsafe-eval/)
    t.not(page.headers['cache-control'], 'no-store', 'static docs assets may be cached')
    // The page only references same-origin scripts, which the CSP allows.
    const scripts = [...page.body.matchAll(/<script src="([^"]+)"/g)].map(m => m[1])
    t.ok(scripts.length >= 3, `the page loads ${scripts.length} scripts`)
    for (const src of scripts) t.notMatch(src, /^(https?:)?\/\//, `${src} is same-origin`)
    t.equal(page.body.includes('<script>'), false, 'no inline scripts')
    const spec = await app.inject({ method: 'GET', url: '/docs/json' })
    t.equal(spec.statusCode, 200, 'the UI can fetch the spec without credentials')
  })
})
