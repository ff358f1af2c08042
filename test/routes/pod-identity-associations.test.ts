import { randomUUID } from 'node:crypto'
import t from 'tap'
import { assertProblem, build } from '../support/build.ts'
import { createFakeAws, type FakeAws } from '../support/fake-aws.ts'

const ROLE = 'arn:aws:iam::111122223333:role/cart'
const TRUSTING = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'] }] }
// The tests of this file share one store: every run uses keys of its own.
const RUN = randomUUID()
const key = (suffix: string) => `pod-identity-${suffix}-${RUN}`

/** A cluster where every pre-flight check passes for the role `cart`. */
function ready (aws: FakeAws) {
  aws.putRole('cart', TRUSTING)
  aws.podIdentity.setAddon('demo', 'eks-pod-identity-agent')
}

const create = (body: object, headers: Record<string, string> = { 'idempotency-key': key(randomUUID()) }, query = '') =>
  ({ method: 'POST' as const, url: `/clusters/demo/pod-identity-associations${query}`, headers, payload: body })

t.test('POST creates an association with the derived clientRequestToken and answers 201 with a Location', async t => {
  const { app, aws } = await build(t)
  ready(aws)
  const headers = { 'idempotency-key': key('create') }
  const res = await app.inject(create({ namespace: 'shop', serviceAccount: 'cart', roleArn: ROLE, tags: { team: 'shop' } }, headers))
  t.equal(res.statusCode, 201, res.body)
  const body = res.json()
  t.equal(res.headers.location, `/clusters/demo/pod-identity-associations/${body.association.associationId}`)
  t.match(body, { association: { namespace: 'shop', serviceAccount: 'cart', roleArn: ROLE, tags: { team: 'shop' } }, preflight: { passed: true }, operationId: String })
  const call = aws.calls.find(c => c.operation === 'CreatePodIdentityAssociation')
  t.match(call?.input, { clusterName: 'demo', namespace: 'shop', serviceAccount: 'cart', roleArn: ROLE, clientRequestToken: /^eks-oidc-api-/ })

  const retry = await app.inject(create({ namespace: 'shop', serviceAccount: 'cart', roleArn: ROLE, tags: { team: 'shop' } }, headers))
  t.equal(retry.headers['idempotent-replayed'], 'true')
  t.equal(aws.operations().filter(op => op === 'CreatePodIdentityAssociation').length, 1, 'a retry with the same key writes nothing')
})

t.test('POST without an Idempotency-Key is refused; Kubernetes names and role ARNs are checked', async t => {
  const { app, aws } = await build(t)
  ready(aws)
  assertProblem(t, await app.inject(create({ namespace: 'shop', serviceAccount: 'cart', roleArn: ROLE }, {})), 400, 'IdempotencyKeyMissingException')
  const badNamespace = assertProblem(t, await app.inject(create({ namespace: 'Shop_1', serviceAccount: 'cart', roleArn: ROLE })), 400, 'ValidationException')
  t.match(JSON.stringify(badNamespace.errors), '/body/namespace')
  const badRole = assertProblem(t, await app.inject(create({ namespace: 'shop', serviceAccount: 'cart', roleArn: 'arn:aws:iam::111122223333:user/alice' })), 400, 'ValidationException')
  t.match(JSON.stringify(badRole.errors), '/body/roleArn')
  t.notOk(aws.operations().includes('CreatePodIdentityAssociation'))
})

t.test('a failed pre-flight refuses the create with 422 and the checks, unless force=true', async t => {
  const { app, aws } = await build(t)
  aws.putRole('cart', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: 'sts:AssumeRole' }] })
  const refused = assertProblem(t, await app.inject(create({ namespace: 'shop', serviceAccount: 'cart', roleArn: ROLE })), 422, 'PodIdentityPreflightFailed')
  const checks = Object.fromEntries(refused.preflight.checks.map((c: { name: string }) => [c.name, c]))
  t.match(checks['trust-policy'], { status: 'failed', reason: /sts:TagSession/, statementToAdd: { Principal: { Service: 'pods.eks.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'] } })
  t.match(checks['agent-addon'], { status: 'failed', reason: /not installed/ })
  t.match(checks.platform, { status: 'passed' })
  t.notOk(aws.operations().includes('CreatePodIdentityAssociation'), 'nothing was written')

  const forced = await app.inject(create({ namespace: 'shop', serviceAccount: 'cart', roleArn: ROLE }, { 'idempotency-key': key('forced') }, '?force=true'))
  t.equal(forced.statusCode, 201)
  t.equal(forced.json().preflight.passed, false, 'the answer still carries the failed checks')
})

t.test('a second association of one service account: the same one is adopted, another is a 409 naming it', async t => {
  const { app, aws } = await build(t)
  ready(aws)
  aws.putRole('other', TRUSTING)
  const first = await app.inject(create({ namespace: 'shop', serviceAccount: 'cart', roleArn: ROLE }, { 'idempotency-key': key('first') }))
  const id = first.json().association.associationId
  const same = await app.inject(create({ namespace: 'shop', serviceAccount: 'cart', roleArn: ROLE }, { 'idempotency-key': key('same') }))
  t.equal(same.statusCode, 200)
  t.equal(same.json().association.associationId, id)
  const other = assertProblem(t, await app.inject(create({ namespace: 'shop', serviceAccount: 'cart', roleArn: 'arn:aws:iam::111122223333:role/other' }, { 'idempotency-key': key('other') })),
    409, 'ResourceInUseException')
  t.equal(other.associationId, id)
})

t.test('GET lists with filters, describes, PATCH updates, DELETE is idempotent', async t => {
  const { app, aws } = await build(t)
  ready(aws)
  const { association } = (await app.inject(create({ namespace: 'shop', serviceAccount: 'cart', roleArn: ROLE }))).json()
  const base = `/clusters/demo/pod-identity-associations/${association.associationId}`

  const list = await app.inject({ method: 'GET', url: '/clusters/demo/pod-identity-associations?namespace=shop&maxResults=10' })
  t.same(list.json().associations.map((a: { serviceAccount: string }) => a.serviceAccount), ['cart'])
  t.match(aws.calls.find(c => c.operation === 'ListPodIdentityAssociations')?.input, { clusterName: 'demo', namespace: 'shop', maxResults: 10 })
  assertProblem(t, await app.inject({ method: 'GET', url: '/clusters/demo/pod-identity-associations?maxResults=101' }), 400, 'ValidationException')

  t.equal((await app.inject({ method: 'GET', url: base })).json().association.roleArn, ROLE)
  assertProblem(t, await app.inject({ method: 'GET', url: '/clusters/demo/pod-identity-associations/a-missing0000000000' }), 404, 'ResourceNotFoundException')

  const patched = await app.inject({ method: 'PATCH', url: base, payload: { targetRoleArn: 'arn:aws:iam::444455556666:role/reader', disableSessionTags: true } })
  t.equal(patched.statusCode, 200, patched.body)
  t.match(patched.json().association, { targetRoleArn: 'arn:aws:iam::444455556666:role/reader', disableSessionTags: true, externalId: String })
  assertProblem(t, await app.inject({ method: 'PATCH', url: base, payload: {} }), 400, 'ValidationException')

  const deleted = await app.inject({ method: 'DELETE', url: base })
  t.equal(deleted.statusCode, 200)
  t.equal(deleted.json().association.associationId, association.associationId)
  t.equal((await app.inject({ method: 'DELETE', url: base })).statusCode, 204, 'already gone')
  assertProblem(t, await app.inject({ method: 'DELETE', url: '/clusters/nope/pod-identity-associations/a-missing0000000000' }), 404, 'ResourceNotFoundException')
})

t.test('the pre-flight GET names each failing reason, and the platform by Kubernetes and platform version', async t => {
  const { app, aws } = await build(t, { clusters: [{ name: 'demo' }, { name: 'old', version: '1.27', platformVersion: 'eks.7' }, { name: 'ancient', version: '1.23' }] })
  aws.podIdentity.setAddon('old', 'eks-pod-identity-agent', 'DEGRADED')
  const url = (cluster: string, role = ROLE) => `/clusters/${cluster}/service-accounts/shop/cart/pod-identity/preflight?roleArn=${encodeURIComponent(role)}`
  const old = (await app.inject({ method: 'GET', url: url('old') })).json()
  t.equal(old.passed, false)
  const byName = Object.fromEntries(old.checks.map((c: { name: string }) => [c.name, c]))
  t.match(byName['trust-policy'], { status: 'failed', reason: /does not exist/ })
  t.match(byName['agent-addon'], { status: 'failed', reason: /DEGRADED/ })
  t.match(byName.platform, { status: 'failed', reason: /eks\.8 or later/ })
  const ancient = (await app.inject({ method: 'GET', url: url('ancient') })).json()
  t.match(ancient.checks.find((c: { name: string }) => c.name === 'platform'), { status: 'failed', reason: /older than 1\.24/ })

  ready(aws)
  const good = (await app.inject({ method: 'GET', url: url('demo') })).json()
  t.same(good.checks.map((c: { status: string }) => c.status), ['passed', 'passed', 'passed'])
  const badSa = assertProblem(t, await app.inject({ method: 'GET', url: `/clusters/demo/service-accounts/shop/Cart_1/pod-identity/preflight?roleArn=${encodeURIComponent(ROLE)}` }), 400, 'ValidationException')
  t.match(JSON.stringify(badSa.errors), '/params/serviceAccount')
})

t.test('PUT on a service account converges: create, update, unchanged; dry runs write nothing', async t => {
  const { app, aws } = await build(t)
  ready(aws)
  aws.putRole('other', TRUSTING)
  const url = '/clusters/demo/service-accounts/shop/cart/pod-identity'
  const dry = await app.inject({ method: 'PUT', url: `${url}?dryRun=true`, payload: { roleArn: ROLE } })
  t.match(dry.json(), { outcome: 'created', dryRun: true, changes: [], preflight: { passed: true } })
  t.equal(aws.podIdentity.associations.size, 0, 'the dry run created nothing')

  const created = await app.inject({ method: 'PUT', url, payload: { roleArn: ROLE, tags: { team: 'shop' } } })
  t.equal(created.statusCode, 201, created.body)
  t.match(created.json(), { outcome: 'created', dryRun: false, association: { roleArn: ROLE, tags: { team: 'shop' } } })
  t.match(created.headers.location, /^\/clusters\/demo\/pod-identity-associations\/a-/)

  const unchanged = await app.inject({ method: 'PUT', url, payload: { roleArn: ROLE } })
  t.match(unchanged.json(), { outcome: 'unchanged', changes: [] })
  t.equal(aws.operations().filter(op => op === 'UpdatePodIdentityAssociation').length, 0)

  const updated = await app.inject({ method: 'PUT', url, payload: { roleArn: 'arn:aws:iam::111122223333:role/other', disableSessionTags: true } })
  t.equal(updated.statusCode, 200)
  t.match(updated.json(), { outcome: 'updated', changes: ['roleArn', 'disableSessionTags'], association: { roleArn: 'arn:aws:iam::111122223333:role/other', disableSessionTags: true } })
  t.match(aws.calls.filter(c => c.operation === 'UpdatePodIdentityAssociation').at(-1)?.input, { roleArn: 'arn:aws:iam::111122223333:role/other', disableSessionTags: true })

  const badNs = assertProblem(t, await app.inject({ method: 'PUT', url: '/clusters/demo/service-accounts/-bad/cart/pod-identity', payload: { roleArn: ROLE } }), 400, 'ValidationException')
  t.match(JSON.stringify(badNs.errors), '/params/namespace')
  aws.putRole('untrusting', { Version: '2012-10-17', Statement: [] })
  assertProblem(t, await app.inject({ method: 'PUT', url, payload: { roleArn: 'arn:aws:iam::111122223333:role/untrusting' } }), 422, 'PodIdentityPreflightFailed')
})

t.test('under /accounts/{accountId}/regions/{region}, associations are the scope\'s own and the Location keeps the prefix', async t => {
  const B = '444455556666'
  const ACCOUNTS = JSON.stringify({
    accounts: [
      { accountId: '111122223333', regions: ['us-east-1'], name: 'hub' },
      { accountId: B, roleArn: `arn:aws:iam::${B}:role/eks-oidc-api`, externalId: 'secret-external-id', regions: ['eu-west-1'], name: 'prod' }
    ]
  })
  const home = createFakeAws()
  const other = createFakeAws()
  for (const aws of [home, other]) ready(aws)
  const sts = (account: string) => ({
    assumeRole: async () => { throw Object.assign(new Error('not used'), { name: 'AccessDenied' }) },
    getCallerIdentity: async () => ({ Account: account, Arn: `arn:aws:sts::${account}:assumed-role/eks-oidc-api/s`, UserId: 'AROA', $metadata: {} })
  })
  const { app } = await build(t, {
    env: { ACCOUNTS },
    deps: { scopePorts: (scope) => ({ ...(scope.account.accountId === B ? other : home), sts: sts(scope.account.accountId!) }) }
  })
  const prefix = `/accounts/${B}/regions/eu-west-1`
  const res = await app.inject({ ...create({ namespace: 'shop', serviceAccount: 'cart', roleArn: ROLE }), url: `${prefix}/clusters/demo/pod-identity-associations` })
  t.equal(res.statusCode, 201, res.body)
  t.match(res.headers.location, new RegExp(`^${prefix}/clusters/demo/pod-identity-associations/a-`))
  t.equal(other.podIdentity.associations.size, 1, 'created in account B')
  t.equal(home.podIdentity.associations.size, 0, 'not in the default account')
  const put = await app.inject({ method: 'PUT', url: `${prefix}/clusters/demo/service-accounts/shop/orders/pod-identity`, payload: { roleArn: ROLE } })
  t.match(put.headers.location, new RegExp(`^${prefix}/clusters/demo/pod-identity-associations/a-`))
})
