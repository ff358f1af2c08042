import t from 'tap'
import { arrayDiff, convergenceCalls, createCall } from '../../src/services/oidc-provider-plan.ts'
import { iamProviderUrl, oidcProviderArn } from '../../src/services/cluster-identity.ts'

const ARN = 'arn:aws:iam::1:oidc-provider/x'

t.test('arrayDiff turns list changes into sorted adds and deletes', async t => {
  t.same(arrayDiff(['b', 'a', 'c'], ['c', 'd', 'a']), { adds: ['d'], deletes: ['b'] })
  t.same(arrayDiff([], []), { adds: [], deletes: [] })
})

t.test('create without thumbprint sends no ThumbprintList, and sorts what it sends', async t => {
  t.same(createCall('https://h/id/1', { ClientIDList: ['z', 'a', 'z'] }).input, { Url: 'https://h/id/1', ClientIDList: ['a', 'z'] })
  t.same(createCall('https://h', { ClientIDList: ['a'], ThumbprintList: ['B'.repeat(40), 'a'.repeat(40)], Tags: [{ Key: 'z', Value: '1' }, { Key: 'a', Value: '2' }] }).input, {
    Url: 'https://h', ClientIDList: ['a'], ThumbprintList: ['a'.repeat(40), 'b'.repeat(40)], Tags: [{ Key: 'a', Value: '2' }, { Key: 'z', Value: '1' }]
  })
})

t.test('convergence leaves omitted thumbprints and tags alone', async t => {
  const current = { ClientIDList: ['a'], ThumbprintList: ['c'.repeat(40)], Tags: [{ Key: 'k', Value: 'v' }] }
  t.same(convergenceCalls(ARN, current, { ClientIDList: ['a'] }), [])
})

t.test('an empty desired tag list removes every tag; thumbprint order and case do not matter', async t => {
  const current = { ClientIDList: ['a'], ThumbprintList: ['c'.repeat(40), 'd'.repeat(40)], Tags: [{ Key: 'k2', Value: 'v' }, { Key: 'k1', Value: 'v' }] }
  t.same(convergenceCalls(ARN, current, { ClientIDList: ['a'], ThumbprintList: ['D'.repeat(40), 'c'.repeat(40)], Tags: [] }), [
    { operation: 'UntagOpenIDConnectProvider', input: { OpenIDConnectProviderArn: ARN, TagKeys: ['k1', 'k2'] } }
  ])
})

t.test('ARNs and Urls come from the cluster ARN and the issuer, never with a default port', async t => {
  const cluster = 'arn:aws-cn:eks:cn-north-1:123456789012:cluster/demo'
  t.equal(oidcProviderArn(cluster, 'https://oidc.eks.cn-north-1.amazonaws.com.cn/id/AB'), 'arn:aws-cn:iam::123456789012:oidc-provider/oidc.eks.cn-north-1.amazonaws.com.cn/id/AB')
  t.equal(iamProviderUrl('https://Issuer.Example.com:443/id/AB/'), 'https://issuer.example.com/id/AB')
  t.equal(iamProviderUrl('https://127.0.0.1:8443/id/AB'), 'https://127.0.0.1:8443/id/AB', 'a non-default port is part of the issuer')
  t.equal(oidcProviderArn('arn:aws:eks:us-east-1:111122223333:cluster/demo', 'https://127.0.0.1:8443/id/AB'), 'arn:aws:iam::111122223333:oidc-provider/127.0.0.1/id/AB', 'the ARN never has a port, as IAM names it')
  t.throws(() => oidcProviderArn('not-an-arn', 'https://h'), { name: 'UpstreamInvalidResponse' })
})
