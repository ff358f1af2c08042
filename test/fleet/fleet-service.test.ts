import t from 'tap'
import { FleetService } from '../../src/fleet/fleet-service.ts'
import { ClusterCache } from '../../src/services/clusters.ts'
import { awsError } from '../support/fake-aws.ts'
import { fakeFleet, throttleBeyond } from './fleet-support.ts'

const fleetService = (deps: Pick<ConstructorParameters<typeof FleetService>[0], 'eks' | 'iam'> & { limits?: Partial<ConstructorParameters<typeof FleetService>[0]['limits']> }) =>
  new FleetService({
    eks: deps.eks,
    iam: deps.iam,
    clusterCache: new ClusterCache({ ttlMs: 60_000, max: 1000 }),
    thumbprints: { forIssuer: async () => { throw new Error('a sweep never computes thumbprints') } },
    issuers: { preflightIssuer: async () => [] },
    limits: { concurrency: 16, initialRate: 200, maxRate: 400, ...deps.limits, limiter: { backoffBaseMs: 50, backoffMaxMs: 1000, ...deps.limits?.limiter } }
  })

t.test('a sweep against AWS that throttles beyond 40 calls per second: no failed cluster, and the limiters slowed down', async t => {
  const { aws, clusters } = await fakeFleet(40)
  const throttling = throttleBeyond(aws, 40)
  const fleet = fleetService({ eks: throttling.eks, iam: throttling.iam })
  const started = performance.now()
  const view = await fleet.sweep(['oidc', 'identityProviderConfigs'])
  const seconds = (performance.now() - started) / 1000

  t.equal(view.failedClusters, 0, 'no failed cluster')
  t.same(view.fleet.filter(e => e.errors), [])
  t.same(view.clusters, clusters.map(c => c.name), 'every page was listed')
  t.ok(throttling.throttled() > 0, `AWS throttled ${throttling.throttled()} calls`)
  const stats = fleet.limiterStats()
  t.ok(stats.eks.decreases > 0 && stats.eks.lowestRate < 200, `the EKS limiter slowed down to ${stats.eks.lowestRate.toFixed(1)}/s`)
  t.ok(stats.eks.retries > 0, `${stats.eks.retries} throttled EKS calls were retried`)
  t.ok(seconds < 15, `finished in ${seconds.toFixed(1)} s`)

  for (const [i, entry] of view.fleet.entries()) {
    t.equal(entry.irsa?.enabled, i % 3 === 0, `${entry.name} IRSA`)
    t.equal(entry.identityProviderConfigs?.length, i % 4 === 0 ? 1 : 0, `${entry.name} configs`)
  }
  t.match(view.fleet[0], {
    name: 'cluster-000',
    arn: 'arn:aws:eks:us-east-1:111122223333:cluster/cluster-000',
    status: 'ACTIVE',
    irsa: { enabled: true, OpenIDConnectProviderArn: /:oidc-provider\/oidc\.eks\.us-east-1\.amazonaws\.com\/id\/0+$/, ClientIDList: ['sts.amazonaws.com'], ThumbprintList: ['a'.repeat(40)] },
    identityProviderConfigs: [{ identityProviderConfigName: 'corp', status: 'CREATING', clientId: 'kubernetes' }]
  })
  t.notOk(view.fleet[0].irsa?.thumbprintDrift, 'the drift slot stays empty until issuer verification exists')
})

t.test('failures are reported on their cluster; the others are answered', async t => {
  const { aws } = await fakeFleet(6)
  const describe = aws.eks.describeCluster
  aws.eks.describeCluster = async (input) => {
    if (input.name === 'cluster-001') throw awsError('AccessDeniedException', 403, 'User is not authorized to perform eks:DescribeCluster')
    return describe(input)
  }
  const get = aws.iam.getOpenIDConnectProvider
  aws.iam.getOpenIDConnectProvider = async (input) => {
    if (input.OpenIDConnectProviderArn!.endsWith('0'.repeat(29) + '003')) throw awsError('ServiceFailureException', 500, 'internal')
    return get(input)
  }
  const list = aws.eks.listIdentityProviderConfigs
  aws.eks.listIdentityProviderConfigs = async (input) => {
    if (input.clusterName === 'cluster-004') throw awsError('ThrottlingException', 429, 'Rate exceeded')
    return list(input)
  }
  const fleet = fleetService({ eks: aws.eks, iam: aws.iam, limits: { limiter: { maxThrottleRetries: 1, backoffBaseMs: 1 } } })
  const view = await fleet.sweep(['oidc', 'identityProviderConfigs'])
  t.equal(view.fleet.length, 6)
  t.equal(view.failedClusters, 3)
  t.same(view.fleet[1], { name: 'cluster-001', errors: [{ part: 'cluster', status: 502, code: 'AccessDeniedException', detail: 'User is not authorized to perform eks:DescribeCluster' }] })
  t.match(view.fleet[3], { name: 'cluster-003', identityProviderConfigs: [], errors: [{ part: 'oidc', status: 502, code: 'ServiceFailureException' }] })
  t.notOk(view.fleet[3].irsa)
  t.match(view.fleet[4], { name: 'cluster-004', irsa: { enabled: false }, errors: [{ part: 'identityProviderConfigs', status: 503, code: 'ThrottlingException' }] })
  t.ok([0, 2, 5].every(i => !view.fleet[i].errors))
})

t.test('only the parts asked for are read', async t => {
  const { aws } = await fakeFleet(4)
  const view = await fleetService(aws).sweep(['oidc'])
  t.notOk(aws.operations().includes('ListIdentityProviderConfigs'))
  t.ok(view.fleet.every(e => e.irsa && !e.identityProviderConfigs))
})

t.test('a cluster without an issuer has IRSA off without an IAM call', async t => {
  const { aws } = await fakeFleet(0)
  const fleet = fleetService({ eks: { ...aws.eks, listClusters: async () => ({ clusters: ['bare'], $metadata: {} }), describeCluster: async () => ({ cluster: { name: 'bare', arn: 'arn:aws:eks:us-east-1:111122223333:cluster/bare', status: 'CREATING' }, $metadata: {} }) }, iam: aws.iam })
  const view = await fleet.sweep(['oidc'])
  t.same(view.fleet, [{ name: 'bare', arn: 'arn:aws:eks:us-east-1:111122223333:cluster/bare', status: 'CREATING', issuerUrl: undefined, irsa: { enabled: false } }])
  t.notOk(aws.operations().includes('GetOpenIDConnectProvider'))
})

t.test('identical sweeps at the same time share one; a warm sweep skips DescribeCluster', async t => {
  const { aws } = await fakeFleet(5)
  const fleet = fleetService(aws)
  const [a, b] = await Promise.all([fleet.sweep(['oidc', 'identityProviderConfigs']), fleet.sweep(['identityProviderConfigs', 'oidc'])])
  t.equal(a, b, 'the same answer')
  t.equal(aws.operations().filter(o => o === 'DescribeCluster').length, 5, 'one DescribeCluster per cluster')
  const before = aws.calls.length
  await fleet.sweep(['oidc'])
  t.same(aws.operations(before).filter(o => o !== 'ListClusters' && o !== 'GetOpenIDConnectProvider'), [], 'identities came from the cache')
})
