import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import t from 'tap'
import { authConfigFromEnv, AuthConfigError } from '../../src/auth/config.ts'
import { createStaticTokenVerifier, generateToken, hashToken, parseApiTokens } from '../../src/auth/static-tokens.ts'
import { buildSampleApp } from './helpers/sample-app.ts'

const ciToken = generateToken()
const botToken = generateToken()
const tokensEnv = `ci-pipeline:${hashToken(ciToken)},platform-bot:${hashToken(botToken)}`
const grants = JSON.stringify({ grants: [{ principal: 'ci-pipeline', clusters: ['*'], actions: ['read'] }] })

t.test('parsing AUTH_API_TOKENS', async t => {
  t.test('well-formed entries give named SHA-256 digests', async t => {
    const { tokens, errors } = parseApiTokens(tokensEnv)
    t.same(errors, [])
    t.same(tokens.map(token => token.name), ['ci-pipeline', 'platform-bot'])
    t.equal(tokens[0].sha256.toString('hex'), hashToken(ciToken).slice('sha256:'.length))
  })

  t.test('stray commas are ignored', async t => {
    const { tokens, errors } = parseApiTokens(`a:${hashToken('x')},,b:${hashToken('y')},`)
    t.same(errors, [])
    t.same(tokens.map(token => token.name), ['a', 'b'])
  })

  t.test('upper-case hex and surrounding blanks are accepted', async t => {
    const { tokens, errors } = parseApiTokens(` ci:${hashToken(ciToken).toUpperCase().replace('SHA256', 'sha256')} , `)
    t.same(errors, [])
    t.equal(tokens.length, 1)
  })

  const refused: Array<[string, string, RegExp]> = [
    ['a plaintext token without a name', 'supersecretvalue', /entry 1 is not of the form "name:sha256:<64 hex digits>"; plaintext tokens are not accepted/],
    ['a plaintext token after a name', 'ci:supersecretvalue', /entry 1 \(name "ci"\): expected "sha256:<64 hex digits>" after the name; plaintext tokens are not accepted/],
    ['a short hash', 'ci:sha256:abcd', /entry 1 \(name "ci"\): the hash must be exactly 64 hexadecimal digits/],
    ['a non-hex hash', `ci:sha256:${'z'.repeat(64)}`, /the hash must be exactly 64 hexadecimal digits/],
    ['a bad name', `-ci:${hashToken('x')}`, /entry 1: the name must be 1-64 letters/],
    ['a duplicate name', `ci:${hashToken('x')},ci:${hashToken('y')}`, /entry 2 \(name "ci"\): the name is used by an earlier entry/],
    ['a duplicate hash', `a:${hashToken('x')},b:${hashToken('x')}`, /entry 2 \(name "b"\): the same hash as entry 1/],
    ['nothing at all', ' , ', /has no entries/]
  ]
  for (const [what, spec, message] of refused) {
    t.test(`refuses ${what}`, async t => {
      const { errors } = parseApiTokens(spec)
      t.equal(errors.length, 1, errors.join('; '))
      t.match(errors[0], message)
      t.notMatch(errors[0], /supersecretvalue/, 'never echoes the secret part')
    })
  }

  t.test('every bad entry is reported at start, in one error', async t => {
    const error = t.throws(() => authConfigFromEnv({ AUTH_API_TOKENS: 'one:plain,two:sha256:12' })) as AuthConfigError
    t.type(error, AuthConfigError)
    t.equal(error.problems.length, 2)
    t.match(error.message, /entry 1 \(name "one"\)/)
    t.match(error.message, /entry 2 \(name "two"\)/)
    t.notMatch(error.message, /plain,|:plain/)
  })

  t.test('grants naming tokens are not second-guessed while the tokens themselves are broken', async t => {
    const error = t.throws(() => authConfigFromEnv({
      AUTH_API_TOKENS: 'ci:plain',
      AUTH_GRANTS: JSON.stringify({ grants: [{ principal: 'ci', clusters: ['*'], actions: ['read'] }] })
    })) as AuthConfigError
    t.equal(error.problems.length, 1)
  })
})

t.test('the verifier matches a token to its name, and nothing else', async t => {
  const verify = createStaticTokenVerifier(parseApiTokens(tokensEnv).tokens)
  t.equal(verify(ciToken), 'ci-pipeline')
  t.equal(verify(botToken), 'platform-bot')
  t.equal(verify(ciToken + 'x'), undefined)
  t.equal(verify(''), undefined)
  t.equal(verify(hashToken(ciToken)), undefined, 'the hash itself is not a credential')
})

t.test('over HTTP', async t => {
  const { app, handlerCalls } = await buildSampleApp(t, { env: { AUTH_API_TOKENS: tokensEnv, AUTH_GRANTS: grants } })
  const get = (authorization?: string) => app.inject({
    method: 'GET', url: '/clusters/prod-eu/oidc-provider', headers: authorization === undefined ? {} : { authorization }
  })

  t.test('a valid token passes', async t => {
    const response = await get(`Bearer ${ciToken}`)
    t.equal(response.statusCode, 200)
    t.same(response.json(), { cluster: 'prod-eu' })
  })

  t.test('the scheme is case-insensitive', async t => {
    t.equal((await get(`bearer ${ciToken}`)).statusCode, 200)
  })

  const unauthorized: Array<[string, string | undefined, string]> = [
    ['missing credentials', undefined, 'Bearer realm="eks-oidc-api"'],
    ['a wrong token', `Bearer ${generateToken()}`, 'Bearer realm="eks-oidc-api", error="invalid_token"'],
    ['the hash instead of the token', `Bearer ${hashToken(ciToken).slice(7)}`, 'Bearer realm="eks-oidc-api", error="invalid_token"'],
    ['another scheme', `Basic ${Buffer.from('ci:' + ciToken).toString('base64')}`, 'Bearer realm="eks-oidc-api", error="invalid_request"'],
    ['a scheme without token', 'Bearer', 'Bearer realm="eks-oidc-api", error="invalid_request"'],
    ['a token with spaces', `Bearer ${ciToken} extra`, 'Bearer realm="eks-oidc-api", error="invalid_request"'],
    ['an oversized token', `Bearer ${'a'.repeat(9000)}`, 'Bearer realm="eks-oidc-api", error="invalid_request"']
  ]
  for (const [what, authorization, challenge] of unauthorized) {
    t.test(`${what} → 401 problem with WWW-Authenticate`, async t => {
      const before = handlerCalls.count
      const response = await get(authorization)
      t.equal(response.statusCode, 401)
      t.equal(response.headers['www-authenticate'], challenge)
      t.match(response.headers['content-type'], /^application\/problem\+json/)
      t.match(response.json(), { status: 401, code: 'UnauthorizedException', type: 'https://eks-oidc-api.dev/problems/unauthorized' })
      t.equal(handlerCalls.count, before, 'the handler never ran')
    })
  }

  t.test('public routes need no credentials', async t => {
    const response = await app.inject({ method: 'GET', url: '/health' })
    t.equal(response.statusCode, 200)
  })

  t.test('unknown paths need authentication, then answer 404', async t => {
    t.equal((await app.inject({ method: 'GET', url: '/nope' })).statusCode, 401)
    t.equal((await app.inject({ method: 'GET', url: '/nope', headers: { authorization: `Bearer ${ciToken}` } })).statusCode, 404)
  })
})

t.test('scripts/hash-token.ts', async t => {
  const run = promisify(execFile)
  t.test('hashes a token given as argument or on stdin', async t => {
    const { stdout } = await run(process.execPath, ['scripts/hash-token.ts', 'abc'])
    t.equal(stdout.trim(), 'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
    const child = execFile(process.execPath, ['scripts/hash-token.ts'])
    child.stdin?.end('abc\n')
    const piped = await new Promise<string>(resolve => { let out = ''; child.stdout?.on('data', d => { out += d }); child.on('close', () => resolve(out)) })
    t.equal(piped.trim(), 'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
  })

  t.test('--generate prints a token and a config entry that accepts it', async t => {
    const { stdout } = await run(process.execPath, ['scripts/hash-token.ts', '--generate', 'deployer'])
    const token = /token .*: (\S+)/.exec(stdout)?.[1] ?? ''
    const entry = /AUTH_API_TOKENS entry: (\S+)/.exec(stdout)?.[1] ?? ''
    t.match(token, /^eoa_[A-Za-z0-9_-]{43}$/)
    const verify = createStaticTokenVerifier(parseApiTokens(entry).tokens)
    t.equal(verify(token), 'deployer')
  })
})
