/**
 * The real app, with static tokens: every route not marked public answers 401 without
 * credentials and 403 without a grant. Walks the auth plugin's route table, so a route added later
 * is covered without touching this test.
 */
import t, { type Test } from 'tap'
import { buildApp } from '../../src/app.ts'
import { generateToken, hashToken } from '../../src/auth/static-tokens.ts'
import { loadConfig } from '../../src/config.ts'
import { createFakeAws } from '../support/fake-aws.ts'
import { TEST_ENV, testStore } from '../support/build.ts'
import { walkProtectedRoutes } from '../support/route-walk.ts'

const ungranted = generateToken()
const reader = generateToken()

async function appWithTokens (t: Test) {
  const aws = createFakeAws()
  const config = loadConfig({
    ...TEST_ENV,
    AUTH_MODE: 'tokens',
    AUTH_API_TOKENS: `nobody:${hashToken(ungranted)},reader:${hashToken(reader)}`,
    AUTH_GRANTS: JSON.stringify({ grants: [{ principal: 'reader', clusters: ['demo'], actions: ['read'] }] })
  })
  const app = await buildApp(config, { logger: false, eks: aws.eks, iam: aws.iam, store: await testStore() })
  await app.ready()
  t.teardown(() => app.close())
  return { app, aws }
}

t.test('every protected route of the real app answers 401 without credentials and 403 without a grant', async t => {
  const { app, aws } = await appWithTokens(t)
  const protectedRoutes = app.routeAccessTable.filter(r => !r.requirement.public)
  t.ok(protectedRoutes.length >= 20, `walks ${protectedRoutes.length} protected routes`)
  for (const operation of ['/clusters/:name/identity-provider-configs', '/clusters/:name/oidc-provider', '/audit', '/issuers/inspect']) {
    t.ok(protectedRoutes.some(r => r.url === operation), `${operation} is in the walk`)
  }
  const violations = await walkProtectedRoutes(app, app.routeAccessTable, {
    ungrantedAuthorization: `Bearer ${ungranted}`,
    headers: { 'idempotency-key': 'walk-key-0123456789abcdef' }
  })
  t.same(violations, [])
  t.same(aws.calls, [], 'no rejected request reached AWS')
})

t.test('public routes stay reachable without credentials', async t => {
  const { app } = await appWithTokens(t)
  for (const url of ['/healthz', '/readyz', '/openapi.json', '/openapi.yaml', '/docs/', '/metrics']) {
    const res = await app.inject({ method: 'GET', url })
    t.ok(res.statusCode < 400, `${url} answers ${res.statusCode}`)
  }
})

t.test('a grant opens exactly its cluster and action', async t => {
  const { app } = await appWithTokens(t)
  const auth = { authorization: `Bearer ${reader}` }
  t.equal((await app.inject({ method: 'GET', url: '/clusters/demo', headers: auth })).statusCode, 200)
  const otherCluster = await app.inject({ method: 'GET', url: '/clusters/prod', headers: auth })
  t.equal(otherCluster.statusCode, 403)
  t.match(otherCluster.json().detail, /principal "reader" lacks "read" on cluster "prod"/)
  const write = await app.inject({ method: 'DELETE', url: '/clusters/demo/oidc-provider', headers: auth })
  t.equal(write.statusCode, 403)
  t.match(write.json(), { code: 'AccessDeniedException', detail: /lacks "write"/ })
})
