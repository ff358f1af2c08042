/**
 * Convergence of the IAM OIDC provider over real HTTP against the emulator: tags are removed before
 * they are set (a key swap at the 50-tag quota, a case-only rename), and an omitted member of the
 * desired state is left alone on an existing provider, in plans, in changes and in replays.
 */
import t from 'tap'
import { idempotencyKey, startHarness, writeCalls } from './support.ts'

const operations = (changes: Array<{ operation: string }>) => changes.map(c => c.operation)

t.test('OIDC provider convergence', async t => {
  const { emulator, call } = await startHarness(t, { emulator: { seed: { clusters: [{ name: 'demo' }] } } })
  const put = (body: unknown, options: { query?: string, headers?: Record<string, string> } = {}) =>
    call('PUT', `/clusters/demo/oidc-provider${options.query ?? ''}`, { body, headers: options.headers })
  const created = await put({ ClientIDList: ['sts.amazonaws.com', 'vault'] })
  t.equal(created.status, 201)
  const arn: string = created.body.OpenIDConnectProviderArn
  const emulatedTags = () => emulator.state.oidcProviders.get(arn)?.tags

  await t.test('swapping one of 50 tags for another stays within IAM\'s quota', async t => {
    const fifty = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }))
    t.equal((await put({ Tags: fifty })).status, 200)
    const swapped = await put({ Tags: [...fifty.slice(0, 49), { Key: 'new', Value: 'v' }] })
    t.equal(swapped.status, 200, 'no 409 LimitExceeded')
    t.same(operations(swapped.body.changes), ['UntagOpenIDConnectProvider', 'TagOpenIDConnectProvider'])
    t.same(Object.keys(emulatedTags() ?? {}).sort(), [...fifty.slice(0, 49).map(tag => tag.Key), 'new'].sort())
  })

  await t.test('a case-only rename of a tag key ends with exactly the desired tags', async t => {
    t.equal((await put({ Tags: [{ Key: 'Team', Value: 'platform' }] })).status, 200)
    const renamed = await put({ Tags: [{ Key: 'team', Value: 'platform' }] })
    t.equal(renamed.status, 200)
    t.same(renamed.body.provider.Tags, [{ Key: 'team', Value: 'platform' }])
    t.same(emulatedTags(), { team: 'platform' })
    t.same((await put({ Tags: [{ Key: 'team', Value: 'platform' }] })).body.changes, [], 'and stays converged')
  })

  await t.test('a PUT naming only Tags keeps every audience and thumbprint', async t => {
    const thumbprints = emulator.state.oidcProviders.get(arn)?.thumbprints
    const plan = await put({ Tags: [{ Key: 'team', Value: 'identity' }] }, { query: '?dryRun=true' })
    t.same(operations(plan.body.changes), ['TagOpenIDConnectProvider'], 'the plan touches tags only')
    emulator.resetCalls()
    const tagged = await put({ Tags: [{ Key: 'team', Value: 'identity' }] })
    t.equal(tagged.status, 200)
    t.same(tagged.body.provider.ClientIDList.toSorted(), ['sts.amazonaws.com', 'vault'])
    t.same(writeCalls(emulator, 'iam'), { 'iam:TagOpenIDConnectProvider': 1 })
    t.same(emulator.state.oidcProviders.get(arn)?.thumbprints, thumbprints)
  })

  await t.test('a keyed PUT naming only Tags is replayed on retry, not planned again', async t => {
    const headers = { 'idempotency-key': idempotencyKey() }
    const first = await put({ Tags: [{ Key: 'team', Value: 'a' }] }, { headers })
    t.equal(first.status, 200)
    t.same(operations(first.body.changes), ['TagOpenIDConnectProvider'])
    t.equal((await put({ Tags: [{ Key: 'team', Value: 'b' }] })).status, 200, 'the provider changes in between')
    emulator.resetCalls()
    const retried = await put({ Tags: [{ Key: 'team', Value: 'a' }] }, { headers })
    t.equal(retried.headers.get('idempotent-replayed'), 'true')
    t.same(retried.body, first.body, 'the first answer, not a new plan')
    t.same(writeCalls(emulator, 'iam'), {}, 'no IAM write on the replay')
    t.same(emulatedTags(), { team: 'b' })
    t.same(emulator.state.oidcProviders.get(arn)?.clientIds.toSorted(), ['sts.amazonaws.com', 'vault'])
  })
})
