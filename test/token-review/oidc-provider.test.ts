/**
 * ID tokens from an independent OIDC implementation (oidc-provider) over HTTPS on loopback,
 * judged with our reviewToken and a fetchJwks that does discovery + JWKS over TLS.
 */
import t from 'tap'
import { decodeJwt } from 'jose'
import { reviewToken } from '../../src/token-review/review-token.ts'
import type { OidcConfig } from '../../src/token-review/types.ts'
import { fetchJwksOverTls } from './support/https-issuer.ts'
import { CLIENT_ID, startOidcProviderIssuer } from './support/oidc-provider-issuer.ts'

const issuer = await startOidcProviderIssuer(t)
const fetchJwks = fetchJwksOverTls(t, issuer.caPem)
const janeToken = await issuer.idTokenFor('jane')
const joeToken = await issuer.idTokenFor('joe')
const cognitoStyle: OidcConfig = {
  identityProviderConfigName: 'cognito',
  issuerUrl: issuer.issuerUrl,
  clientId: CLIENT_ID,
  usernameClaim: 'email',
  groupsClaim: 'cognito:groups',
  groupsPrefix: 'cognito:'
}

t.test('the provider issued a Cognito-style ID token', async t => {
  // given / when
  const claims = decodeJwt(janeToken)

  // then
  t.equal(claims.iss, issuer.issuerUrl)
  t.equal(claims.aud, CLIENT_ID)
  t.equal(claims.email, 'jane@example.com')
  t.equal(claims.email_verified, true)
  t.same(claims['cognito:groups'], ['admins', 'developers'])
  t.equal(claims.token_use, 'id')
})

interface Row {
  name: string
  token: () => string
  config: Partial<OidcConfig>
  username?: string
  groups?: string[]
  reasons?: string[]
  hints?: string[]
}

const rows: Row[] = [
  { name: 'Cognito config: e-mail username, cognito:groups with prefix', token: () => janeToken, config: {}, username: 'jane@example.com', groups: ['cognito:admins', 'cognito:developers', 'system:authenticated'] },
  { name: 'groupsClaim "groups" misses Cognito groups', token: () => janeToken, config: { groupsClaim: 'groups', groupsPrefix: undefined }, username: 'jane@example.com', groups: ['system:authenticated'], hints: ['use_cognito_groups_claim'] },
  { name: 'default username claim gets the issuer prefix', token: () => janeToken, config: { usernameClaim: undefined }, username: `${issuer.issuerUrl}#jane`, hints: ['issuer_prefixed_username'] },
  { name: 'required claim token_use=id holds', token: () => janeToken, config: { requiredClaims: { token_use: 'id' } }, username: 'jane@example.com' },
  { name: 'unverified e-mail is refused', token: () => joeToken, config: {}, reasons: ['email_not_verified'] },
  { name: 'another client id is the wrong audience', token: () => janeToken, config: { clientId: 'some-other-app' }, reasons: ['wrong_audience'] },
  { name: 'issuer URL with a trailing slash does not match', token: () => janeToken, config: { issuerUrl: issuer.issuerUrl + '/' }, reasons: ['wrong_issuer', 'jwks_unreachable'], hints: ['issuer_trailing_slash'] }
]

for (const row of rows) {
  t.test(row.name, async t => {
    // given
    const config: OidcConfig = { ...cognitoStyle, ...row.config }

    // when
    const status = await reviewToken(config, row.token(), { fetchJwks })

    // then
    if (row.reasons) {
      t.equal(status.authenticated, false)
      t.same(status.reasons.map(r => r.code), row.reasons)
    } else {
      t.equal(status.verified, true, 'signature verified with the provider\'s published keys')
      t.equal(status.authenticated, true, `authenticated (reasons: ${JSON.stringify(status.reasons)})`)
      t.equal(status.user?.username, row.username)
      if (row.groups) t.same(status.user?.groups, row.groups)
    }
    for (const code of row.hints ?? []) t.ok(status.hints.some(h => h.code === code), `hint ${code}`)
  })
}
