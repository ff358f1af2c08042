import t from 'tap'
import { assertProblem, build } from '../support/build.ts'
import { fakeFleet } from './fleet-support.ts'

async function buildFleet (t: Parameters<typeof build>[0], size: number) {
  const { aws } = await fakeFleet(size, 2)
  const { app } = await build(t, { deps: { eks: aws.eks, iam: aws.iam } })
  return { app, aws }
}

t.test('plain GET /clusters is one page of ListClusters, unchanged', async t => {
  const { app, aws } = await buildFleet(t, 5)
  const page = await app.inject({ method: 'GET', url: '/clusters?maxResults=2' })
  t.equal(page.statusCode, 200)
  t.same(page.json(), { clusters: ['cluster-000', 'cluster-001'], nextToken: '2' })
  t.same(aws.operations(), ['ListClusters'])
})

t.test('GET /clusters?include=oidc,identityProviderConfigs covers every page and every cluster', async t => {
  const { app, aws } = await buildFleet(t, 5)
  const response = await app.inject({ method: 'GET', url: '/clusters?include=oidc,identityProviderConfigs' })
  t.equal(response.statusCode, 200)
  const body = response.json()
  t.same(body.clusters, ['cluster-000', 'cluster-001', 'cluster-002', 'cluster-003', 'cluster-004'])
  t.equal(aws.operations().filter(o => o === 'ListClusters').length, 3, 'three pages of two')
  t.equal(body.failedClusters, 0)
  t.notOk('nextToken' in body)
  t.same(body.fleet.map((e: { irsa: { enabled: boolean } }) => e.irsa.enabled), [true, false, false, true, false])
  t.match(body.fleet[0], {
    name: 'cluster-000',
    status: 'ACTIVE',
    issuerUrl: 'https://oidc.eks.us-east-1.amazonaws.com/id/00000000000000000000000000000000',
    irsa: { enabled: true, ThumbprintList: ['a'.repeat(40)] },
    identityProviderConfigs: [{ identityProviderConfigName: 'corp', clusterName: 'cluster-000', issuerUrl: 'https://login.example.com', status: 'CREATING' }]
  })
  t.same(body.fleet[1].identityProviderConfigs, [])
})

t.test('include refuses paging parameters and unknown parts', async t => {
  const { app, aws } = await buildFleet(t, 3)
  const paged = assertProblem(t, await app.inject({ method: 'GET', url: '/clusters?include=oidc&nextToken=2&maxResults=5' }), 400, 'ValidationException')
  t.same(paged.errors.map((e: { pointer: string }) => e.pointer), ['/querystring/maxResults', '/querystring/nextToken'])
  const unknown = assertProblem(t, await app.inject({ method: 'GET', url: '/clusters?include=oidc,secrets' }), 400, 'ValidationException')
  t.same(unknown.errors.map((e: { pointer: string }) => e.pointer), ['/querystring/include'])
  t.same(aws.operations(), [], 'refused before any AWS call')
})

t.test('a cluster that cannot be read is reported in its entry', async t => {
  const { app, aws } = await buildFleet(t, 3)
  const describe = aws.eks.describeCluster
  aws.eks.describeCluster = async (input) => {
    if (input.name === 'cluster-002') throw Object.assign(new Error('No cluster found for name: cluster-002.'), { name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } })
    return describe(input)
  }
  const response = await app.inject({ method: 'GET', url: '/clusters?include=identityProviderConfigs' })
  t.equal(response.statusCode, 200)
  t.equal(response.json().failedClusters, 1)
  t.same(response.json().fleet[2], { name: 'cluster-002', errors: [{ part: 'cluster', status: 404, code: 'ResourceNotFoundException', detail: 'No cluster found for name: cluster-002.' }] })
})
