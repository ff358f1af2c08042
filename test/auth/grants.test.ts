import t from 'tap'
import { authConfigFromEnv } from '../../src/auth/config.ts'
import { createAuthorizer, describeMissingGrant, validateGrants } from '../../src/auth/grants.ts'
import { generateToken, hashToken } from '../../src/auth/static-tokens.ts'
import { buildSampleApp, EXISTING_CLUSTERS } from './helpers/sample-app.ts'

t.test('the authorizer', async t => {
  const authorizer = createAuthorizer([
    { principal: 'ci', clusters: ['staging', 'prod-*'], actions: ['write'] },
    { principal: 'viewer', clusters: ['dev-?'], actions: ['read'] },
    { principal: 'ops', clusters: ['*'], actions: ['admin'] },
    { principal: 'split', clusters: ['a'], actions: ['read'] },
    { principal: 'split', clusters: ['b'], actions: ['write'] },
    { principal: 'both', clusters: ['c'], actions: ['read', 'write'] }
  ])
  const table: Array<[string, string, 'read' | 'write' | 'admin', string | undefined, boolean]> = [
    ['exact name', 'ci', 'write', 'staging', true],
    ['exact name is not a prefix', 'ci', 'write', 'staging-2', false],
    ['glob', 'ci', 'write', 'prod-eu', true],
    ['glob needs its literal part', 'ci', 'write', 'preprod-eu', false],
    ['write implies read', 'ci', 'read', 'prod-eu', true],
    ['write does not imply admin', 'ci', 'admin', 'prod-eu', false],
    ['action mismatch', 'viewer', 'write', 'dev-1', false],
    ['? matches one character', 'viewer', 'read', 'dev-1', true],
    ['? matches only one character', 'viewer', 'read', 'dev-10', false],
    ['admin implies write', 'ops', 'write', 'anything', true],
    ['admin implies read', 'ops', 'read', 'x', true],
    ['admin on * covers cluster-less actions', 'ops', 'admin', undefined, true],
    ['a cluster grant does not cover cluster-less actions', 'ci', 'read', undefined, false],
    ['grants do not mix across entries', 'split', 'write', 'a', false],
    ['each entry applies on its own', 'split', 'write', 'b', true],
    ['default deny for unknown principals', 'nobody', 'read', 'staging', false],
    ['the glob matches dots too', 'ci', 'write', 'prod-.', true],
    ['one of several actions is enough', 'both', 'write', 'c', true]
  ]
  for (const [what, principal, action, cluster, allowed] of table) {
    t.equal(createAuthorizer([]).allows(principal, action, cluster), false, `empty grants deny: ${what}`)
    t.equal(authorizer.allows(principal, action, cluster), allowed, what)
  }
  for (const literal of ['a.b', 'a+', '(a)', 'a|b', '[ab]', 'a{2}', '^a', 'a$', 'a\\b']) {
    const only = createAuthorizer([{ principal: 'p', clusters: [literal], actions: ['read'] }])
    t.equal(only.allows('p', 'read', literal), true, `the pattern ${literal} matches itself`)
    for (const other of ['axb', 'aa', 'a', 'b', 'ab']) t.equal(only.allows('p', 'read', other), false, `regex characters in ${literal} are literal: not ${other}`)
  }
  t.equal(createAuthorizer([{ principal: 'p', clusters: ['a*b?c'], actions: ['read'] }]).allows('p', 'read', 'a-x-bYc'), true, 'globs and literals mix')
})

t.test('grant documents are validated at start with clear messages', async t => {
  t.same(validateGrants({ grants: [{ principal: 'ci', clusters: ['x'], actions: ['read'], extra: 1 }] }, 'AUTH_GRANTS').errors,
    ['AUTH_GRANTS at /grants/0: unknown member "extra"'])
  t.same(validateGrants({ grants: [{ principal: 'ci', clusters: ['x'], actions: ['delete'] }] }, 'AUTH_GRANTS').errors,
    ['AUTH_GRANTS at /grants/0/actions/0: must be one of "read", "write", "admin"'])
  t.match(validateGrants({ grants: [{ principal: 'ci', clusters: ['prod/eu'], actions: ['read'] }] }, 'AUTH_GRANTS').errors,
    [/AUTH_GRANTS at \/grants\/0\/clusters\/0: must match pattern/])
  t.match(validateGrants({ grants: [{ principal: 'ci', clusters: [], actions: ['read'] }] }, 'AUTH_GRANTS').errors,
    [/\/grants\/0\/clusters: must not have fewer than 1 items/])

  const valid = { principal: 'ci', clusters: ['prod-*', 'dev-?', 'a_b', 'x'.repeat(100)], actions: ['read'] }
  t.same(validateGrants({ grants: [valid] }, 'AUTH_GRANTS'), { grants: [valid], errors: [] }, 'a valid document is returned as it is')
  const errorsOf = (grant: unknown, document: Record<string, unknown> = {}) => validateGrants({ grants: [grant], ...document }, 'AUTH_GRANTS')
  t.same(errorsOf({ ...valid, principal: '' }).grants, [], 'an invalid document yields no grants')
  t.match(errorsOf({ ...valid, principal: '' }).errors, [/\/grants\/0\/principal: must not have fewer than 1 characters/])
  t.match(errorsOf({ ...valid, principal: 'p'.repeat(301) }).errors, [/\/grants\/0\/principal: must not have more than 300 characters/])
  t.same(errorsOf({ ...valid, principal: 'p'.repeat(300) }).errors, [])
  t.match(errorsOf({ ...valid, clusters: ['x'.repeat(101)] }).errors, [/\/grants\/0\/clusters\/0: must match pattern/])
  t.match(errorsOf({ ...valid, clusters: [''] }).errors, [/\/grants\/0\/clusters\/0: must match pattern/])
  t.match(errorsOf({ ...valid, actions: [] }).errors, [/\/grants\/0\/actions: must not have fewer than 1 items/])
  t.same(errorsOf(valid, { extra: true }).errors, ['AUTH_GRANTS: unknown member "extra"'])

  const token = `ci:${hashToken(generateToken())}`
  t.throws(() => authConfigFromEnv({ AUTH_API_TOKENS: token, AUTH_GRANTS: '{not json' }), /AUTH_GRANTS is not valid JSON/)
  t.throws(() => authConfigFromEnv({ AUTH_API_TOKENS: token, AUTH_GRANTS: JSON.stringify({ grants: [{ principal: 'cj', clusters: ['*'], actions: ['read'] }] }) }),
    /grant 1 \(principal "cj"\): no API token has this name/)
  t.throws(() => authConfigFromEnv({ AUTH_API_TOKENS: token, AUTH_GRANTS: JSON.stringify({ grants: [{ principal: 'jwt:alice', clusters: ['*'], actions: ['read'] }] }) }),
    /JWT principals need AUTH_MODE to include "jwt"/)
  t.throws(() => authConfigFromEnv({ AUTH_API_TOKENS: token, AUTH_GRANTS: '{"grants":[]}', AUTH_GRANTS_FILE: '/x' }), /either AUTH_GRANTS or AUTH_GRANTS_FILE/)

  t.test('a YAML grants file is read', async t => {
    const dir = t.testdir({ 'grants.yaml': 'grants:\n  - principal: ci\n    clusters: ["prod-*"]\n    actions: [write]\n' })
    const config = authConfigFromEnv({ AUTH_API_TOKENS: token, AUTH_GRANTS_FILE: `${dir}/grants.yaml` })
    t.same(config.grants, [{ principal: 'ci', clusters: ['prod-*'], actions: ['write'] }])
  })
  t.test('an unreadable grants file is reported', async t => {
    t.throws(() => authConfigFromEnv({ AUTH_API_TOKENS: token, AUTH_GRANTS_FILE: '/nonexistent/grants.yaml' }),
      /AUTH_GRANTS_FILE \/nonexistent\/grants.yaml cannot be read/)
  })
})

t.test('403 over HTTP', async t => {
  const ci = generateToken()
  const ops = generateToken()
  const stranger = generateToken()
  const { app, handlerCalls } = await buildSampleApp(t, {
    env: {
      AUTH_API_TOKENS: `ci:${hashToken(ci)},ops:${hashToken(ops)},stranger:${hashToken(stranger)}`,
      AUTH_GRANTS: JSON.stringify({
        grants: [
          { principal: 'ci', clusters: ['staging', 'prod-*'], actions: ['read'] },
          { principal: 'ci', clusters: ['staging'], actions: ['write'] },
          { principal: 'ops', clusters: ['*'], actions: ['admin'] }
        ]
      })
    }
  })
  const call = (token: string, method: 'GET' | 'POST', url: string) => app.inject({
    method, url, headers: { authorization: `Bearer ${token}` }, payload: method === 'POST' ? { name: 'cfg' } : undefined
  })

  t.test('exact and glob grants allow', async t => {
    t.equal((await call(ci, 'GET', '/clusters/staging/oidc-provider')).statusCode, 200)
    t.equal((await call(ci, 'GET', '/clusters/prod-eu/oidc-provider')).statusCode, 200)
    t.equal((await call(ci, 'POST', '/clusters/staging/identity-provider-configs')).statusCode, 202)
  })

  t.test('the body names the missing grant and the handler never runs', async t => {
    const before = handlerCalls.count
    const response = await call(ci, 'POST', '/clusters/prod-eu/identity-provider-configs')
    t.equal(response.statusCode, 403)
    t.match(response.headers['content-type'], /^application\/problem\+json/)
    t.match(response.json(), {
      status: 403,
      code: 'AccessDeniedException',
      type: 'https://eks-oidc-api.dev/problems/access-denied',
      detail: 'principal "ci" lacks "write" on cluster "prod-eu"'
    })
    t.equal(handlerCalls.count, before)
  })

  t.test('403 reads the same for existing and non-existing clusters', async t => {
    t.ok(EXISTING_CLUSTERS.has('prod-us'))
    const existing = await call(stranger, 'GET', '/clusters/prod-us/oidc-provider')
    const missing = await call(stranger, 'GET', '/clusters/prod-zz/oidc-provider')
    t.equal(existing.statusCode, 403)
    t.equal(missing.statusCode, 403)
    const strip = (body: Record<string, unknown>) => ({ ...body, detail: String(body.detail).replace(/cluster ".*"/, 'cluster X'), instance: undefined, requestId: undefined })
    t.same(strip(existing.json()), strip(missing.json()))
    t.same(Object.keys(existing.headers).sort(), Object.keys(missing.headers).sort())
  })

  t.test('with a grant, a missing cluster is a plain 404 from the handler', async t => {
    t.equal((await call(ops, 'GET', '/clusters/prod-zz/oidc-provider')).statusCode, 404)
  })

  t.test('admin routes need admin on *', async t => {
    t.equal((await call(ci, 'POST', '/operations/purge')).statusCode, 403)
    t.equal((await call(ci, 'POST', '/operations/purge')).json().detail, 'principal "ci" lacks "admin" on all clusters ("*")')
    t.equal((await call(ops, 'POST', '/operations/purge')).statusCode, 200)
  })

  t.test('authorization comes before validation: an ungranted caller learns nothing from a bad body', async t => {
    const response = await app.inject({
      method: 'PUT', url: '/clusters/prod-eu/oidc-provider', headers: { authorization: `Bearer ${ci}`, 'content-type': 'application/json' }, payload: '{bad json'
    })
    t.equal(response.statusCode, 403)
  })

  t.test('the long cluster names are cut in the detail', async t => {
    t.equal(describeMissingGrant('ci', 'read', 'x'.repeat(500)), `principal "ci" lacks "read" on cluster "${'x'.repeat(100)}"`)
  })
})

t.test('grants scoped by account and region', async t => {
  const A = '111122223333'
  const B = '444455556666'
  const authorizer = createAuthorizer([
    { principal: 'team-a', clusters: ['*'], accounts: [A], actions: ['write'] },
    { principal: 'eu', clusters: ['prod-*'], accounts: ['1111*'], regions: ['eu-*'], actions: ['read'] },
    { principal: 'everywhere', clusters: ['*'], actions: ['read'] },
    { principal: 'any-account', clusters: ['*'], accounts: ['*'], regions: ['*'], actions: ['read'] }
  ])
  const table: Array<[string, string, string | undefined, { accountId?: string, region: string } | undefined, boolean]> = [
    ['a grant for account A reaches A', 'team-a', 'prod', { accountId: A, region: 'us-east-1' }, true],
    ['a grant for account A does not reach B', 'team-a', 'prod', { accountId: B, region: 'us-east-1' }, false],
    ['an account-limited grant does not reach the implicit account (id unknown)', 'team-a', 'prod', { region: 'us-east-1' }, false],
    ['an account-limited grant does not cover requests about no account', 'team-a', undefined, undefined, false],
    ['globs on accounts and regions', 'eu', 'prod-1', { accountId: A, region: 'eu-west-1' }, true],
    ['a region outside the grant', 'eu', 'prod-1', { accountId: A, region: 'us-east-1' }, false],
    ['the cluster must still match', 'eu', 'dev', { accountId: A, region: 'eu-west-1' }, false],
    ['without accounts or regions a grant reaches all', 'everywhere', 'x', { accountId: B, region: 'ap-south-1' }, true],
    ['and covers requests about no account', 'everywhere', undefined, undefined, true],
    ['`*` reaches the implicit account too', 'any-account', 'x', { region: 'us-east-1' }, true]
  ]
  for (const [what, principal, cluster, scope, allowed] of table) {
    t.equal(authorizer.allows(principal, 'read', cluster, scope), allowed, what)
  }
  t.equal(describeMissingGrant('team-a', 'write', 'prod', { accountId: B, region: 'eu-west-1' }),
    'principal "team-a" lacks "write" on cluster "prod" in account "444455556666", region "eu-west-1"')
  t.same(validateGrants({ grants: [{ principal: 'p', clusters: ['*'], accounts: ['not an id'], actions: ['read'] }] }, 'AUTH_GRANTS').errors.length > 0, true, 'account patterns are checked')
  t.same(validateGrants({ grants: [{ principal: 'p', clusters: ['*'], accounts: ['1234*'], regions: ['eu-*'], actions: ['read'] }] }, 'AUTH_GRANTS').errors, [])
})

t.test('reachesScope: some grant for the action reaches the account and region, whatever its clusters', async t => {
  const authorizer = createAuthorizer([
    { principal: 'team', clusters: ['pay-*'], accounts: ['444455556666'], regions: ['eu-*'], actions: ['read'] },
    { principal: 'ops', clusters: ['*'], actions: ['write'] }
  ])
  t.ok(authorizer.reachesScope('team', 'read', { accountId: '444455556666', region: 'eu-west-1' }))
  t.notOk(authorizer.reachesScope('team', 'read', { accountId: '444455556666', region: 'us-east-1' }), 'not another region')
  t.notOk(authorizer.reachesScope('team', 'read', { accountId: '111122223333', region: 'eu-west-1' }), 'not another account')
  t.notOk(authorizer.reachesScope('team', 'write', { accountId: '444455556666', region: 'eu-west-1' }), 'not another action')
  t.notOk(authorizer.reachesScope('team', 'read', { region: 'eu-west-1' }), 'not the implicit account (no id)')
  t.ok(authorizer.reachesScope('ops', 'read', { region: 'us-east-1' }), 'write implies read; no accounts reaches every account')
  t.ok(authorizer.reachesScope('team', 'read'), 'without a scope: any grant for the action')
  t.notOk(authorizer.reachesScope('nobody', 'read'))
})
