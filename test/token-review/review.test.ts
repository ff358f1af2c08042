import t from 'tap'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { reviewTokenOrClaims } from '../../src/token-review/review.ts'

const ISSUER = 'https://idp.example.com'
const NOW = new Date('2030-06-01T12:00:00Z')
const config = { issuerUrl: ISSUER, clientId: 'kubernetes', usernamePrefix: 'oidc:' }
const payload = { iss: ISSUER, aud: 'kubernetes', sub: 'abc', exp: NOW.getTime() / 1000 + 60 }

t.test('claims are judged without fetching keys', async t => {
  // given
  let fetched = 0

  // when
  const status = await reviewTokenOrClaims(config, { claims: payload }, { now: NOW, fetchJwks: async () => { fetched++; return { keys: [] } } })

  // then
  t.equal(status.authenticated, true)
  t.equal(status.user?.username, 'oidc:abc')
  t.equal(status.verified, undefined, 'no signature verdict for claims')
  t.equal(fetched, 0)
})

t.test('a token is verified with the config issuer\'s keys', async t => {
  // given
  const { privateKey, publicKey } = await generateKeyPair('RS256')
  const jwks = { keys: [{ ...await exportJWK(publicKey), kid: 'k1', alg: 'RS256' }] }
  const token = await new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).sign(privateKey)
  const asked: string[] = []

  // when
  const status = await reviewTokenOrClaims(config, { token }, { now: NOW, fetchJwks: async issuerUrl => { asked.push(issuerUrl); return jwks } })

  // then
  t.equal(status.authenticated, true)
  t.equal(status.verified, true)
  t.same(asked, [ISSUER])
})
