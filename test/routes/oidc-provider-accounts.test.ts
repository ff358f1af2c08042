/**
 * IRSA across accounts on fake ports: the provider for cluster `prod` (account A) managed in
 * account B, through B's IAM only, with the cluster's own provider semantics and IAM's quota.
 */
import t from 'tap'
import type { Scope } from '../../src/accounts/scopes.ts'
import type { StsPort } from '../../src/aws/ports.ts'
import { generateToken, hashToken } from '../../src/auth/static-tokens.ts'
import { assertProblem, build } from '../support/build.ts'
import { awsError, createFakeAws, type FakeAws } from '../support/fake-aws.ts'

const A = '111122223333'
const B = '444455556666'
const ISSUER = 'https://oidc.eks.eu-west-1.amazonaws.com/id/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'
const HOST_PATH = ISSUER.replace('https://', '')
const ARN_IN_B = `arn:aws:iam::${B}:oidc-provider/${HOST_PATH}`
const THUMB = '9e99a48a9960b14926bb7f3b02e22da2b0ab7280'
const ACCOUNTS = JSON.stringify({
  accounts: [
    { accountId: A, regions: ['eu-west-1'] },
    { accountId: B, roleArn: `arn:aws:iam::${B}:role/eks-oidc-api`, regions: ['eu-west-1'] }
  ]
})
const URL_IN_B = `/clusters/prod/oidc-provider/accounts/${B}`

const sts: StsPort = {
  assumeRole: async () => { throw Object.assign(new Error('not used'), { name: 'AccessDenied' }) },
  getCallerIdentity: async () => ({ $metadata: {} })
}

/** Cluster `prod` lives in A; B is a registry account without clusters. */
async function twoAccounts (t: Parameters<typeof build>[0], env: Record<string, string> = {}) {
  const fakes = new Map<string, FakeAws>([
    [A, createFakeAws([{ name: 'prod', issuer: ISSUER }], { account: A })],
    [B, createFakeAws([], { account: B })]
  ])
  const { app, store } = await build(t, {
    env: { ACCOUNTS, ...env },
    deps: { scopePorts: (scope: Scope) => ({ ...fakes.get(scope.account.accountId!)!, sts }) }
  })
  return { app, store, a: fakes.get(A)!, b: fakes.get(B)! }
}

const writes = (aws: FakeAws) => aws.operations().filter((operation) => !/^(Get|List|Describe)/.test(operation))

function seedProviders (aws: FakeAws, count: number) {
  for (let i = 0; i < count; i++) {
    aws.providers.set(`arn:aws:iam::${B}:oidc-provider/idp${i}.example.com`, { Url: `idp${i}.example.com`, ClientIDList: ['a'], ThumbprintList: [THUMB], Tags: [], CreateDate: new Date() })
  }
}

t.test('PUT creates the provider in account B only, converges it, and GET counts B\'s providers', async t => {
  const { app, a, b } = await twoAccounts(t)
  const created = await app.inject({ method: 'PUT', url: URL_IN_B, payload: { ThumbprintList: [THUMB] } })
  t.equal(created.statusCode, 201)
  t.equal(created.headers.location, URL_IN_B)
  t.match(created.json(), { OpenIDConnectProviderArn: ARN_IN_B, exists: true, changes: [{ operation: 'CreateOpenIDConnectProvider', input: { Url: ISSUER } }] })
  t.same([...b.providers.keys()], [ARN_IN_B], 'the provider is in B')
  t.same(writes(a), [], 'nothing is written in A')
  t.ok(a.operations().includes('DescribeCluster'), 'the cluster is read in A')
  t.same(b.operations().slice(0, 2).sort(), ['GetOpenIDConnectProvider', 'ListOpenIDConnectProviders'], 'B\'s providers are counted before the create')

  const again = await app.inject({ method: 'PUT', url: URL_IN_B, payload: { ThumbprintList: [THUMB], Tags: [{ Key: 'team', Value: 'platform' }] } })
  t.equal(again.statusCode, 200)
  t.same(again.json().changes.map((c: { operation: string }) => c.operation), ['TagOpenIDConnectProvider'], 'converged with the one call needed')
  const before = b.calls.length
  t.same((await app.inject({ method: 'PUT', url: URL_IN_B, payload: { ThumbprintList: [THUMB] } })).json().changes, [], 'in the desired state: no call')
  t.same(b.operations(before), ['GetOpenIDConnectProvider'], 'and no count: nothing is created')

  const got = await app.inject({ url: URL_IN_B })
  t.equal(got.statusCode, 200)
  t.match(got.json(), { accountId: B, exists: true, OpenIDConnectProviderArn: ARN_IN_B, oidcProviders: { count: 1, quota: 100 } })
  t.same((await app.inject({ url: '/clusters/prod/oidc-provider' })).json().exists, false, 'the cluster\'s own provider (in A) is another one')
})

t.test('dryRun plans the create in B and changes nothing', async t => {
  const { app, b } = await twoAccounts(t)
  const planned = await app.inject({ method: 'PUT', url: `${URL_IN_B}?dryRun=true`, payload: {} })
  t.equal(planned.statusCode, 200)
  t.match(planned.json(), { dryRun: true, exists: false, changes: [{ operation: 'CreateOpenIDConnectProvider' }] })
  t.same(writes(b), [])
})

t.test('at IAM\'s quota the create is refused with 409 naming the quota and the count, before any write', async t => {
  const { app, b } = await twoAccounts(t)
  seedProviders(b, 100)
  const refused = assertProblem(t, await app.inject({ method: 'PUT', url: URL_IN_B, payload: {} }), 409, 'OidcProviderQuotaReached')
  t.match(refused, { count: 100, quota: 100, detail: /Account 444455556666 has 100 IAM OIDC providers, at IAM's quota of 100/ })
  t.same(writes(b), [], 'no create was sent')
  assertProblem(t, await app.inject({ method: 'PUT', url: `${URL_IN_B}?dryRun=true`, payload: {} }), 409, 'OidcProviderQuotaReached')
  t.match((await app.inject({ url: URL_IN_B })).json(), { exists: false, oidcProviders: { count: 100, quota: 100 } }, 'GET shows the count')

  b.providers.delete(`arn:aws:iam::${B}:oidc-provider/idp0.example.com`)
  t.equal((await app.inject({ method: 'PUT', url: URL_IN_B, payload: {} })).statusCode, 201, 'with one place free the create goes through')
})

t.test('IAM\'s own LimitExceeded on create (a race past the count) is the same quota problem', async t => {
  const { app, b } = await twoAccounts(t)
  seedProviders(b, 99)
  b.iam.createOpenIDConnectProvider = async () => {
    seedProviders(b, 100)
    throw awsError('LimitExceededException', 409, 'Cannot exceed quota for OpenIdConnectProvidersPerAccount: 100')
  }
  const refused = assertProblem(t, await app.inject({ method: 'PUT', url: URL_IN_B, payload: {} }), 409, 'OidcProviderQuotaReached')
  t.match(refused, { count: 100, quota: 100 })
})

t.test('an account outside the registry is 404 naming /params/providerAccountId; a malformed one 400', async t => {
  const { app, b } = await twoAccounts(t)
  for (const method of ['GET', 'PUT', 'DELETE'] as const) {
    const missing = assertProblem(t, await app.inject({ method, url: '/clusters/prod/oidc-provider/accounts/999999999999', ...(method === 'PUT' ? { payload: {} } : {}) }), 404, 'AccountNotFound')
    t.match(missing.errors, [{ pointer: '/params/providerAccountId' }], method)
  }
  const malformed = assertProblem(t, await app.inject({ url: '/clusters/prod/oidc-provider/accounts/12' }), 400, 'ValidationException')
  t.match(malformed.errors, [{ pointer: '/params/providerAccountId' }])
  t.same(b.calls, [], 'B was never called')
})

t.test('the cluster\'s own account may be named too: the provider is then the cluster\'s own', async t => {
  const { app, a } = await twoAccounts(t)
  const created = await app.inject({ method: 'PUT', url: `/clusters/prod/oidc-provider/accounts/${A}`, payload: {} })
  t.equal(created.statusCode, 201)
  t.equal(created.json().OpenIDConnectProviderArn, `arn:aws:iam::${A}:oidc-provider/${HOST_PATH}`)
  t.equal((await app.inject({ url: '/clusters/prod/oidc-provider' })).json().exists, true)
  t.ok(a.operations().includes('CreateOpenIDConnectProvider'))
})

t.test('DELETE is idempotent; records name B\'s provider; an Idempotency-Key retry makes no second write', async t => {
  const { app, store, b } = await twoAccounts(t)
  const key = `cross-account-${Date.now()}-0123456789`
  const put = () => app.inject({ method: 'PUT', url: URL_IN_B, headers: { 'idempotency-key': key }, payload: {} })
  t.equal((await put()).statusCode, 201)
  const replay = await put()
  t.equal(replay.statusCode, 201)
  t.equal(replay.headers['idempotent-replayed'], 'true')
  t.equal(b.operations().filter((op) => op === 'CreateOpenIDConnectProvider').length, 1, 'one create in B')

  t.equal((await app.inject({ method: 'DELETE', url: URL_IN_B })).statusCode, 204)
  t.equal((await app.inject({ method: 'DELETE', url: URL_IN_B })).statusCode, 204, 'already gone is success')
  t.same([...b.providers.keys()], [])
  const audit = (await store.listAudit({ cluster: 'prod' })).items
  t.ok(audit.some((r) => r.action === 'putCrossAccountOpenIDConnectProvider' && r.resource === ARN_IN_B), 'the PUT\'s record names the provider in B')
  t.ok(audit.some((r) => r.action === 'deleteCrossAccountOpenIDConnectProvider' && r.resource === ARN_IN_B), 'and so does the DELETE\'s')
})

t.test('the prefixed form names the cluster\'s account, and answers a prefixed Location', async t => {
  const { app, b } = await twoAccounts(t)
  const url = `/accounts/${A}/regions/eu-west-1/clusters/prod/oidc-provider/accounts/${B}`
  const created = await app.inject({ method: 'PUT', url, payload: {} })
  t.equal(created.statusCode, 201)
  t.equal(created.headers.location, url)
  t.same([...b.providers.keys()], [ARN_IN_B])
  assertProblem(t, await app.inject({ url: `/accounts/${B}/regions/eu-west-1/clusters/prod/oidc-provider/accounts/${B}` }), 404, 'ResourceNotFoundException')
})

t.test('grants: the grant must reach the cluster in account B as well as in its own account', async t => {
  const onlyA = generateToken()
  const both = generateToken()
  const grants = {
    grants: [
      { principal: 'team-a', clusters: ['prod'], accounts: [A], actions: ['write'] },
      { principal: 'platform', clusters: ['prod'], accounts: [A, B], actions: ['write'] }
    ]
  }
  const { app, b } = await twoAccounts(t, {
    AUTH_MODE: 'tokens', AUTH_API_TOKENS: `team-a:${hashToken(onlyA)},platform:${hashToken(both)}`, AUTH_GRANTS: JSON.stringify(grants)
  })
  const as = (token: string) => ({ authorization: `Bearer ${token}` })
  const denied = assertProblem(t, await app.inject({ method: 'PUT', url: URL_IN_B, headers: as(onlyA), payload: {} }), 403, 'AccessDeniedException')
  t.match(denied.detail, /lacks "write" on cluster "prod" in account "444455556666"/)
  assertProblem(t, await app.inject({ url: URL_IN_B, headers: as(onlyA) }), 403, 'AccessDeniedException')
  t.same(b.calls, [], 'nothing reached B')
  t.equal((await app.inject({ method: 'PUT', url: '/clusters/prod/oidc-provider', headers: as(onlyA), payload: {} })).statusCode, 201, 'the cluster\'s own provider needs only A')
  t.equal((await app.inject({ method: 'PUT', url: URL_IN_B, headers: as(both), payload: {} })).statusCode, 201, 'a grant reaching both accounts may')
})
