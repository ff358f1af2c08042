import { generateKeyPairSync, sign } from 'node:crypto'
import t from 'tap'
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose'
import { generateChain } from '../../emulator/pki.ts'
import { reviewToken } from '../../src/token-review/review-token.ts'
import type { OidcConfig, TokenReviewStatus } from '../../src/token-review/types.ts'
import { fetchJwksOverTls, startJwksIssuer } from './support/https-issuer.ts'

const NOW = new Date('2030-06-01T12:00:00Z')
const NOW_S = NOW.getTime() / 1000

async function keyPair (alg: string, kid: string) {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  const jwk: JWK = { ...await exportJWK(publicKey), kid, alg, use: 'sig' }
  return { privateKey, jwk }
}

const rsa = await keyPair('RS256', 'rsa-1')
const rsaSecond = await keyPair('RS256', 'rsa-2')
const stranger = await keyPair('RS256', 'stranger')
const ec = await keyPair('ES256', 'ec-1')
const smallRsa = generateKeyPairSync('rsa', { modulusLength: 1024 })
const smallRsaJwk: JWK = { ...smallRsa.publicKey.export({ format: 'jwk' }), kid: 'rsa-1024', alg: 'RS256', use: 'sig' }
const issuer = await startJwksIssuer(t, { keys: [rsa.jwk, rsaSecond.jwk, ec.jwk, smallRsaJwk] })
const fetchJwks = fetchJwksOverTls(t, issuer.chain.caPem)
const config: OidcConfig = {
  identityProviderConfigName: 'corp',
  issuerUrl: issuer.issuerUrl,
  clientId: 'kubernetes',
  groupsClaim: 'groups',
  groupsPrefix: 'oidc:'
}

const claims = (extra: JWTPayload = {}): JWTPayload =>
  ({ iss: issuer.issuerUrl, aud: 'kubernetes', sub: 'abc', groups: ['engineering'], iat: NOW_S - 60, exp: NOW_S + 3600, ...extra })

interface MintOptions { key?: CryptoKey | Uint8Array, kid?: string | null, alg?: string }
function mint (payload: JWTPayload, { key = rsa.privateKey, kid = 'rsa-1', alg = 'RS256' }: MintOptions = {}) {
  return new SignJWT(payload).setProtectedHeader(kid === null ? { alg } : { alg, kid }).sign(key)
}
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
/** jose refuses to sign with RSA keys under 2048 bits, so this one is signed by hand. */
function mintWithSmallKey (payload: JWTPayload) {
  const input = `${b64({ alg: 'RS256', kid: 'rsa-1024' })}.${b64(payload)}`
  return `${input}.${sign('sha256', Buffer.from(input), smallRsa.privateKey).toString('base64url')}`
}

interface Row {
  name: string
  token: () => Promise<string>
  config?: Partial<OidcConfig>
  acceptedAlgorithms?: string[]
  verified: boolean
  reasons?: Array<[string, string?]>
  username?: string
  hints?: string[]
}

const rows: Row[] = [
  { name: 'valid RS256 token', token: () => mint(claims()), verified: true, username: `${config.issuerUrl}#abc` },
  { name: 'valid token without kid, several candidate keys: each is tried', token: () => mint(claims(), { key: rsaSecond.privateKey, kid: null }), verified: true, username: `${config.issuerUrl}#abc` },
  { name: 'email claim, prefix "-", groups with prefix', config: { usernameClaim: 'email', usernamePrefix: '-' }, token: () => mint(claims({ email: 'jane@example.com', email_verified: true })), verified: true, username: 'jane@example.com' },
  { name: 'bad signature: another key under a known kid', token: () => mint(claims(), { key: stranger.privateKey, kid: 'rsa-1' }), verified: false, reasons: [['bad_signature']] },
  {
    name: 'tampered payload',
    token: async () => {
      const [header, , signature] = (await mint(claims())).split('.')
      return [header, b64(claims({ sub: 'admin' })), signature].join('.')
    },
    verified: false,
    reasons: [['bad_signature']]
  },
  { name: 'bad signature still reports the claim problems of the unverified payload', token: () => mint(claims({ exp: NOW_S - 5, aud: 'other' }), { key: stranger.privateKey, kid: 'rsa-1' }), verified: false, reasons: [['wrong_audience', 'aud'], ['expired', 'exp'], ['bad_signature']] },
  { name: 'unknown kid', token: () => mint(claims(), { key: stranger.privateKey, kid: 'stranger' }), verified: false, reasons: [['unknown_key_id']] },
  { name: 'wrong issuer', token: () => mint(claims({ iss: 'https://login.example.org' })), verified: true, reasons: [['wrong_issuer', 'iss']], hints: ['wrong_issuer_ignored'] },
  { name: 'wrong audience', token: () => mint(claims({ aud: ['account'] })), verified: true, reasons: [['wrong_audience', 'aud']] },
  { name: 'expired (jose reports JWTExpired after the signature held)', token: () => mint(claims({ exp: NOW_S - 30 })), verified: true, reasons: [['expired', 'exp']] },
  { name: 'exp equal to now: kube semantics accept what jose alone would call expired', token: () => mint(claims({ exp: NOW_S })), verified: true, username: `${config.issuerUrl}#abc` },
  { name: 'not yet valid', token: () => mint(claims({ nbf: NOW_S + 3600 })), verified: true, reasons: [['not_yet_valid', 'nbf']] },
  { name: 'email not verified', config: { usernameClaim: 'email' }, token: () => mint(claims({ email: 'jane@example.com', email_verified: false })), verified: true, reasons: [['email_not_verified', 'email_verified']] },
  { name: 'required claim missing', config: { requiredClaims: { hd: 'example.com' } }, token: () => mint(claims()), verified: true, reasons: [['required_claim_missing', 'hd']] },
  { name: 'required claim mismatched', config: { requiredClaims: { hd: 'example.com' } }, token: () => mint(claims({ hd: 'evil.com' })), verified: true, reasons: [['required_claim_mismatch', 'hd']] },
  { name: 'username claim missing', config: { usernameClaim: 'preferred_username' }, token: () => mint(claims()), verified: true, reasons: [['username_claim_missing', 'preferred_username']] },
  { name: 'groups claim of the wrong type', token: () => mint(claims({ groups: { admin: true } })), verified: true, reasons: [['groups_claim_wrong_type', 'groups']] },
  { name: 'alg none is refused', token: async () => `${b64({ alg: 'none' })}.${b64(claims())}.`, verified: false, reasons: [['unsupported_algorithm']] },
  { name: 'HS256 (a shared secret) is refused', token: () => mint(claims(), { key: new Uint8Array(32).fill(7), alg: 'HS256' }), verified: false, reasons: [['unsupported_algorithm']] },
  { name: 'ES256 verifies but EKS accepts RS256 only', token: () => mint(claims(), { key: ec.privateKey, kid: 'ec-1', alg: 'ES256' }), verified: true, reasons: [['unsupported_algorithm']], hints: ['only_rs256'] },
  { name: 'ES256 accepted when the API server allows it', acceptedAlgorithms: ['RS256', 'ES256'], token: () => mint(claims(), { key: ec.privateKey, kid: 'ec-1', alg: 'ES256' }), verified: true, username: `${config.issuerUrl}#abc` },
  { name: 'RSA key under 2048 bits cannot be checked here, and says so', token: async () => mintWithSmallKey(claims()), verified: false, reasons: [['bad_signature']] },
  { name: 'not a JWT at all', token: async () => 'opaque-access-token', verified: false, reasons: [['malformed_token']] },
  { name: 'five parts (an encrypted token)', token: async () => 'a.b.c.d.e', verified: false, reasons: [['malformed_token']] },
  { name: 'payload that is not JSON', token: async () => `${b64({ alg: 'RS256' })}.${Buffer.from('not json').toString('base64url')}.sig`, verified: false, reasons: [['malformed_token']] }
]

const codes = (status: TokenReviewStatus) => status.reasons.map(r => [r.code, r.claim].filter(Boolean))

for (const row of rows) {
  t.test(row.name, async t => {
    // given
    const token = await row.token()

    // when
    const status = await reviewToken({ ...config, ...row.config }, token, { now: NOW, fetchJwks, acceptedAlgorithms: row.acceptedAlgorithms })

    // then
    t.equal(status.verified, row.verified, 'verified')
    if (row.reasons) {
      t.equal(status.authenticated, false)
      t.same(codes(status), row.reasons.map(r => r.filter(Boolean)), 'reasons')
      t.type(status.error, 'string')
      t.notOk(status.user)
    } else {
      t.equal(status.authenticated, true, `authenticated (reasons: ${JSON.stringify(status.reasons)})`)
      t.equal(status.user?.username, row.username)
      t.same(status.user?.groups, ['oidc:engineering', 'system:authenticated'])
    }
    for (const code of row.hints ?? []) t.ok(status.hints.some(h => h.code === code), `hint ${code}`)
    const answer = JSON.stringify(status)
    t.notOk(answer.includes(token), 'the answer never echoes the token')
    const signature = token.split('.')[2] ?? ''
    if (signature.length >= 16) t.notOk(answer.includes(signature), 'nor its signature')
  })
}

t.test('keys come from the config\'s issuer, never from the token\'s iss', async t => {
  // given
  const evil = await startJwksIssuer(t, { keys: [stranger.jwk] })
  const token = await mint(claims({ iss: evil.issuerUrl }), { key: stranger.privateKey, kid: 'stranger' })
  const before = issuer.requests.length

  // when
  const status = await reviewToken(config, token, { now: NOW, fetchJwks })

  // then
  t.same(evil.requests, [], 'the token\'s issuer was not contacted')
  t.ok(issuer.requests.length > before, 'the configured issuer was asked for keys')
  t.same(codes(status), [['wrong_issuer', 'iss'], ['unknown_key_id']])
})

t.test('JWKS not reachable over TLS (untrusted chain): claims are still diagnosed', async t => {
  // given
  const otherChain = await generateChain({ name: 'unrelated' })
  const untrusting = fetchJwksOverTls(t, otherChain.caPem)
  const token = await mint(claims({ exp: NOW_S - 1 }))

  // when
  const status = await reviewToken(config, token, { now: NOW, fetchJwks: untrusting })

  // then
  t.equal(status.verified, false)
  t.same(codes(status), [['jwks_unreachable'], ['expired', 'exp']])
  t.equal(status.error, 'oidc: authenticator not initialized')
})

t.test('JWKS document that is not a key set', async t => {
  // given
  const broken = await startJwksIssuer(t, { keys: 'nope' })
  const token = await mint(claims({ iss: broken.issuerUrl }))

  // when
  const status = await reviewToken({ ...config, issuerUrl: broken.issuerUrl }, token, { now: NOW, fetchJwks: fetchJwksOverTls(t, broken.chain.caPem) })

  // then
  t.same(codes(status), [['jwks_unreachable']])
  t.match(status.reasons[0]?.message, /malformed/)
})

t.test('an empty or oversized token is malformed without any fetch', async t => {
  // given
  let fetched = 0
  const counting = async () => { fetched++; return { keys: [] } }

  // when
  const empty = await reviewToken(config, '', { now: NOW, fetchJwks: counting })
  const huge = await reviewToken(config, 'a'.repeat(20_000), { now: NOW, fetchJwks: counting })

  // then
  t.same(codes(empty), [['malformed_token']])
  t.same(codes(huge), [['malformed_token']])
  t.equal(fetched, 0)
})
