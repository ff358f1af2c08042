import t from 'tap'
import type { PlannedCall, Tag } from '../../schemas/iam.ts'
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

t.test('convergence leaves omitted client IDs, thumbprints and tags alone', async t => {
  const current = { ClientIDList: ['a', 'b'], ThumbprintList: ['c'.repeat(40)], Tags: [{ Key: 'k', Value: 'v' }] }
  t.same(convergenceCalls(ARN, current, { ClientIDList: ['a', 'b'] }), [])
  t.same(convergenceCalls(ARN, current, {}), [], 'an empty desired state changes nothing')
  t.same(convergenceCalls(ARN, current, { Tags: [{ Key: 'k', Value: 'w' }] }), [
    { operation: 'TagOpenIDConnectProvider', input: { OpenIDConnectProviderArn: ARN, Tags: [{ Key: 'k', Value: 'w' }] } }
  ], 'only Tags: the two audiences stay, no default audience is imposed')
})

t.test('create without client IDs registers the default audience only', async t => {
  t.equal(createCall('https://h', {}).operation, 'CreateOpenIDConnectProvider')
  t.same(createCall('https://h', { Tags: [{ Key: 'k', Value: 'v' }] }).input, { Url: 'https://h', ClientIDList: ['sts.amazonaws.com'], Tags: [{ Key: 'k', Value: 'v' }] })
})

/** Applies planned tag calls as an IAM implementation would, with the 50-tag quota on the result. */
function applyTagCalls (tags: Tag[], calls: PlannedCall[], keys: { caseSensitive: boolean }): Tag[] {
  const same = (a: string, b: string) => keys.caseSensitive ? a === b : a.toLowerCase() === b.toLowerCase()
  let result = [...tags]
  for (const { operation, input } of calls) {
    if (operation === 'UntagOpenIDConnectProvider') {
      const removed = input.TagKeys as string[]
      result = result.filter(tag => !removed.some(key => same(key, tag.Key)))
    }
    if (operation === 'TagOpenIDConnectProvider') {
      for (const tag of input.Tags as Tag[]) {
        const at = result.findIndex(existing => same(existing.Key, tag.Key))
        if (at >= 0) result[at] = { ...result[at], Value: tag.Value }
        else result.push(tag)
      }
    }
    if (result.length > 50) throw new Error(`${operation} exceeds the quota of 50 tags: ${result.length}`)
  }
  return result
}

const byKey = (tags: Tag[]) => tags.toSorted((a, b) => a.Key < b.Key ? -1 : 1)

t.test('tags are removed before they are set', async t => {
  const current = { ClientIDList: ['a'], ThumbprintList: [], Tags: [{ Key: 'drop', Value: '1' }, { Key: 'keep', Value: '1' }] }
  t.same(convergenceCalls(ARN, current, { Tags: [{ Key: 'keep', Value: '2' }, { Key: 'add', Value: '1' }] }), [
    { operation: 'UntagOpenIDConnectProvider', input: { OpenIDConnectProviderArn: ARN, TagKeys: ['drop'] } },
    { operation: 'TagOpenIDConnectProvider', input: { OpenIDConnectProviderArn: ARN, Tags: [{ Key: 'add', Value: '1' }, { Key: 'keep', Value: '2' }] } }
  ])
})

t.test('swapping one key for another at the 50-tag quota stays within it', async t => {
  const fifty = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }))
  const desired = [...fifty.slice(0, 49), { Key: 'new', Value: 'v' }]
  const calls = convergenceCalls(ARN, { ClientIDList: ['a'], ThumbprintList: [], Tags: fifty }, { Tags: desired })
  t.same(byKey(applyTagCalls(fifty, calls, { caseSensitive: true })), byKey(desired))
})

t.test('a case-only rename of a key ends with exactly the desired tags, whichever way IAM compares keys', async t => {
  const current = [{ Key: 'Team', Value: 'platform' }, { Key: 'env', Value: 'dev' }]
  const desired = [{ Key: 'team', Value: 'platform' }, { Key: 'env', Value: 'dev' }]
  const calls = convergenceCalls(ARN, { ClientIDList: ['a'], ThumbprintList: [], Tags: current }, { Tags: desired })
  t.same(byKey(applyTagCalls(current, calls, { caseSensitive: true })), byKey(desired), 'case-sensitive keys (IAM for OIDC providers)')
  t.same(byKey(applyTagCalls(current, calls, { caseSensitive: false })), byKey(desired), 'case-insensitive keys (as moto had them)')
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
  t.equal(oidcProviderArn('arn:aws:eks:us-east-1:111122223333:cluster/demo', 'https://[::1]:8443/id/AB'), 'arn:aws:iam::111122223333:oidc-provider/[::1]/id/AB', 'nor an IPv6 issuer\'s')
  t.throws(() => oidcProviderArn('not-an-arn', 'https://h'), { name: 'UpstreamInvalidResponse' })
})

t.test('arrayDiff sorts several adds and deletes, and ignores duplicates', async t => {
  t.same(arrayDiff(['y', 'x', 'x', 'k'], ['k', 'c', 'a', 'b', 'a']), { adds: ['a', 'b', 'c'], deletes: ['x', 'y'] })
})

t.test('client IDs: added before any is removed, each in its own call, in sorted order', async t => {
  const current = { ClientIDList: ['old-2', 'keep', 'old-1'], ThumbprintList: [], Tags: [] }
  t.same(convergenceCalls(ARN, current, { ClientIDList: ['new-b', 'keep', 'new-a'] }), [
    { operation: 'AddClientIDToOpenIDConnectProvider', input: { OpenIDConnectProviderArn: ARN, ClientID: 'new-a' } },
    { operation: 'AddClientIDToOpenIDConnectProvider', input: { OpenIDConnectProviderArn: ARN, ClientID: 'new-b' } },
    { operation: 'RemoveClientIDFromOpenIDConnectProvider', input: { OpenIDConnectProviderArn: ARN, ClientID: 'old-1' } },
    { operation: 'RemoveClientIDFromOpenIDConnectProvider', input: { OpenIDConnectProviderArn: ARN, ClientID: 'old-2' } }
  ])
})

t.test('changed thumbprints: one update with the whole normalised list', async t => {
  const current = { ClientIDList: ['a'], ThumbprintList: ['c'.repeat(40)], Tags: [] }
  t.same(convergenceCalls(ARN, current, { ThumbprintList: ['E'.repeat(40), 'c'.repeat(40), 'e'.repeat(40)] }), [
    { operation: 'UpdateOpenIDConnectProviderThumbprint', input: { OpenIDConnectProviderArn: ARN, ThumbprintList: ['c'.repeat(40), 'e'.repeat(40)] } }
  ])
})

t.test('the calls come in a fixed order: client IDs, thumbprint, then tags', async t => {
  const current = { ClientIDList: ['a'], ThumbprintList: ['c'.repeat(40)], Tags: [{ Key: 'k', Value: 'v' }] }
  const calls = convergenceCalls(ARN, current, { ClientIDList: ['b'], ThumbprintList: ['d'.repeat(40)], Tags: [{ Key: 'k', Value: 'w' }] })
  t.same(calls.map(call => call.operation), [
    'AddClientIDToOpenIDConnectProvider', 'RemoveClientIDFromOpenIDConnectProvider', 'UpdateOpenIDConnectProviderThumbprint', 'TagOpenIDConnectProvider'
  ])
})

t.test('create with an empty tag list sends no Tags', async t => {
  t.same(createCall('https://h', { ClientIDList: ['a'], Tags: [] }).input, { Url: 'https://h', ClientIDList: ['a'] })
})

t.test('tags already set to their desired value are not sent again', async t => {
  const current = { ClientIDList: ['a'], ThumbprintList: [], Tags: [{ Key: 'same', Value: '1' }, { Key: 'moved', Value: '1' }] }
  t.same(convergenceCalls(ARN, current, { Tags: [{ Key: 'moved', Value: '1' }, { Key: 'same', Value: '1' }] }), [], 'the same tags in another order: no call')
  t.same(convergenceCalls(ARN, current, { Tags: [{ Key: 'same', Value: '1' }, { Key: 'moved', Value: '2' }] }), [
    { operation: 'TagOpenIDConnectProvider', input: { OpenIDConnectProviderArn: ARN, Tags: [{ Key: 'moved', Value: '2' }] } }
  ])
})
