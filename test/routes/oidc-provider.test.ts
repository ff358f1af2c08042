import t from 'tap'
import { assertProblem, build } from '../support/build.ts'

const ISSUER = 'https://oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789ABCDEF0123456789'
const ARN = 'arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789ABCDEF0123456789'
const THUMB_A = 'a'.repeat(40)
const THUMB_B = 'B'.repeat(40)

t.test('GET reports a cluster without a provider as a normal answer', async t => {
  const { app } = await build(t)
  const res = await app.inject({ method: 'GET', url: '/clusters/demo/oidc-provider' })
  t.equal(res.statusCode, 200)
  t.same(res.json(), { clusterName: 'demo', issuerUrl: ISSUER, OpenIDConnectProviderArn: ARN, exists: false })
})

t.test('PUT creates the provider with the default audience, no thumbprint and no port, then GET shows it', async t => {
  const { app, aws } = await build(t)
  const res = await app.inject({ method: 'PUT', url: '/clusters/demo/oidc-provider', payload: {} })
  t.equal(res.statusCode, 201)
  t.equal(res.headers.location, '/clusters/demo/oidc-provider')
  const create = aws.calls.find(c => c.operation === 'CreateOpenIDConnectProvider')
  t.same(create?.input, { Url: ISSUER, ClientIDList: ['sts.amazonaws.com'] }, 'exact create input: no ThumbprintList, no Tags')
  t.match(res.json(), { exists: true, dryRun: false, changes: [{ operation: 'CreateOpenIDConnectProvider' }] })

  const get = await app.inject({ method: 'GET', url: '/clusters/demo/oidc-provider' })
  t.match(get.json(), { exists: true, provider: { Url: ISSUER.replace('https://', ''), ClientIDList: ['sts.amazonaws.com'], CreateDate: '2025-02-03T04:05:06.000Z' } })
})

t.test('PUT on a provider already in the desired state makes no write call', async t => {
  const { app, aws } = await build(t)
  await app.inject({ method: 'PUT', url: '/clusters/demo/oidc-provider', payload: { ThumbprintList: [THUMB_A], Tags: [{ Key: 'team', Value: 'platform' }] } })
  const before = aws.calls.length
  const res = await app.inject({ method: 'PUT', url: '/clusters/demo/oidc-provider', payload: { ThumbprintList: [THUMB_A.toUpperCase()], Tags: [{ Key: 'team', Value: 'platform' }] } })
  t.equal(res.statusCode, 200)
  t.same(res.json().changes, [])
  t.same(aws.operations(before), ['GetOpenIDConnectProvider'], 'reads only; the cluster identity comes from the cache')
})

t.test('PUT converges client IDs, thumbprints and tags with the fewest calls', async t => {
  const { app, aws } = await build(t)
  await app.inject({ method: 'PUT', url: '/clusters/demo/oidc-provider', payload: { ClientIDList: ['sts.amazonaws.com', 'old'], ThumbprintList: [THUMB_A], Tags: [{ Key: 'keep', Value: '1' }, { Key: 'drop', Value: 'x' }, { Key: 'change', Value: 'a' }] } })
  const before = aws.calls.length
  const res = await app.inject({
    method: 'PUT',
    url: '/clusters/demo/oidc-provider',
    payload: { ClientIDList: ['sts.amazonaws.com', 'new'], ThumbprintList: [THUMB_B], Tags: [{ Key: 'keep', Value: '1' }, { Key: 'change', Value: 'b' }] }
  })
  t.equal(res.statusCode, 200)
  const writes = aws.calls.slice(before).filter(c => !/^(Describe|Get)/.test(c.operation))
  t.same(writes, [
    { operation: 'AddClientIDToOpenIDConnectProvider', input: { OpenIDConnectProviderArn: ARN, ClientID: 'new' } },
    { operation: 'RemoveClientIDFromOpenIDConnectProvider', input: { OpenIDConnectProviderArn: ARN, ClientID: 'old' } },
    { operation: 'UpdateOpenIDConnectProviderThumbprint', input: { OpenIDConnectProviderArn: ARN, ThumbprintList: ['b'.repeat(40)] } },
    { operation: 'UntagOpenIDConnectProvider', input: { OpenIDConnectProviderArn: ARN, TagKeys: ['drop'] } },
    { operation: 'TagOpenIDConnectProvider', input: { OpenIDConnectProviderArn: ARN, Tags: [{ Key: 'change', Value: 'b' }] } }
  ])
  t.match(res.json().provider, { ClientIDList: ['sts.amazonaws.com', 'new'], ThumbprintList: ['b'.repeat(40)] })
})

t.test('PUT ?dryRun=true returns the plan and changes nothing', async t => {
  const { app, aws } = await build(t)
  const res = await app.inject({ method: 'PUT', url: '/clusters/demo/oidc-provider?dryRun=true', payload: { ClientIDList: ['aud-1'] } })
  t.equal(res.statusCode, 200)
  t.match(res.json(), { dryRun: true, exists: false, changes: [{ operation: 'CreateOpenIDConnectProvider', input: { Url: ISSUER, ClientIDList: ['aud-1'] } }] })
  t.notOk(aws.calls.some(c => c.operation === 'CreateOpenIDConnectProvider'))
})

/** Someone else creates the provider (with these audiences) right after our existence check. */
function createConcurrently (aws: Awaited<ReturnType<typeof build>>['aws'], ClientIDList: string[]) {
  const originalGet = aws.iam.getOpenIDConnectProvider
  let first = true
  aws.iam.getOpenIDConnectProvider = async (input) => {
    if (first) {
      first = false
      await aws.iam.createOpenIDConnectProvider({ Url: ISSUER, ClientIDList })
      throw Object.assign(new Error('not found'), { name: 'NoSuchEntityException', $metadata: { httpStatusCode: 404 } })
    }
    return originalGet(input)
  }
}

t.test('PUT adopts a provider created concurrently (EntityAlreadyExists) and converges it', async t => {
  const { app, aws } = await build(t)
  createConcurrently(aws, ['other'])
  const res = await app.inject({ method: 'PUT', url: '/clusters/demo/oidc-provider', payload: { ClientIDList: ['sts.amazonaws.com'] } })
  t.equal(res.statusCode, 200)
  t.same(res.json().provider.ClientIDList, ['sts.amazonaws.com'])
})

t.test('PUT without ClientIDList that finds a provider created concurrently leaves its audiences alone', async t => {
  const { app, aws } = await build(t)
  createConcurrently(aws, ['other'])
  const res = await app.inject({ method: 'PUT', url: '/clusters/demo/oidc-provider', payload: { Tags: [{ Key: 'team', Value: 'platform' }] } })
  t.equal(res.statusCode, 200)
  t.match(res.json().provider, { ClientIDList: ['other'], Tags: [{ Key: 'team', Value: 'platform' }] }, 'an omitted member means "leave alone" on the provider that is there')
})

t.test('DELETE answers 204, also when the provider is already gone', async t => {
  const { app, aws } = await build(t)
  await app.inject({ method: 'PUT', url: '/clusters/demo/oidc-provider', payload: {} })
  const first = await app.inject({ method: 'DELETE', url: '/clusters/demo/oidc-provider' })
  t.equal(first.statusCode, 204)
  t.equal(aws.providers.size, 0)
  const again = await app.inject({ method: 'DELETE', url: '/clusters/demo/oidc-provider' })
  t.equal(again.statusCode, 204)
})

t.test('documented errors', async t => {
  const { app } = await build(t, { clusters: [{ name: 'noissuer' }, { name: 'creating', status: 'CREATING', issuer: ISSUER }] })
  assertProblem(t, await app.inject({ method: 'GET', url: '/clusters/missing/oidc-provider' }), 404, 'ResourceNotFoundException')
  assertProblem(t, await app.inject({ method: 'GET', url: '/clusters/noissuer/oidc-provider' }), 409, 'ClusterStateConflict')
  assertProblem(t, await app.inject({ method: 'PUT', url: '/clusters/creating/oidc-provider', payload: {} }), 409, 'ClusterStateConflict')

  const invalid = assertProblem(t, await app.inject({
    method: 'PUT',
    url: '/clusters/demo/oidc-provider',
    payload: { ClientIDList: [], ThumbprintList: ['abc', THUMB_A, THUMB_A], Tags: [{ Key: '', Value: 'v' }], Extra: true }
  }), 400, 'ValidationException')
  const pointers = invalid.errors.map((e: { pointer: string }) => e.pointer)
  for (const pointer of ['/body/ClientIDList', '/body/ThumbprintList/0', '/body/ThumbprintList', '/body/Tags/0/Key', '/body/Extra']) {
    t.ok(pointers.includes(pointer), `names ${pointer}`)
  }
  t.ok(invalid.errors.every((e: { detail: string }) => e.detail.length > 0), 'each error states its rule')

  assertProblem(t, await app.inject({ method: 'PUT', url: '/clusters/demo/oidc-provider', payload: { ThumbprintList: Array.from({ length: 6 }, (_, i) => String(i).repeat(40)) } }), 400, 'ValidationException')
  assertProblem(t, await app.inject({ method: 'GET', url: '/clusters/-bad-name/oidc-provider' }), 400, 'ValidationException')
})
