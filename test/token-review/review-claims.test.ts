import t from 'tap'
import type { Claims } from '../../src/token-review/findings.ts'
import { reviewClaims } from '../../src/token-review/review-claims.ts'
import type { OidcConfig } from '../../src/token-review/types.ts'

const ISSUER = 'https://idp.example.com'
const NOW = new Date('2030-06-01T12:00:00Z')
const NOW_S = NOW.getTime() / 1000
const base: OidcConfig = { identityProviderConfigName: 'corp', issuerUrl: ISSUER, clientId: 'kubernetes' }
const token = (extra: Claims = {}): Claims => ({ iss: ISSUER, aud: 'kubernetes', sub: 'abc', exp: NOW_S + 3600, iat: NOW_S - 60, ...extra })
const without = (claims: Claims, ...names: string[]) =>
  Object.fromEntries(Object.entries(claims).filter(([name]) => !names.includes(name)))

interface Row {
  name: string
  config?: Partial<OidcConfig>
  claims: Claims
  /** Expected Kubernetes username (and authenticated) or expected reason codes (and not authenticated). */
  username?: string
  groups?: string[]
  reasons?: Array<[string, string?]>
  error?: string
  hints?: string[]
  noHints?: string[]
}

const rows: Row[] = [
  // username mapping (examples from the Kubernetes authentication docs)
  { name: 'sub without prefix gets the issuer URL and # as prefix', claims: token(), username: 'https://idp.example.com#abc', hints: ['issuer_prefixed_username'] },
  { name: 'email claim without prefix is the bare address', config: { usernameClaim: 'email' }, claims: token({ email: 'jane@example.com', email_verified: true }), username: 'jane@example.com', noHints: ['issuer_prefixed_username'] },
  { name: 'prefix "-" disables prefixing', config: { usernamePrefix: '-' }, claims: token(), username: 'abc', noHints: ['issuer_prefixed_username'] },
  { name: 'a given prefix is used as is', config: { usernamePrefix: 'oidc:' }, claims: token(), username: 'oidc:abc' },
  { name: 'email claim with a prefix gets the prefix', config: { usernameClaim: 'email', usernamePrefix: 'corp:' }, claims: token({ email: 'jane@example.com' }), username: 'corp:jane@example.com' },
  { name: 'email claim with prefix "-" is the bare address', config: { usernameClaim: 'email', usernamePrefix: '-' }, claims: token({ email: 'jane@example.com' }), username: 'jane@example.com' },
  { name: 'another claim without prefix also gets the issuer prefix', config: { usernameClaim: 'preferred_username' }, claims: token({ preferred_username: 'jane' }), username: 'https://idp.example.com#jane' },
  { name: 'null username claim reads as empty (Go semantics) and is flagged', claims: token({ sub: null }), username: 'https://idp.example.com#', hints: ['empty_username'] },
  { name: 'missing username claim', config: { usernameClaim: 'upn' }, claims: token({ email: 'jane@example.com' }), reasons: [['username_claim_missing', 'upn']], error: 'oidc: parse username claims "upn": claim not present', hints: ['use_email_claim', 'username_claim_candidates'] },
  { name: 'username claim of the wrong type', config: { usernameClaim: 'uid' }, claims: token({ uid: 1234 }), reasons: [['username_claim_wrong_type', 'uid']], error: 'oidc: parse username claims "uid": json: cannot unmarshal number into Go value of type string' },

  // groups
  { name: 'groups array with groupsPrefix', config: { groupsClaim: 'groups', groupsPrefix: 'oidc:' }, claims: token({ groups: ['engineering', 'ops'] }), username: 'https://idp.example.com#abc', groups: ['oidc:engineering', 'oidc:ops', 'system:authenticated'] },
  { name: 'groups as a single string', config: { groupsClaim: 'groups', groupsPrefix: 'oidc:' }, claims: token({ groups: 'engineering' }), username: 'https://idp.example.com#abc', groups: ['oidc:engineering', 'system:authenticated'] },
  { name: 'groups without prefix', config: { groupsClaim: 'groups' }, claims: token({ groups: ['engineering'] }), username: 'https://idp.example.com#abc', groups: ['engineering', 'system:authenticated'] },
  { name: 'absent groups claim gives no groups', config: { groupsClaim: 'groups' }, claims: token(), username: 'https://idp.example.com#abc', groups: ['system:authenticated'], hints: ['groups_claim_absent'] },
  { name: 'null groups claim gives no groups', config: { groupsClaim: 'groups' }, claims: token({ groups: null }), username: 'https://idp.example.com#abc', groups: ['system:authenticated'] },
  { name: 'groups claim that is a number', config: { groupsClaim: 'groups' }, claims: token({ groups: 7 }), reasons: [['groups_claim_wrong_type', 'groups']], error: 'oidc: parse groups claim "groups": json: cannot unmarshal number into Go value of type string' },
  { name: 'groups array with a non-string member', config: { groupsClaim: 'groups' }, claims: token({ groups: ['a', 2] }), reasons: [['groups_claim_wrong_type', 'groups']] },
  { name: 'groups claim that is an object', config: { groupsClaim: 'roles' }, claims: token({ roles: { admin: true } }), reasons: [['groups_claim_wrong_type', 'roles']] },
  { name: 'Cognito groups while groupsClaim is "groups"', config: { groupsClaim: 'groups' }, claims: token({ 'cognito:groups': ['admins'] }), username: 'https://idp.example.com#abc', groups: ['system:authenticated'], hints: ['use_cognito_groups_claim'] },
  { name: 'Cognito groups claim configured', config: { groupsClaim: 'cognito:groups', groupsPrefix: 'cognito:' }, claims: token({ 'cognito:groups': ['admins'] }), username: 'https://idp.example.com#abc', groups: ['cognito:admins', 'system:authenticated'] },
  { name: 'groups in the token but no groupsClaim configured', claims: token({ groups: ['engineering'] }), username: 'https://idp.example.com#abc', groups: ['system:authenticated'], hints: ['groups_not_configured'] },
  { name: 'distributed groups claim', config: { groupsClaim: 'groups' }, claims: token({ _claim_names: { groups: 'src1' }, _claim_sources: { src1: { endpoint: 'https://graph.example.com' } } }), username: 'https://idp.example.com#abc', hints: ['distributed_groups_claim'] },

  // email_verified
  { name: 'email_verified false rejects', config: { usernameClaim: 'email' }, claims: token({ email: 'jane@example.com', email_verified: false }), reasons: [['email_not_verified', 'email_verified']], error: 'oidc: email not verified' },
  { name: 'email_verified null rejects (reads as false)', config: { usernameClaim: 'email' }, claims: token({ email: 'jane@example.com', email_verified: null }), reasons: [['email_not_verified', 'email_verified']] },
  { name: 'absent email_verified is accepted, as in current kube-apiserver', config: { usernameClaim: 'email' }, claims: token({ email: 'jane@example.com' }), username: 'jane@example.com', hints: ['email_verified_absent'] },
  { name: 'email_verified as the string "true" is a type error', config: { usernameClaim: 'email' }, claims: token({ email: 'jane@example.com', email_verified: 'true' }), reasons: [['email_verified_wrong_type', 'email_verified']], error: 'oidc: parse \'email_verified\' claim: json: cannot unmarshal string into Go value of type bool' },
  { name: 'email_verified is ignored when the username claim is not email', claims: token({ email: 'jane@example.com', email_verified: false }), username: 'https://idp.example.com#abc' },

  // required claims
  { name: 'required claim present and equal', config: { requiredClaims: { hd: 'example.com' } }, claims: token({ hd: 'example.com' }), username: 'https://idp.example.com#abc' },
  { name: 'required claim missing', config: { requiredClaims: { hd: 'example.com' } }, claims: token(), reasons: [['required_claim_missing', 'hd']], error: 'oidc: required claim hd not present in ID token' },
  { name: 'required claim mismatched', config: { requiredClaims: { hd: 'example.com' } }, claims: token({ hd: 'other.com' }), reasons: [['required_claim_mismatch', 'hd']], error: 'oidc: required claim hd value does not match. Got = other.com, want = example.com' },
  { name: 'required claim compared as a string, not loosely', config: { requiredClaims: { tier: '1' } }, claims: token({ tier: 1 }), reasons: [['required_claim_wrong_type', 'tier']] },
  { name: 'every required claim is reported', config: { requiredClaims: { hd: 'example.com', tenant: 't1' } }, claims: token({ tenant: 't2' }), reasons: [['required_claim_missing', 'hd'], ['required_claim_mismatch', 'tenant']] },

  // issuer and audience
  { name: 'aud array containing the clientId', claims: token({ aud: ['other', 'kubernetes'] }), username: 'https://idp.example.com#abc' },
  { name: 'aud without the clientId', claims: token({ aud: ['other'] }), reasons: [['wrong_audience', 'aud']], error: 'oidc: verify token: oidc: expected audience "kubernetes" got ["other"]' },
  { name: 'aud absent', claims: without(token(), 'aud'), reasons: [['wrong_audience', 'aud']] },
  { name: 'aud of the wrong type makes the token undecodable', claims: token({ aud: 42 }), reasons: [['malformed_token', 'aud']] },
  { name: 'access token instead of ID token (Cognito token_use)', claims: token({ aud: undefined, token_use: 'access', client_id: 'kubernetes' }), reasons: [['wrong_audience', 'aud']], hints: ['access_token_supplied'] },
  { name: 'iss with a trailing slash', claims: token({ iss: ISSUER + '/' }), reasons: [['wrong_issuer', 'iss']], hints: ['wrong_issuer_ignored', 'issuer_trailing_slash'] },
  { name: 'iss absent', claims: without(token(), 'iss'), reasons: [['wrong_issuer', 'iss']] },
  { name: 'Google issuer without scheme is accepted for Google only', config: { issuerUrl: 'https://accounts.google.com' }, claims: token({ iss: 'accounts.google.com' }), username: 'https://accounts.google.com#abc' },
  { name: 'issuer without scheme is refused for others', claims: token({ iss: 'idp.example.com' }), reasons: [['wrong_issuer', 'iss']] },
  { name: 'sub of the wrong type makes the token undecodable', config: { usernameClaim: 'email' }, claims: token({ sub: 12, email: 'jane@example.com' }), reasons: [['malformed_token', 'sub']] },

  // validity window
  { name: 'exp equal to now is still valid (no leeway, strict before)', claims: token({ exp: NOW_S }), username: 'https://idp.example.com#abc' },
  { name: 'exp one second ago is expired', claims: token({ exp: NOW_S - 1 }), reasons: [['expired', 'exp']], error: 'oidc: verify token: oidc: token is expired (Token Expiry: 2030-06-01T11:59:59.000Z)', hints: ['token_expired_refresh'] },
  { name: 'missing exp counts as expired', claims: without(token(), 'exp'), reasons: [['expired', 'exp']] },
  { name: 'exp as a string makes the token undecodable', claims: token({ exp: String(NOW_S + 60) }), reasons: [['malformed_token', 'exp']] },
  { name: 'nbf within the one-minute leeway is accepted', claims: token({ nbf: NOW_S + 60 }), username: 'https://idp.example.com#abc' },
  { name: 'nbf beyond the leeway is not yet valid', claims: token({ nbf: NOW_S + 61 }), reasons: [['not_yet_valid', 'nbf']] },
  { name: 'nbf null is treated as absent', claims: token({ nbf: null }), username: 'https://idp.example.com#abc' },

  // config and combinations
  { name: 'a config with an http issuer is invalid', config: { issuerUrl: 'http://idp.example.com' }, claims: token({ iss: 'http://idp.example.com' }), reasons: [['invalid_config']] },
  { name: 'a config without clientId is invalid', config: { clientId: '' }, claims: token({ aud: '' }), reasons: [['invalid_config']] },
  { name: 'a config with a system: prefix is invalid', config: { groupsPrefix: 'system:oidc:' }, claims: token(), reasons: [['invalid_config']] },
  {
    name: 'every failure is reported, in kube-apiserver order',
    config: { usernameClaim: 'email', groupsClaim: 'groups', requiredClaims: { hd: 'example.com' } },
    claims: { iss: 'https://evil.example.com', aud: 'nobody', exp: NOW_S - 10, nbf: NOW_S + 600, email_verified: false, groups: 5 },
    reasons: [['wrong_issuer', 'iss'], ['wrong_audience', 'aud'], ['expired', 'exp'], ['not_yet_valid', 'nbf'], ['username_claim_missing', 'email'], ['email_not_verified', 'email_verified'], ['groups_claim_wrong_type', 'groups'], ['required_claim_missing', 'hd']],
    error: 'Unauthorized: the OIDC authenticator ignored the token because its iss claim does not match the issuer URL'
  }
]

for (const row of rows) {
  t.test(row.name, async t => {
    // given
    const config: OidcConfig = { ...base, ...row.config }
    const claims = Object.fromEntries(Object.entries(row.claims).filter(([, v]) => v !== undefined))

    // when
    const status = reviewClaims(config, claims, { now: NOW })

    // then
    if (row.reasons) {
      t.equal(status.authenticated, false, 'not authenticated')
      t.same(status.reasons.map(r => [r.code, r.claim].filter(Boolean)), row.reasons.map(r => r.filter(Boolean)), 'reasons in order')
      t.notOk(status.user, 'no user when not authenticated')
      t.notOk(status.audiences, 'no audiences when not authenticated')
      if (row.error) t.equal(status.error, row.error, 'kube-apiserver error text')
      for (const reason of status.reasons) t.ok(reason.message.length > 10, `${reason.code} explains itself`)
    } else {
      t.equal(status.authenticated, true, `authenticated (reasons: ${JSON.stringify(status.reasons)})`)
      t.same(status.reasons, [])
      t.equal(status.user?.username, row.username, 'username')
      t.same(status.user, status.mappedUser, 'mapped user is the user')
      t.same(status.audiences, ['kubernetes'])
      t.notOk(status.error)
      t.ok(status.user?.groups.includes('system:authenticated'), 'API server adds system:authenticated')
      if (row.groups) t.same(status.user?.groups, row.groups, 'groups')
    }
    const hintCodes = status.hints.map(h => h.code)
    for (const code of row.hints ?? []) t.ok(hintCodes.includes(code as never), `hint ${code} (got ${hintCodes.join(', ')})`)
    for (const code of row.noHints ?? []) t.notOk(hintCodes.includes(code as never), `no hint ${code}`)
  })
}

t.test('an expired token still shows the identity it maps to', async t => {
  // given
  const config: OidcConfig = { ...base, groupsClaim: 'groups', groupsPrefix: 'oidc:' }

  // when
  const status = reviewClaims(config, token({ exp: NOW_S - 3600, groups: ['engineering'] }), { now: NOW })

  // then
  t.equal(status.authenticated, false)
  t.same(status.mappedUser, { username: 'https://idp.example.com#abc', groups: ['oidc:engineering', 'system:authenticated'] })
  t.notOk(status.user)
})

t.test('the review defaults to the current time', async t => {
  // given
  const nowS = Math.floor(Date.now() / 1000)

  // when
  const fresh = reviewClaims(base, token({ exp: nowS + 600 }))
  const stale = reviewClaims(base, token({ exp: nowS - 600 }))

  // then
  t.equal(fresh.authenticated, true)
  t.equal(stale.reasons[0]?.code, 'expired')
})
