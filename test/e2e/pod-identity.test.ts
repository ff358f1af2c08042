/**
 * EKS Pod Identity end to end: the service's routes over HTTP, its SDK clients against the
 * emulator's EKS (restJson1) and IAM (awsQuery), roles made with the IAM SDK.
 */
import t from 'tap'
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam'
import { assertProblem, callsOf, idempotencyKey, startHarness } from './support.ts'

const POD_IDENTITY_TRUST = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'] }]
}
const ASSUME_ONLY = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: 'sts:AssumeRole' }] }

const { emulator, call } = await startHarness(t, {
  emulator: {
    seed: {
      clusters: [
        { name: 'shop', addons: [{ name: 'eks-pod-identity-agent', status: 'ACTIVE' }] },
        { name: 'no-agent' },
        { name: 'sick-agent', addons: [{ name: 'eks-pod-identity-agent', status: 'DEGRADED' }] },
        { name: 'old-platform', version: '1.27', platformVersion: 'eks.7', addons: [{ name: 'eks-pod-identity-agent' }] }
      ]
    }
  }
})
const iam = new IAMClient({ endpoint: emulator.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 })
t.teardown(() => iam.destroy())

const roleArn = (name: string) => `arn:aws:iam::${emulator.accountId}:role/${name}`
for (const [name, document] of [['cart', POD_IDENTITY_TRUST], ['orders', POD_IDENTITY_TRUST], ['assume-only', ASSUME_ONLY]] as const) {
  await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: JSON.stringify(document) }))
}

t.test('every route of an association: create, list, describe, update, delete', async t => {
  const created = await call('POST', '/clusters/shop/pod-identity-associations', {
    headers: { 'idempotency-key': idempotencyKey() },
    body: { namespace: 'shop', serviceAccount: 'cart', roleArn: roleArn('cart'), tags: { team: 'shop' } }
  })
  t.equal(created.status, 201, JSON.stringify(created.body))
  const { association } = created.body
  t.match(association, { associationId: /^a-[a-z0-9]{17}$/, clusterName: 'shop', namespace: 'shop', serviceAccount: 'cart', roleArn: roleArn('cart'), tags: { team: 'shop' }, createdAt: /^\d{4}-/ })
  t.equal(created.headers.get('location'), `/clusters/shop/pod-identity-associations/${association.associationId}`)
  t.equal(created.body.preflight.passed, true)
  const path = created.headers.get('location')!

  const listed = await call('GET', '/clusters/shop/pod-identity-associations?namespace=shop&serviceAccount=cart')
  t.same(listed.body.associations.map((a: { associationId: string }) => a.associationId), [association.associationId])
  t.equal((await call('GET', path)).body.association.roleArn, roleArn('cart'))

  const patched = await call('PATCH', path, { body: { targetRoleArn: 'arn:aws:iam::444455556666:role/reader' } })
  t.equal(patched.status, 200, JSON.stringify(patched.body))
  t.match(patched.body.association, { targetRoleArn: 'arn:aws:iam::444455556666:role/reader', externalId: `us-east-1/${emulator.accountId}/shop/shop/cart` })

  const deleted = await call('DELETE', path)
  t.equal(deleted.status, 200)
  t.equal((await call('DELETE', path)).status, 204, 'deleting again answers 204')
  assertProblem(t, await call('GET', path), 404, 'ResourceNotFoundException')
})

t.test('a create retried after an unreadable answer, with the same Idempotency-Key, makes one association', async t => {
  const key = idempotencyKey()
  const body = { namespace: 'orders', serviceAccount: 'orders', roleArn: roleArn('orders') }
  const before = callsOf(emulator, 'eks:CreatePodIdentityAssociation')['eks:CreatePodIdentityAssociation']
  // The write takes effect in EKS, but its answer is cut in half on the way back.
  emulator.faults.set('eks:CreatePodIdentityAssociation', { failNext: 1, failNextWith: 'truncated' })
  const first = await call('POST', '/clusters/shop/pod-identity-associations', { headers: { 'idempotency-key': key }, body })
  t.equal(first.status, 502, 'the unreadable answer is a 502: the outcome is unknown')
  const retry = await call('POST', '/clusters/shop/pod-identity-associations', { headers: { 'idempotency-key': key }, body })
  t.equal(retry.status, 201, JSON.stringify(retry.body))
  const replayed = await call('POST', '/clusters/shop/pod-identity-associations', { headers: { 'idempotency-key': key }, body })
  t.equal(replayed.headers.get('idempotent-replayed'), 'true')
  t.equal(replayed.body.association.associationId, retry.body.association.associationId)
  const { associations } = (await call('GET', '/clusters/shop/pod-identity-associations?namespace=orders')).body
  t.equal(associations.length, 1, 'EKS holds one association')
  t.equal(callsOf(emulator, 'eks:CreatePodIdentityAssociation')['eks:CreatePodIdentityAssociation'] - before, 2, 'the retry re-sent the token; the replay sent nothing')
})

t.test('the declarative PUT: dry run, create, update, no-op', async t => {
  const path = '/clusters/shop/service-accounts/payments/charger/pod-identity'
  const dry = await call('PUT', `${path}?dryRun=true`, { body: { roleArn: roleArn('cart') } })
  t.match(dry.body, { outcome: 'created', dryRun: true, preflight: { passed: true } })
  t.equal((await call('GET', '/clusters/shop/pod-identity-associations?namespace=payments')).body.associations.length, 0, 'the dry run wrote nothing')

  const created = await call('PUT', path, { body: { roleArn: roleArn('cart') } })
  t.equal(created.status, 201, JSON.stringify(created.body))
  t.match(created.body, { outcome: 'created', association: { namespace: 'payments', serviceAccount: 'charger', roleArn: roleArn('cart') } })

  const dryUpdate = await call('PUT', `${path}?dryRun=true`, { body: { roleArn: roleArn('orders') } })
  t.match(dryUpdate.body, { outcome: 'updated', dryRun: true, changes: ['roleArn'], association: { roleArn: roleArn('cart') } })

  const updated = await call('PUT', path, { body: { roleArn: roleArn('orders'), disableSessionTags: true } })
  t.match(updated.body, { outcome: 'updated', changes: ['roleArn', 'disableSessionTags'], association: { roleArn: roleArn('orders'), disableSessionTags: true } })

  const writes = callsOf(emulator, 'eks:CreatePodIdentityAssociation', 'eks:UpdatePodIdentityAssociation')
  const same = await call('PUT', path, { body: { roleArn: roleArn('orders'), disableSessionTags: true } })
  t.match(same.body, { outcome: 'unchanged', changes: [] })
  t.same(callsOf(emulator, 'eks:CreatePodIdentityAssociation', 'eks:UpdatePodIdentityAssociation'), writes, 'nothing was written')
})

t.test('the pre-flight fails for each reason, and refuses the write unless forced', async t => {
  const preflight = async (cluster: string, role: string) => {
    const reply = await call('GET', `/clusters/${cluster}/service-accounts/shop/cart/pod-identity/preflight?roleArn=${encodeURIComponent(role)}`)
    t.equal(reply.status, 200)
    return Object.fromEntries(reply.body.checks.map((check: { name: string }) => [check.name, check]))
  }
  const trust = await preflight('shop', roleArn('assume-only'))
  t.match(trust['trust-policy'], { status: 'failed', reason: /sts:TagSession/, statementToAdd: { Principal: { Service: 'pods.eks.amazonaws.com' } } })
  t.match((await preflight('shop', roleArn('missing')))['trust-policy'], { status: 'failed', reason: /does not exist/ })
  t.match((await preflight('no-agent', roleArn('cart')))['agent-addon'], { status: 'failed', reason: /not installed/ })
  t.match((await preflight('sick-agent', roleArn('cart')))['agent-addon'], { status: 'failed', reason: /DEGRADED/ })
  t.match((await preflight('old-platform', roleArn('cart'))).platform, { status: 'failed', reason: /eks\.8/ })

  const refused = assertProblem(t, await call('PUT', '/clusters/no-agent/service-accounts/shop/cart/pod-identity', { body: { roleArn: roleArn('cart') } }), 422, 'PodIdentityPreflightFailed')
  t.equal(refused.preflight.passed, false)
  t.equal((await call('GET', '/clusters/no-agent/pod-identity-associations')).body.associations.length, 0, 'nothing was written')
  const forced = await call('PUT', '/clusters/no-agent/service-accounts/shop/cart/pod-identity?force=true', { body: { roleArn: roleArn('cart') } })
  t.equal(forced.status, 201)
})
