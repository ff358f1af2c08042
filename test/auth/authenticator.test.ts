/**
 * The authentication pieces without an app: the Bearer header, the authenticator's order of
 * modes, static-token parsing and matching, and the JWT verifier against a real HTTPS issuer.
 */
import t from 'tap'
import { createAuthenticator } from '../../src/auth/authenticator.ts'
import { MAX_TOKEN_LENGTH, readBearer } from '../../src/auth/bearer.ts'
import type { AuthConfig } from '../../src/auth/config.ts'
import { IdentityProviderUnavailableError } from '../../src/auth/issuer-fetch.ts'
import { createJwtVerifier, discoveryUrl, type JwtSettings, type JwtVerifier } from '../../src/auth/jwt-verifier.ts'
import { createStaticTokenVerifier, hashToken, parseApiTokens, sha256 } from '../../src/auth/static-tokens.ts'
import { startOidcIssuer } from './helpers/oidc-issuer.ts'

t.test('readBearer', async t => {
  t.same(readBearer(undefined), { kind: 'missing' })
  t.same(readBearer(''), { kind: 'missing' }, 'an empty header is no credentials, not a malformed one')
  t.same(readBearer(['Bearer a', 'Bearer b']), { kind: 'malformed' }, 'two headers')
  for (const header of ['Bearer abc', 'bearer abc', 'BEARER abc', 'Bearer   abc', 'Bearer abc  ', 'Bearer a-b.c_d~e+f/g==']) {
    t.same(readBearer(header), { kind: 'token', token: header.trim().split(/ +/)[1] }, JSON.stringify(header))
  }
  for (const header of ['Basic abc', 'xBearer abc', 'Bearer', 'Bearer ', 'Bearer abc def', 'Bearer ab!c', 'Bearer abc=x', 'Bearerabc']) {
    t.same(readBearer(header), { kind: 'malformed' }, JSON.stringify(header))
  }
  const longest = 'Bearer ' + 'a'.repeat(MAX_TOKEN_LENGTH + 16 - 'Bearer '.length)
  t.equal((readBearer(longest) as { kind: string }).kind, 'token', 'a header of the largest length is read')
  t.same(readBearer(longest + 'a'), { kind: 'malformed' }, 'one character more is refused unread')
})

const staticConfig = (names: string[]): AuthConfig => ({
  disabled: false,
  tokens: names.map(name => ({ name, sha256: sha256(`token-of-${name}`) })),
  grants: []
})

function fakeJwt () {
  const seen: string[] = []
  let closed = 0
  const verifier: JwtVerifier = {
    async verify (token) {
      seen.push(token)
      return token.startsWith('good.') ? { ok: true, subject: 'alice' } : { ok: false, reason: 'ERR_JWS_INVALID' }
    },
    async close () { closed++ }
  }
  return { verifier, seen, closed: () => closed }
}

t.test('the authenticator tries static tokens, then JWT-shaped tokens only', async t => {
  const jwt = fakeJwt()
  const both = createAuthenticator(staticConfig(['ci']), { jwtVerifier: jwt.verifier })
  t.same(await both.authenticate('Bearer token-of-ci'), { ok: true, principal: { name: 'ci', via: 'token' } })
  t.same(await both.authenticate('Bearer good.payload.sig'), { ok: true, principal: { name: 'jwt:alice', via: 'jwt' } })
  t.same(await both.authenticate('Bearer bad.payload.sig'), { ok: false, failure: { kind: 'invalid', reason: 'ERR_JWS_INVALID' } })
  t.same(await both.authenticate('Bearer one.two'), { ok: false, failure: { kind: 'invalid', reason: 'unknown token' } })
  t.same(await both.authenticate('Bearer a/b.c.d'), { ok: false, failure: { kind: 'invalid', reason: 'unknown token' } }, 'a "/" before the JWT shape')
  t.same(await both.authenticate('Bearer a.b.c/d'), { ok: false, failure: { kind: 'invalid', reason: 'unknown token' } }, 'a "/" after it')
  t.same(await both.authenticate('Basic abc'), { ok: false, failure: { kind: 'malformed' } })
  t.same(await both.authenticate(undefined), { ok: false, failure: { kind: 'missing' } })
  t.same(jwt.seen, ['good.payload.sig', 'bad.payload.sig'], 'only JWT-shaped tokens reach the verifier')
  await both.close()
  t.equal(jwt.closed(), 1, 'closing closes the JWT verifier')

  const jwtOnly = createAuthenticator(staticConfig([]), { jwtVerifier: fakeJwt().verifier })
  t.same(await jwtOnly.authenticate('Bearer opaque'), { ok: false, failure: { kind: 'invalid', reason: 'not a JWT' } })
  const tokensOnly = createAuthenticator(staticConfig(['ci']))
  t.same(await tokensOnly.authenticate('Bearer good.payload.sig'), { ok: false, failure: { kind: 'invalid', reason: 'unknown token' } })
})

t.test('static tokens: parsing and matching', async t => {
  const hash = hashToken('x')
  const errorsOf = (spec: string) => parseApiTokens(spec).errors
  t.match(errorsOf(`ci:${hash.slice(0, -1)}`), [/^AUTH_API_TOKENS entry 1 \(name "ci"\): the hash must be exactly 64/], 'the variable is named by default')
  t.match(parseApiTokens('ci', 'AUTH_TOKENS_FILE').errors, [/^AUTH_TOKENS_FILE entry 1 is not of the form .*hash one with: npx node scripts\/hash-token\.ts\)$/])
  t.match(errorsOf(`ci:${hash}0`), [/the hash must be exactly 64 hexadecimal digits/], 'a 65th digit')
  t.match(errorsOf(`ci:x${hash}`), [/expected "sha256:<64 hex digits>" after the name; plaintext tokens are not accepted \(hash one with: npx node scripts\/hash-token\.ts\)$/])
  t.match(errorsOf(`ci!:${hash}`), [/the name must be 1-64 letters/], 'a name with a character outside the pattern at its end')
  t.same(parseApiTokens(`ci:${hash.toUpperCase().replace('SHA256', 'sha256')}`).tokens[0].sha256, sha256('x'), 'upper-case hex gives the same digest')

  const twins = createStaticTokenVerifier([{ name: 'first', sha256: sha256('x') }, { name: 'second', sha256: sha256('x') }])
  t.equal(twins('x'), 'first', 'the first matching entry names the principal')
  t.equal(twins('y'), undefined)
})

t.test('discoveryUrl', async t => {
  t.equal(discoveryUrl('https://idp.example/tenant'), 'https://idp.example/tenant/.well-known/openid-configuration')
  t.equal(discoveryUrl('https://idp.example/tenant//'), 'https://idp.example/tenant/.well-known/openid-configuration')
})

t.test('the JWT verifier against a real HTTPS issuer', async t => {
  const issuer = await startOidcIssuer('api')
  t.teardown(() => issuer.close())
  const settings: JwtSettings = {
    issuer: issuer.issuer, audiences: ['api'], principalClaim: 'sub', algorithms: ['ES256'], clockToleranceSeconds: 30, caPem: issuer.caPem, fetchTimeoutMs: 5000
  }
  const verifierOf = (overrides: Partial<JwtSettings> = {}) => {
    const verifier = createJwtVerifier({ ...settings, ...overrides })
    t.teardown(() => verifier.close())
    return verifier
  }

  t.test('the principal claim must be a usable name', async t => {
    const verifier = verifierOf()
    const verdictFor = async (sub: unknown) => verifier.verify(await issuer.sign({ sub } as { sub: string }))
    t.same(await verdictFor('a'.repeat(256)), { ok: true, subject: 'a'.repeat(256) }, '256 characters')
    for (const [what, sub] of [['257 characters', 'a'.repeat(257)], ['empty', ''], ['a control character', 'al\nice'], ['a number', 42]] as const) {
      t.same(await verdictFor(sub), { ok: false, reason: 'claim "sub" missing or not a usable name' }, what)
    }
  })

  t.test('a discovery document without an https jwks_uri: the issuer is unavailable', async t => {
    issuer.serve.discovery = { issuer: issuer.issuer, jwks_uri: 'http://127.0.0.1/keys' }
    t.teardown(() => { delete issuer.serve.discovery })
    await t.rejects(verifierOf().verify(await issuer.sign({ sub: 'alice' })),
      new IdentityProviderUnavailableError('discovery document has no https jwks_uri'))
  })

  t.test('a JWKS that is not one: the issuer is unavailable, not the token invalid', async t => {
    issuer.serve.keys = { keys: 'none' }
    t.teardown(() => { delete issuer.serve.keys })
    const failure = await verifierOf({ jwksUrl: `${issuer.issuer}/keys` }).verify(await issuer.sign({ sub: 'alice' })).catch((error: unknown) => error)
    t.type(failure, IdentityProviderUnavailableError)
    t.match((failure as Error).message, /^JWKS unusable: /)
    t.ok((failure as Error).cause, 'the cause is kept')
  })

  t.test('a JWKS fetch that fails is reported as it is', async t => {
    issuer.failNext = 1
    const failure = await verifierOf({ jwksUrl: `${issuer.issuer}/keys` }).verify(await issuer.sign({ sub: 'alice' })).catch((error: unknown) => error)
    t.type(failure, IdentityProviderUnavailableError)
    t.equal((failure as Error).message, `GET ${issuer.issuer}/keys answered 503`)
  })
})
