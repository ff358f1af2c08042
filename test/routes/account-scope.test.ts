/**
 * Cluster routes in both forms on fake ports: `/clusters/...` is the default account in its default
 * region, `/accounts/{accountId}/regions/{region}/clusters/...` any account and region of the
 * registry, each scope with services (and caches) of its own.
 */
import t from 'tap'
import { AuditOutcome } from '../../schemas/audit.ts'
import type { Scope } from '../../src/accounts/scopes.ts'
import type { StsPort } from '../../src/aws/ports.ts'
import { generateToken, hashToken } from '../../src/auth/static-tokens.ts'
import { assertProblem, build } from '../support/build.ts'
import { createFakeAws, type FakeAws } from '../support/fake-aws.ts'

const A = '111122223333'
const B = '444455556666'
const ROLE_B = `arn:aws:iam::${B}:role/eks-oidc-api`
const ISSUER_A = 'https://oidc.eks.eu-west-1.amazonaws.com/id/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'
const ISSUER_B = 'https://oidc.eks.eu-west-1.amazonaws.com/id/BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB'
const ACCOUNTS = JSON.stringify({
  accounts: [
    { accountId: A, regions: ['eu-west-1', 'us-east-1'], name: 'hub' },
    { accountId: B, roleArn: ROLE_B, externalId: 'secret-external-id', regions: ['eu-west-1'], name: 'prod' }
  ]
})

function stsAnswering (account: string): StsPort {
  return {
    assumeRole: async () => { throw Object.assign(new Error('not used'), { name: 'AccessDenied' }) },
    getCallerIdentity: async () => ({ Account: account, Arn: `arn:aws:sts::${account}:assumed-role/eks-oidc-api/s`, UserId: 'AROA', $metadata: {} })
  }
}

/** One fake AWS per (account, region): `prod` exists in A/eu-west-1 and B/eu-west-1 with different issuers. */
async function twoAccounts (t: Parameters<typeof build>[0], env: Record<string, string> = {}) {
  const fakes = new Map<string, FakeAws>([
    [`${A} eu-west-1`, createFakeAws([{ name: 'prod', issuer: ISSUER_A }, { name: 'only-in-a' }])],
    [`${A} us-east-1`, createFakeAws([])],
    [`${B} eu-west-1`, createFakeAws([{ name: 'prod', issuer: ISSUER_B }])]
  ])
  const fakeOf = (scope: Scope) => fakes.get(`${scope.account.accountId} ${scope.region}`)!
  const { app, store } = await build(t, {
    env: { ACCOUNTS, ...env },
    deps: { scopePorts: (scope) => ({ ...fakeOf(scope), sts: stsAnswering(scope.account.accountId!) }) }
  })
  return { app, store, fakes }
}

t.test('each scope reaches only its own account and region', async t => {
  const { app } = await twoAccounts(t)
  const issuerOf = async (url: string) => (await app.inject({ url })).json().cluster.identity.oidc.issuer
  t.equal(await issuerOf('/clusters/prod'), ISSUER_A, '/clusters is the default account (A) in its default region')
  t.equal(await issuerOf(`/accounts/${A}/regions/eu-west-1/clusters/prod`), ISSUER_A)
  t.equal(await issuerOf(`/accounts/${B}/regions/eu-west-1/clusters/prod`), ISSUER_B, 'prod of account B is B\'s, never a cached answer of A')
  t.equal(await issuerOf('/clusters/prod'), ISSUER_A, 'and A\'s stays A\'s')
  t.same((await app.inject({ url: `/accounts/${A}/regions/us-east-1/clusters` })).json().clusters, [], 'another region of A is another state')
  assertProblem(t, await app.inject({ url: `/accounts/${B}/regions/eu-west-1/clusters/only-in-a` }), 404, 'ResourceNotFoundException')
})

t.test('unknown accounts and regions are 404 problems naming the parameter; malformed ones 400', async t => {
  const { app } = await twoAccounts(t)
  const unknown = assertProblem(t, await app.inject({ url: '/accounts/999999999999/regions/eu-west-1/clusters/prod' }), 404, 'AccountNotFound')
  t.same(unknown.errors, [{ pointer: '/params/accountId', detail: 'must be an account of the registry (GET /accounts lists them)' }])
  const region = assertProblem(t, await app.inject({ url: `/accounts/${B}/regions/us-east-1/clusters/prod` }), 404, 'RegionNotAllowed')
  t.same(region.errors, [{ pointer: '/params/region', detail: 'must be one of eu-west-1' }])
  const malformed = assertProblem(t, await app.inject({ url: '/accounts/12/regions/eu-west-1/clusters/prod' }), 400, 'ValidationException')
  t.match(malformed.errors, [{ pointer: '/params/accountId' }])
})

t.test('writes in the prefixed form: Location, records and Idempotency-Key scope carry the account and region', async t => {
  const { app, store, fakes } = await twoAccounts(t)
  const key = `scope-key-${Date.now()}-0123456789`
  const put = (account: string) => app.inject({
    method: 'PUT',
    url: `/accounts/${account}/regions/eu-west-1/clusters/prod/oidc-provider`,
    headers: { 'idempotency-key': key },
    payload: { ClientIDList: ['sts.amazonaws.com'], ThumbprintList: ['9e99a48a9960b14926bb7f3b02e22da2b0ab7280'] }
  })
  const inB = await put(B)
  t.equal(inB.statusCode, 201)
  t.equal(inB.headers.location, `/accounts/${B}/regions/eu-west-1/clusters/prod/oidc-provider`, 'Location names the prefixed URL')
  const inA = await put(A)
  t.equal(inA.statusCode, 201, 'the same key and path in another account is another change, not a replay or a 422')
  t.equal(inA.headers['idempotent-replayed'], 'false')
  t.equal(fakes.get(`${B} eu-west-1`)!.calls.filter(c => c.operation === 'CreateOpenIDConnectProvider').length, 1, 'one provider created in B')
  t.equal(fakes.get(`${A} eu-west-1`)!.calls.filter(c => c.operation === 'CreateOpenIDConnectProvider').length, 1, 'and one in A')
  t.equal((await put(B)).headers['idempotent-replayed'], 'true', 'a retry in B replays B\'s answer')

  const audit = (await store.listAudit({ cluster: 'prod', action: 'putOpenIDConnectProvider' })).items
  t.ok(audit.some(r => r.accountId === B && r.region === 'eu-west-1'), 'the audit record names account B and its region')
  t.ok(audit.every(r => r.action === 'putOpenIDConnectProvider'), 'the action is the route\'s own operationId in both forms')
  const inBOnly = (await app.inject({ url: `/audit?cluster=prod&accountId=${B}&region=eu-west-1` })).json().items
  t.ok(inBOnly.length >= 2, 'GET /audit finds the records of account B')
  t.ok(inBOnly.every((r: { accountId: string, region: string }) => r.accountId === B && r.region === 'eu-west-1'), 'and only those')
  const operations = await app.inject({ url: `/accounts/${B}/regions/eu-west-1/clusters/prod/operations` })
  t.ok(operations.json().items.length >= 1)
  t.ok(operations.json().items.every((op: { accountId: string }) => op.accountId === B), 'the operations of a scope are that scope\'s')
})

t.test('GET /accounts lists the registry without secrets, with reachability; check=false calls nothing', async t => {
  const { app } = await twoAccounts(t)
  const listed = (await app.inject({ url: '/accounts' })).json()
  t.match(listed.accounts, [
    { accountId: A, partition: 'aws', hasExternalId: false, regions: ['eu-west-1', 'us-east-1'], defaultRegion: 'eu-west-1', default: true, name: 'hub', check: { reachable: true, callerAccount: A } },
    { accountId: B, roleArn: ROLE_B, hasExternalId: true, sessionDurationSeconds: 3600, default: false, check: { reachable: true, callerAccount: B } }
  ])
  const raw = JSON.stringify(listed)
  t.notMatch(raw, /secret-external-id/, 'the ExternalId is never shown')
  t.notOk('check' in (await app.inject({ url: '/accounts?check=false' })).json().accounts[0])
})

t.test('grants by account: a grant for account A does not reach account B', async t => {
  const token = generateToken()
  const grants = { grants: [{ principal: 'team-a', clusters: ['*'], accounts: [A], actions: ['write'] }] }
  const { app, store } = await twoAccounts(t, { AUTH_MODE: 'tokens', AUTH_API_TOKENS: `team-a:${hashToken(token)}`, AUTH_GRANTS: JSON.stringify(grants) })
  const headers = { authorization: `Bearer ${token}` }
  t.equal((await app.inject({ url: `/accounts/${A}/regions/eu-west-1/clusters/prod`, headers })).statusCode, 200)
  t.equal((await app.inject({ url: '/clusters/prod', headers })).statusCode, 200, '/clusters is account A, the default')
  const denied = assertProblem(t, await app.inject({ url: `/accounts/${B}/regions/eu-west-1/clusters/prod`, headers }), 403, 'AccessDeniedException')
  t.match(denied.detail, /in account "444455556666", region "eu-west-1"/)
  assertProblem(t, await app.inject({ url: '/accounts', headers }), 403, 'AccessDeniedException')

  const refused = await app.inject({ method: 'DELETE', url: `/accounts/${B}/regions/eu-west-1/clusters/prod/oidc-provider`, headers })
  assertProblem(t, refused, 403, 'AccessDeniedException')
  const audit = (await store.listAudit({ cluster: 'prod', action: 'deleteOpenIDConnectProvider', outcome: AuditOutcome.DENIED })).items
  t.ok(audit.some(r => r.requestId === refused.headers['x-request-id'] && r.accountId === B && r.region === 'eu-west-1'), 'a refused change is audited in the account and region its path names')
})

t.test('without a registry, the prefixed form needs the own account\'s id: STS failing or hanging is a bounded 502', async t => {
  const hanging: StsPort = { assumeRole: () => new Promise(() => {}), getCallerIdentity: () => new Promise(() => {}) }
  const { app } = await build(t, { env: { ACCOUNT_CREDENTIALS_TIMEOUT_MS: '100' }, deps: { sts: hanging } })
  const problem = assertProblem(t, await app.inject({ url: `/accounts/${A}/regions/us-east-1/clusters/demo` }), 502, 'AccountUnreachable')
  t.match(problem.detail, /could not be learned \(TimeoutError\)/)
  t.equal((await app.inject({ url: '/clusters/demo' })).statusCode, 200, '/clusters needs no STS')

  const { app: answering } = await build(t, { deps: { sts: stsAnswering(A) } })
  t.equal((await answering.inject({ url: `/accounts/${A}/regions/us-east-1/clusters/demo` })).statusCode, 200, 'the own account answers to its id')
  assertProblem(t, await answering.inject({ url: `/accounts/${B}/regions/us-east-1/clusters/demo` }), 404, 'AccountNotFound')
})
