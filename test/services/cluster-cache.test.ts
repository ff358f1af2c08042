import t from 'tap'
import { ClusterCache, ClusterService } from '../../src/services/clusters.ts'
import { build } from '../support/build.ts'
import { createFakeAws } from '../support/fake-aws.ts'

const ISSUER = 'https://oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789ABCDEF0123456789'

t.test('GET oidc-provider costs exactly one IAM call and no EKS call when warm', async t => {
  const { app, aws } = await build(t)
  t.equal((await app.inject({ method: 'GET', url: '/clusters/demo/oidc-provider' })).statusCode, 200)
  t.same(aws.operations(), ['DescribeCluster', 'GetOpenIDConnectProvider'], 'cold')
  const before = aws.calls.length
  t.equal((await app.inject({ method: 'GET', url: '/clusters/demo/oidc-provider' })).statusCode, 200)
  t.same(aws.operations(before), ['GetOpenIDConnectProvider'], 'warm')
})

t.test('GET /clusters/:name is always fresh and refreshes the identity cache', async t => {
  const { app, aws } = await build(t)
  await app.inject({ method: 'GET', url: '/clusters/demo' })
  await app.inject({ method: 'GET', url: '/clusters/demo' })
  t.same(aws.operations(), ['DescribeCluster', 'DescribeCluster'], 'describe reads AWS every time')
  const before = aws.calls.length
  await app.inject({ method: 'GET', url: '/clusters/demo/oidc-provider' })
  t.same(aws.operations(before), ['GetOpenIDConnectProvider'], 'the identity was cached by the describe')
})

t.test('50 concurrent misses make one DescribeCluster call', async t => {
  const aws = createFakeAws()
  const original = aws.eks.describeCluster
  aws.eks.describeCluster = async (input) => {
    await new Promise(resolve => setTimeout(resolve, 20))
    return original(input)
  }
  const events: string[] = []
  const clusters = new ClusterService({ eks: aws.eks, cache: new ClusterCache({ ttlMs: 60_000, max: 10, onEvent: (_cache, result) => events.push(result) }) })
  const identities = await Promise.all(Array.from({ length: 50 }, () => clusters.identity('demo')))
  t.equal(aws.operations().length, 1)
  t.ok(identities.every(i => i.issuerUrl === ISSUER && i.arn.endsWith(':cluster/demo')))
  t.same({ miss: events.filter(e => e === 'miss').length, coalesced: events.filter(e => e === 'coalesced').length }, { miss: 1, coalesced: 49 })
  await clusters.identity('demo')
  t.equal(aws.operations().length, 1, 'then a hit')
  t.equal(events.at(-1), 'hit')
})

t.test('the cache honours its TTL and caches only settled clusters', async t => {
  let now = 0
  const aws = createFakeAws([
    { name: 'demo', issuer: ISSUER },
    { name: 'creating', status: 'CREATING', issuer: ISSUER },
    { name: 'noissuer' }
  ])
  const clusters = new ClusterService({ eks: aws.eks, cache: new ClusterCache({ ttlMs: 300_000, max: 10, now: () => now }) })
  await clusters.identity('demo')
  now += 299_999
  await clusters.identity('demo')
  t.equal(aws.operations().length, 1, 'within the TTL')
  now += 1
  await clusters.identity('demo')
  t.equal(aws.operations().length, 2, 'expired')

  for (const name of ['creating', 'noissuer']) {
    const before = aws.calls.length
    await clusters.identity(name)
    await clusters.identity(name)
    t.equal(aws.calls.length - before, 2, `${name} is read every time`)
  }
})

t.test('a missing cluster is not cached and the error reaches every waiter', async t => {
  const aws = createFakeAws()
  const clusters = new ClusterService({ eks: aws.eks })
  const results = await Promise.allSettled([clusters.identity('missing'), clusters.identity('missing')])
  t.same(results.map(r => r.status), ['rejected', 'rejected'])
  t.match((results[0] as PromiseRejectedResult).reason, { status: 404, code: 'ResourceNotFoundException' })
  t.equal(aws.operations().length, 1)
  await t.rejects(clusters.identity('missing'))
  t.equal(aws.operations().length, 2)
})

t.test('CLUSTER_CACHE_TTL_SECONDS=0 turns the cache off', async t => {
  const { app, aws } = await build(t, { env: { CLUSTER_CACHE_TTL_SECONDS: '0' } })
  await app.inject({ method: 'GET', url: '/clusters/demo/oidc-provider' })
  await app.inject({ method: 'GET', url: '/clusters/demo/oidc-provider' })
  t.equal(aws.operations().filter(o => o === 'DescribeCluster').length, 2)
})
