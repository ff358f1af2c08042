import t from 'tap'
import { startOidcIssuer } from './helpers/oidc-issuer.ts'
import { buildSampleApp } from './helpers/sample-app.ts'

const AUDIENCE = 'eks-oidc-api'
const issuer = await startOidcIssuer(AUDIENCE)
t.teardown(() => issuer.close())
const dir = t.testdir({ 'ca.pem': issuer.caPem })

const env = {
  AUTH_MODE: 'jwt',
  AUTH_JWT_ISSUER: issuer.issuer,
  AUTH_JWT_AUDIENCE: AUDIENCE,
  AUTH_JWT_CA_FILE: `${dir}/ca.pem`,
  AUTH_GRANTS: JSON.stringify({
    grants: [
      { principal: 'jwt:alice', clusters: ['prod-*'], actions: ['read'] },
      { principal: 'jwt:alice@example.com', clusters: ['*'], actions: ['read'] }
    ]
  })
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
const now = () => Math.floor(Date.now() / 1000)
const URL_PATH = '/clusters/prod-eu/oidc-provider'

t.test('JWT bearer tokens against a real HTTPS issuer', async t => {
  const { app, logs, handlerCalls } = await buildSampleApp(t, { env })
  const get = (token: string) => app.inject({ method: 'GET', url: URL_PATH, headers: { authorization: `Bearer ${token}` } })

  t.test('a valid token passes; the JWKS location came from discovery', async t => {
    const response = await get(await issuer.sign({ sub: 'alice' }))
    t.equal(response.statusCode, 200)
    t.equal(issuer.hits['/.well-known/openid-configuration'], 1)
    t.ok(issuer.hits['/keys'] >= 1)
  })

  const rejected: Array<[string, () => Promise<string>]> = [
    ['expired (beyond the clock tolerance)', () => issuer.sign({ sub: 'alice' }, { expiresIn: now() - 120 })],
    ['not yet valid', () => issuer.sign({ sub: 'alice' }, { notBefore: now() + 600, expiresIn: now() + 1200 })],
    ['for another audience', () => issuer.sign({ sub: 'alice' }, { audience: 'someone-else' })],
    ['from another issuer', () => issuer.sign({ sub: 'alice' }, { issuer: 'https://evil.example' })],
    ['signed by another key under the published kid', () => issuer.sign({ sub: 'alice' }, { key: issuer.rogueKey })],
    ['signed by another key under an unknown kid', () => issuer.sign({ sub: 'alice' }, { key: issuer.rogueKey, kid: 'k2' })],
    ['unsigned (alg: none)', async () =>
      `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ sub: 'alice', iss: issuer.issuer, aud: AUDIENCE, exp: now() + 300 })}.`],
    ['claiming alg: none over a real signature', async () => {
      const [, payload, signature] = (await issuer.sign({ sub: 'alice' })).split('.')
      return `${base64url({ alg: 'none', kid: 'k1' })}.${payload}.${signature}`
    }],
    ['with a tampered payload', async () => {
      const [header, , signature] = (await issuer.sign({ sub: 'mallory' })).split('.')
      return `${header}.${base64url({ sub: 'alice', iss: issuer.issuer, aud: AUDIENCE, exp: now() + 300 })}.${signature}`
    }],
    ['without exp', () => issuer.sign({ sub: 'alice' }, { expiresIn: null })],
    ['without the principal claim', () => issuer.sign({})],
    ['that is not a JWT at all', async () => 'opaque-token-value']
  ]
  const reasons: Record<string, string> = {
    'expired (beyond the clock tolerance)': 'ERR_JWT_EXPIRED',
    'not yet valid': 'ERR_JWT_CLAIM_VALIDATION_FAILED',
    'for another audience': 'ERR_JWT_CLAIM_VALIDATION_FAILED',
    'from another issuer': 'ERR_JWT_CLAIM_VALIDATION_FAILED',
    'signed by another key under the published kid': 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    'signed by another key under an unknown kid': 'ERR_JWKS_NO_MATCHING_KEY',
    'unsigned (alg: none)': 'ERR_JOSE_ALG_NOT_ALLOWED',
    'claiming alg: none over a real signature': 'ERR_JOSE_ALG_NOT_ALLOWED',
    'with a tampered payload': 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    'without exp': 'ERR_JWT_CLAIM_VALIDATION_FAILED',
    'without the principal claim': 'claim "sub" missing or not a usable name',
    'that is not a JWT at all': 'not a JWT'
  }
  for (const [what, makeToken] of rejected) {
    t.test(`a token ${what} → 401 invalid_token`, async t => {
      const before = handlerCalls.count
      const response = await get(await makeToken())
      t.equal(response.statusCode, 401)
      t.equal(response.headers['www-authenticate'], 'Bearer realm="eks-oidc-api", error="invalid_token"')
      t.equal(response.json().code, 'UnauthorizedException')
      t.equal(handlerCalls.count, before)
      const lines = logs.filter(line => line.includes('"authFailure"'))
      t.equal(JSON.parse(lines.at(-1) ?? '{}').authFailure, reasons[what], 'rejected for the expected reason')
    })
  }

  t.test('a token that expired within the clock tolerance still passes', async t => {
    t.equal((await get(await issuer.sign({ sub: 'alice' }, { expiresIn: now() - 5 }))).statusCode, 200)
  })

  t.test('a valid token without a grant for the cluster → 403', async t => {
    const response = await app.inject({ method: 'GET', url: '/clusters/staging/oidc-provider', headers: { authorization: `Bearer ${await issuer.sign({ sub: 'alice' })}` } })
    t.equal(response.statusCode, 403)
    t.equal(response.json().detail, 'principal "jwt:alice" lacks "read" on cluster "staging"')
  })

  t.test('rejections are logged with their reason, never the token', async t => {
    const token = await issuer.sign({ sub: 'alice' }, { audience: 'someone-else' })
    await get(token)
    const text = logs.join('')
    t.match(text, /"authFailure":"ERR_JWT_CLAIM_VALIDATION_FAILED"/)
    t.notOk(text.includes(token.split('.')[2]), 'no signature in the logs')
  })
})

t.test('configuration variants', async t => {
  t.test('AUTH_JWT_JWKS_URL skips discovery', async t => {
    const before = issuer.hits['/.well-known/openid-configuration'] ?? 0
    const { app } = await buildSampleApp(t, { env: { ...env, AUTH_JWT_JWKS_URL: `${issuer.issuer}/keys` } })
    const response = await app.inject({ method: 'GET', url: URL_PATH, headers: { authorization: `Bearer ${await issuer.sign({ sub: 'alice' })}` } })
    t.equal(response.statusCode, 200)
    t.equal(issuer.hits['/.well-known/openid-configuration'] ?? 0, before)
  })

  t.test('AUTH_JWT_PRINCIPAL_CLAIM picks another claim', async t => {
    const { app } = await buildSampleApp(t, { env: { ...env, AUTH_JWT_PRINCIPAL_CLAIM: 'email' } })
    const token = await issuer.sign({ sub: 'u-123', email: 'alice@example.com' })
    const response = await app.inject({ method: 'GET', url: '/clusters/staging/oidc-provider', headers: { authorization: `Bearer ${token}` } })
    t.equal(response.statusCode, 200, 'the grant for jwt:alice@example.com applies')
  })

  t.test('AUTH_JWT_ALGORITHMS pins the algorithms', async t => {
    const { app } = await buildSampleApp(t, { env: { ...env, AUTH_JWT_ALGORITHMS: 'RS256' } })
    const response = await app.inject({ method: 'GET', url: URL_PATH, headers: { authorization: `Bearer ${await issuer.sign({ sub: 'alice' })}` } })
    t.equal(response.statusCode, 401, 'an ES256 token is refused when only RS256 is allowed')
  })

  t.test('without the extra CA the issuer is untrusted: 503, never a pass', async t => {
    const { app } = await buildSampleApp(t, { env: { ...env, AUTH_JWT_CA_FILE: undefined } })
    const response = await app.inject({ method: 'GET', url: URL_PATH, headers: { authorization: `Bearer ${await issuer.sign({ sub: 'alice' })}` } })
    t.equal(response.statusCode, 503)
    t.equal(response.headers['retry-after'], '5')
    t.match(response.json(), { code: 'ServiceUnavailableException', type: 'https://eks-oidc-api.dev/problems/identity-provider-unavailable' })
  })

  t.test('an issuer outage gives 503, and the next request retries discovery', async t => {
    const { app } = await buildSampleApp(t, { env })
    const token = await issuer.sign({ sub: 'alice' })
    issuer.failNext = 1
    const during = await app.inject({ method: 'GET', url: URL_PATH, headers: { authorization: `Bearer ${token}` } })
    t.equal(during.statusCode, 503)
    t.equal(during.headers['www-authenticate'], undefined, 'not blamed on the token')
    const after = await app.inject({ method: 'GET', url: URL_PATH, headers: { authorization: `Bearer ${token}` } })
    t.equal(after.statusCode, 200)
  })

  t.test('a discovery document for another issuer is not trusted', async t => {
    // The issuer URL with a trailing path serves the same document, whose `issuer` then differs.
    const { app, logs } = await buildSampleApp(t, { env: { ...env, AUTH_JWT_ISSUER: `${issuer.issuer}/tenant` } })
    const token = await issuer.sign({ sub: 'alice' }, { issuer: `${issuer.issuer}/tenant` })
    const response = await app.inject({ method: 'GET', url: URL_PATH, headers: { authorization: `Bearer ${token}` } })
    t.equal(response.statusCode, 503)
    t.match(logs.join(''), /discovery document names issuer/)
  })

  t.test('the insecure algorithms are refused at start', async t => {
    await t.rejects(buildSampleApp(t, { env: { ...env, AUTH_JWT_ALGORITHMS: 'none,HS256' } }),
      /AUTH_JWT_ALGORITHMS: "none" is not allowed[\s\S]*AUTH_JWT_ALGORITHMS: "HS256" is not allowed/)
  })
})
