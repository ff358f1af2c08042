import { randomUUID } from 'node:crypto'
import t from 'tap'
import { assertProblem, build } from '../support/build.ts'

const CLUSTER_ISSUER = 'https://oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789ABCDEF0123456789'
const OIDC = { identityProviderConfigName: 'corp', issuerUrl: 'https://idp.example.com', clientId: 'kubernetes', usernameClaim: 'email', groupsClaim: 'groups', groupsPrefix: 'oidc:' }
/** The test process shares one store, so every request that should be new gets its own key. */
const newKey = () => `key-${randomUUID()}`

t.test('associate → describe → list → updates → disassociate', async t => {
  const { app, aws } = await build(t)
  const key = newKey()

  const associate = await app.inject({ method: 'POST', url: '/clusters/demo/identity-provider-configs?skipIssuerChecks=true', headers: { 'idempotency-key': key }, payload: { oidc: OIDC, tags: { team: 'platform' } } })
  t.equal(associate.statusCode, 202)
  const { update, tags } = associate.json()
  t.match(update, { id: String, status: 'InProgress', type: 'AssociateIdentityProviderConfig', params: [{ type: 'IdentityProviderConfig', value: '[{"type":"oidc","name":"corp"}]' }], createdAt: /^\d{4}-\d\d-\d\dT/ })
  t.same(tags, { team: 'platform' })
  t.equal(associate.json().issuerChecks, 'skipped', 'the answer says the issuer checks were skipped')
  t.equal(associate.headers.location, `/clusters/demo/updates/${update.id}`)
  const sent = aws.calls.find(c => c.operation === 'AssociateIdentityProviderConfig')!.input
  t.match(sent.clientRequestToken, /^eks-oidc-api-[0-9a-f-]{36}$/, 'explicit token derived from the operation of the key')
  t.equal(associate.json().operationId, sent.clientRequestToken.replace('eks-oidc-api-', ''), 'the answer names the operation')
  t.equal(associate.headers['idempotent-replayed'], 'false')

  const describe = await app.inject({ method: 'GET', url: '/clusters/demo/identity-provider-configs/corp' })
  t.equal(describe.statusCode, 200)
  t.match(describe.json(), { identityProviderConfig: { oidc: { identityProviderConfigName: 'corp', issuerUrl: OIDC.issuerUrl, status: 'CREATING' } } })

  const list = await app.inject({ method: 'GET', url: '/clusters/demo/identity-provider-configs?maxResults=10' })
  t.same(list.json(), { identityProviderConfigs: [{ type: 'oidc', name: 'corp' }] })
  t.match(aws.calls.findLast(c => c.operation === 'ListIdentityProviderConfigs')!.input, { clusterName: 'demo', maxResults: 10 })

  const updates = await app.inject({ method: 'GET', url: '/clusters/demo/updates' })
  t.same(updates.json().updateIds, [update.id])
  const describeUpdate = await app.inject({ method: 'GET', url: associate.headers.location as string })
  t.equal(describeUpdate.json().update.id, update.id)

  const disassociate = await app.inject({ method: 'DELETE', url: '/clusters/demo/identity-provider-configs/corp' })
  t.equal(disassociate.statusCode, 202)
  t.match(disassociate.json().update, { type: 'DisassociateIdentityProviderConfig', params: [{ value: '[]' }] })
  t.match(aws.calls.findLast(c => c.operation === 'DisassociateIdentityProviderConfig')!.input.clientRequestToken, /^eks-oidc-api-/)
})

t.test('a retry after an ambiguous failure re-sends the same clientRequestToken; another request with the key is refused', async t => {
  const { app, aws } = await build(t)
  const key = newKey()
  const tokens: string[] = []
  aws.eks.associateIdentityProviderConfig = async (input) => {
    tokens.push(input.clientRequestToken!)
    throw Object.assign(new Error('throttled'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 429 } })
  }
  const post = (payload: object) => app.inject({ method: 'POST', url: '/clusters/demo/identity-provider-configs?skipIssuerChecks=true', headers: { 'idempotency-key': key }, payload })
  for (let attempt = 0; attempt < 2; attempt++) {
    const res = await post({ oidc: OIDC })
    assertProblem(t, res, 503, 'ThrottlingException')
    t.ok(res.headers['retry-after'], 'Retry-After on upstream throttling')
  }
  t.equal(tokens.length, 2)
  t.equal(tokens[0], tokens[1], 'the same token on the retry')
  assertProblem(t, await post({ oidc: { ...OIDC, clientId: 'other' } }), 422, 'IdempotencyKeyReusedException')
  t.equal(tokens.length, 2, 'no AWS call for a reused key')
})

t.test('a completed associate is replayed, not repeated', async t => {
  const { app, aws } = await build(t)
  const key = newKey()
  const post = () => app.inject({ method: 'POST', url: '/clusters/demo/identity-provider-configs?skipIssuerChecks=true', headers: { 'idempotency-key': key }, payload: { oidc: OIDC } })
  const first = await post()
  const second = await post()
  t.equal(first.statusCode, 202)
  t.equal(second.statusCode, 202)
  t.equal(second.headers['idempotent-replayed'], 'true')
  t.equal(second.headers.location, first.headers.location)
  t.same(second.json(), first.json())
  t.equal(aws.calls.filter(c => c.operation === 'AssociateIdentityProviderConfig').length, 1)

  const operation = await app.inject({ method: 'GET', url: `/clusters/demo/operations/${first.json().operationId}` })
  t.match(operation.json(), { id: first.json().operationId, action: 'associateIdentityProviderConfig', cluster: 'demo', status: 'in_progress', updateId: first.json().update.id, clientRequestToken: /^eks-oidc-api-/ })
})

t.test('a caller clientRequestToken is sent as is', async t => {
  const { app, aws } = await build(t)
  const clientRequestToken = 'caller-token-0123456789abcdef0123456789'
  const res = await app.inject({ method: 'POST', url: '/clusters/demo/identity-provider-configs?skipIssuerChecks=true', payload: { oidc: OIDC, clientRequestToken } })
  t.equal(res.statusCode, 202)
  t.equal(aws.calls.find(c => c.operation === 'AssociateIdentityProviderConfig')!.input.clientRequestToken, clientRequestToken)
})

t.test('associate refusals happen before the AWS write', async t => {
  const { app, aws } = await build(t)
  const key = newKey()
  const post = (payload: unknown, headers: Record<string, string> = { 'idempotency-key': key }) =>
    app.inject({ method: 'POST', url: '/clusters/demo/identity-provider-configs?skipIssuerChecks=true', headers, payload: payload as object })

  const missing = assertProblem(t, await post({ oidc: OIDC }, {}), 400, 'IdempotencyKeyMissingException')
  t.match(missing.detail, /Idempotency-Key/)
  assertProblem(t, await post({ oidc: OIDC }, { 'idempotency-key': 'short' }), 400, 'IdempotencyKeyInvalidException')
  assertProblem(t, await post({ oidc: OIDC }, { 'idempotency-key': `"${key}", other-key-0123456789` }), 400, 'IdempotencyKeyInvalidException')

  const sameIssuer = assertProblem(t, await post({ oidc: { ...OIDC, issuerUrl: CLUSTER_ISSUER + '/' } }), 400, 'InvalidParameterException')
  t.match(sameIssuer.detail, /cannot be same as OpenID Connect \(OIDC\) issuer URL/)
  t.same(sameIssuer.errors, [{ pointer: '/body/oidc/issuerUrl', detail: 'must differ from the cluster\'s own OIDC issuer (identity.oidc.issuer)' }])

  const systemPrefix = assertProblem(t, await post({ oidc: { ...OIDC, usernamePrefix: 'system:admin' } }), 400, 'ValidationException')
  t.equal(systemPrefix.errors[0].pointer, '/body/oidc/usernamePrefix')
  const query = assertProblem(t, await post({ oidc: { ...OIDC, issuerUrl: 'https://idp.example.com/?a=b' } }), 400, 'ValidationException')
  t.equal(query.errors[0].pointer, '/body/oidc/issuerUrl')
  assertProblem(t, await post({ oidc: { ...OIDC, issuerUrl: 'http://idp.example.com' } }), 400, 'ValidationException')
  const tooManyTags = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']))
  assertProblem(t, await post({ oidc: OIDC, tags: tooManyTags }), 400, 'ValidationException')
  assertProblem(t, await post({ oidc: { ...OIDC, requiredClaims: { ['x'.repeat(64)]: 'v' } } }), 400, 'ValidationException')
  assertProblem(t, await post({ oidc: { ...OIDC, identityProviderConfigName: '' } }), 400, 'ValidationException')
  assertProblem(t, await post({ oidc: { ...OIDC, unknown: 1 } }), 400, 'ValidationException')
  t.notOk(aws.calls.some(c => c.operation === 'AssociateIdentityProviderConfig'), 'no write reached AWS')
})

t.test('one OIDC config per cluster: identical is adopted (200), different is a conflict', async t => {
  const { app, aws } = await build(t)
  const key = newKey()
  const first = await app.inject({ method: 'POST', url: '/clusters/demo/identity-provider-configs?skipIssuerChecks=true', headers: { 'idempotency-key': key }, payload: { oidc: OIDC } })
  t.equal(first.statusCode, 202)

  const adopted = await app.inject({ method: 'POST', url: '/clusters/demo/identity-provider-configs?skipIssuerChecks=true', headers: { 'idempotency-key': newKey() }, payload: { oidc: OIDC } })
  t.equal(adopted.statusCode, 200)
  t.equal(adopted.json().update.id, first.json().update.id)

  assertProblem(t, await app.inject({ method: 'POST', url: '/clusters/demo/identity-provider-configs?skipIssuerChecks=true', headers: { 'idempotency-key': newKey() }, payload: { oidc: { ...OIDC, clientId: 'changed' } } }), 409, 'ResourceInUseException')
  assertProblem(t, await app.inject({ method: 'POST', url: '/clusters/demo/identity-provider-configs?skipIssuerChecks=true', headers: { 'idempotency-key': newKey() }, payload: { oidc: { ...OIDC, identityProviderConfigName: 'second' } } }), 409, 'ResourceInUseException')
  t.equal(aws.calls.filter(c => c.operation === 'AssociateIdentityProviderConfig').length, 1)
})

t.test('disassociate of a config that is not there answers 204', async t => {
  const { app } = await build(t)
  const res = await app.inject({ method: 'DELETE', url: '/clusters/demo/identity-provider-configs/nothing' })
  t.equal(res.statusCode, 204)
  t.equal(res.body, '')
})

t.test('read errors', async t => {
  const { app } = await build(t)
  const notFound = assertProblem(t, await app.inject({ method: 'GET', url: '/clusters/demo/identity-provider-configs/none' }), 404, 'ResourceNotFoundException')
  t.match(notFound.detail, /No config found for cluster: demo, config type: oidc, config name: none/)
  assertProblem(t, await app.inject({ method: 'GET', url: '/clusters/nope/identity-provider-configs' }), 404, 'ResourceNotFoundException')
  assertProblem(t, await app.inject({ method: 'GET', url: '/clusters/demo/identity-provider-configs?maxResults=101' }), 400, 'ValidationException')
  assertProblem(t, await app.inject({ method: 'GET', url: '/clusters/demo/updates/00000000-0000-0000-0000-000000000000' }), 404, 'ResourceNotFoundException')
  assertProblem(t, await app.inject({ method: 'GET', url: '/clusters/demo/updates/bad%20id' }), 400, 'ValidationException')
})

t.test('the issuer pre-flight refuses a forbidden issuer before any AWS write, naming the failed check', async t => {
  const { app, aws } = await build(t)
  const key = newKey()
  const res = await app.inject({ method: 'POST', url: '/clusters/demo/identity-provider-configs', headers: { 'idempotency-key': key }, payload: { oidc: { ...OIDC, issuerUrl: 'https://169.254.169.254/latest' } } })
  const problem = assertProblem(t, res, 400, 'IssuerAddressForbidden')
  t.match(problem.detail, /169\.254\.169\.254/)
  t.notOk(aws.calls.some(c => c.operation === 'AssociateIdentityProviderConfig'))
})
