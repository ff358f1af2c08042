/**
 * PUT /clusters/:name/identity-provider-configs/:configName on fake EKS ports: conflicts,
 * idempotent retries, failed updates, refusals before any write, throttling.
 */
import t from 'tap'
import { assertProblem } from '../support/build.ts'
import { buildReplace, eventually, NEW, newKey, OLD, operationOf, put, seedConfig, stepStatuses, updateIdOf, writeCalls } from './support.ts'

t.test('a PUT while a change of the same config runs is a 409 naming that operation', async t => {
  const built = await buildReplace(t)
  const { aws, cluster } = built
  seedConfig(aws, cluster, OLD)
  const first = await put(built, { oidc: NEW })
  t.equal(first.statusCode, 202)
  await updateIdOf(aws, cluster, 'DisassociateIdentityProviderConfig')
  const second = await put(built, { oidc: { ...NEW, clientId: 'third' } })
  const body = assertProblem(t, second, 409, 'ReplaceInProgress')
  t.equal(body.operationId, first.json().operationId)
  t.match(body.detail, first.json().operationId)
  t.same(writeCalls(aws), ['DisassociateIdentityProviderConfig'], 'the second PUT wrote nothing')
})

t.test('a retry with the same Idempotency-Key replays the answer and starts nothing new', async t => {
  const built = await buildReplace(t)
  const { aws, cluster, store } = built
  seedConfig(aws, cluster, OLD)
  const key = newKey()
  const first = await put(built, { oidc: NEW }, { key })
  const again = await put(built, { oidc: NEW }, { key })
  t.equal(again.statusCode, 202)
  t.equal(again.headers['idempotent-replayed'], 'true')
  t.equal(again.json().operationId, first.json().operationId)
  await updateIdOf(aws, cluster, 'DisassociateIdentityProviderConfig')
  // The runner only drives recorded operations: one record means nothing else will be written.
  t.equal((await store.operations.listUnfinished({ action: 'replaceIdentityProviderConfig', cluster })).length, 1)
  t.same(writeCalls(aws), ['DisassociateIdentityProviderConfig'])
})

t.test('a failed EKS update fails the step and the operation', async t => {
  const built = await buildReplace(t)
  const { aws, cluster } = built
  seedConfig(aws, cluster, OLD)
  const { operationId } = (await put(built, { oidc: NEW })).json()
  const disassociation = await updateIdOf(aws, cluster, 'DisassociateIdentityProviderConfig')
  aws.settleUpdate(disassociation, 'Failed')
  const failed = await eventually(async () => { const op = await operationOf(built, operationId); return op.status === 'failed' ? op : undefined })
  t.equal(stepStatuses(failed), 'disassociate:failed,wait-gone:pending,associate:pending')
  t.match(failed.error, { code: 'UpdateFailed', message: new RegExp(disassociation) })
  t.match(failed.details.steps[0].note, /ended Failed/)
  t.same(writeCalls(aws), ['DisassociateIdentityProviderConfig'], 'nothing associated after a failed removal')
})

t.test('refusals come before any write: another config, same issuer as the cluster, unknown cluster', async t => {
  const built = await buildReplace(t)
  const { aws, cluster } = built
  seedConfig(aws, cluster, { ...OLD, identityProviderConfigName: 'legacy' })
  assertProblem(t, await put(built, { oidc: NEW }), 409, 'ResourceInUseException')
  aws.configs.clear()
  assertProblem(t, await put(built, { oidc: { ...NEW, issuerUrl: 'https://oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789ABCDEF0123456789' } }), 400, 'InvalidParameterException')
  assertProblem(t, await put(built, { oidc: NEW }, { cluster: 'nope' }), 404, 'ResourceNotFoundException')
  t.same(writeCalls(aws), [])
})

t.test('throttling while following a step is retried, not fatal', async t => {
  const built = await buildReplace(t)
  const { aws, cluster } = built
  seedConfig(aws, cluster, OLD)
  const describeUpdate = aws.eks.describeUpdate
  let throttled = 0
  aws.eks.describeUpdate = async (input) => {
    if (throttled++ < 3) throw Object.assign(new Error('slow down'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 429 } })
    return describeUpdate(input)
  }
  const { operationId } = (await put(built, { oidc: NEW })).json()
  const disassociation = await updateIdOf(aws, cluster, 'DisassociateIdentityProviderConfig')
  aws.settleUpdate(disassociation)
  aws.settleUpdate(await updateIdOf(aws, cluster, 'AssociateIdentityProviderConfig'))
  const done = await eventually(async () => { const op = await operationOf(built, operationId); return op.status === 'succeeded' ? op : undefined })
  t.ok(throttled > 3, 'DescribeUpdate was throttled and retried')
  t.equal(stepStatuses(done), 'disassociate:succeeded,wait-gone:succeeded,associate:succeeded')
})
