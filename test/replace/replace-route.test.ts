/**
 * PUT /clusters/:name/identity-provider-configs/:configName on fake EKS ports: unchanged, plain
 * associate, full replacement step by step, dry run (failures and conflicts: replace-failures.test.ts).
 */
import t from 'tap'
import { assertProblem } from '../support/build.ts'
import { buildReplace, eventually, NEW, newKey, OLD, operationOf, put, seedConfig, stepStatuses, updateIdOf, writeCalls } from './support.ts'

t.test('the same config already associated: 200 unchanged and no AWS write', async t => {
  const built = await buildReplace(t)
  const { aws, cluster } = built
  seedConfig(aws, cluster, NEW)
  const reply = await put(built, { oidc: NEW })
  t.equal(reply.statusCode, 200)
  t.match(reply.json(), { outcome: 'unchanged', plan: 'unchanged', steps: [], expectedDowntime: null, identityProviderConfig: { oidc: { clientId: 'kubernetes-v2', status: 'ACTIVE' } } })
  t.same(writeCalls(aws), [], 'no EKS write')
})

t.test('the body must name the config of the path', async t => {
  const built = await buildReplace(t)
  const { aws } = built
  const body = assertProblem(t, await put(built, { oidc: { ...NEW, identityProviderConfigName: 'other' } }), 400, 'InvalidParameterException')
  t.match(body.errors, [{ pointer: '/body/oidc/identityProviderConfigName' }])
  t.same(writeCalls(aws), [])
})

t.test('no config yet: one association as an operation that succeeds when the update does', async t => {
  const built = await buildReplace(t)
  const { aws, cluster } = built
  const reply = await put(built, { oidc: NEW, tags: { team: 'platform' } })
  t.equal(reply.statusCode, 202)
  const { operationId } = reply.json()
  t.match(reply.json(), { outcome: 'started', plan: 'associate', expectedDowntime: null, steps: [{ name: 'associate', status: 'pending', description: String }] })
  t.equal(reply.headers.location, `/clusters/${cluster}/operations/${operationId}`)

  const updateId = await updateIdOf(aws, cluster, 'AssociateIdentityProviderConfig')
  const sent = aws.calls.find(c => c.operation === 'AssociateIdentityProviderConfig')!.input
  t.equal(sent.clientRequestToken, `eks-oidc-api-${operationId}-a`, 'the step token derives from the operation')
  t.same(sent.tags, { team: 'platform' })
  await eventually(async () => (await operationOf(built, operationId)).details.steps[0].updateId === updateId || undefined)
  aws.settleUpdate(updateId)
  const done = await eventually(async () => { const op = await operationOf(built, operationId); return op.status === 'succeeded' ? op : undefined })
  t.equal(stepStatuses(done), 'associate:succeeded')
  t.equal(done.updateId, updateId)
  t.same(writeCalls(aws), ['AssociateIdentityProviderConfig'])
})

t.test('another config: disassociate → wait until gone → associate, one operation reporting each step', async t => {
  const built = await buildReplace(t)
  const { aws, cluster } = built
  seedConfig(aws, cluster, OLD)
  const reply = await put(built, { oidc: NEW }, { key: newKey() })
  t.equal(reply.statusCode, 202)
  const { operationId } = reply.json()
  t.match(reply.json(), { outcome: 'started', plan: 'replace', expectedDowntime: { minMinutes: 20, maxMinutes: 40 }, expectedDuration: { minMinutes: 40, maxMinutes: 80 } })
  t.same(reply.json().steps.map((s: { name: string }) => s.name), ['disassociate', 'wait-gone', 'associate'])

  const disassociation = await updateIdOf(aws, cluster, 'DisassociateIdentityProviderConfig')
  t.equal(aws.calls.find(c => c.operation === 'DisassociateIdentityProviderConfig')!.input.clientRequestToken, `eks-oidc-api-${operationId}-d`)
  const running = await eventually(async () => { const op = await operationOf(built, operationId); return op.details.steps[0].updateId ? op : undefined })
  t.equal(running.status, 'in_progress')
  t.equal(stepStatuses(running), 'disassociate:in_progress,wait-gone:pending,associate:pending')
  t.match(running.details.desired, { oidc: NEW })
  t.notOk('lease' in running.details, 'the runner\'s lease is bookkeeping, not part of the answer')

  // The disassociation succeeds, but the old config lingers DELETING; the fake refuses an associate
  // while it is there (as EKS does), so one sent too early would fail the operation.
  const old = aws.configs.get(`${cluster}/corp`)!
  aws.settleUpdate(disassociation)
  aws.configs.set(`${cluster}/corp`, { ...old, status: 'DELETING' })
  const waiting = await eventually(async () => { const op = await operationOf(built, operationId); return op.details.steps[1].status === 'in_progress' ? op : undefined })
  t.equal(stepStatuses(waiting), 'disassociate:succeeded,wait-gone:in_progress,associate:pending', 'waiting for the old config to go')
  aws.configs.delete(`${cluster}/corp`)
  const association = await updateIdOf(aws, cluster, 'AssociateIdentityProviderConfig')
  t.equal(aws.calls.find(c => c.operation === 'AssociateIdentityProviderConfig')!.input.clientRequestToken, `eks-oidc-api-${operationId}-a`)
  aws.settleUpdate(association)

  const done = await eventually(async () => { const op = await operationOf(built, operationId); return op.status === 'succeeded' ? op : undefined })
  t.equal(stepStatuses(done), 'disassociate:succeeded,wait-gone:succeeded,associate:succeeded')
  t.match(done.details.steps, [{ updateId: disassociation, startedAt: String, endedAt: String }, { endedAt: String }, { updateId: association, endedAt: String }])
  t.equal(done.error, null)
  t.same(writeCalls(aws), ['DisassociateIdentityProviderConfig', 'AssociateIdentityProviderConfig'], 'exactly one update each')
  t.match(aws.configs.get(`${cluster}/corp`), { clientId: 'kubernetes-v2', status: 'ACTIVE' })

  const listed = await built.app.inject({ method: 'GET', url: `/clusters/${cluster}/operations` })
  t.match(listed.json().items.find((op: { id: string }) => op.id === operationId), { action: 'replaceIdentityProviderConfig', resource: 'corp', status: 'succeeded' })
})

t.test('?dryRun=true answers the plan and changes nothing', async t => {
  const built = await buildReplace(t)
  const { aws, cluster, store } = built
  seedConfig(aws, cluster, OLD)
  const reply = await put(built, { oidc: NEW }, { query: '&dryRun=true' })
  t.equal(reply.statusCode, 200)
  t.match(reply.json(), {
    outcome: 'dry-run',
    plan: 'replace',
    expectedDowntime: { minMinutes: 20, maxMinutes: 40 },
    identityProviderConfig: { oidc: { clientId: 'kubernetes' } },
    steps: [{ name: 'disassociate', status: 'pending', description: /Disassociate/ }, { name: 'wait-gone' }, { name: 'associate' }]
  })
  t.notOk(reply.json().operationId, 'no operation to follow')
  t.notOk(reply.json().steps.some((s: object) => 'clientRequestToken' in s), 'no EKS tokens in a plan')
  // The runner only drives recorded operations: with none recorded, nothing will be written.
  t.same(await store.operations.listUnfinished({ action: 'replaceIdentityProviderConfig', cluster }), [], 'no replacement recorded')
  t.same(writeCalls(aws), [], 'no EKS write')
  t.match(aws.configs.get(`${cluster}/corp`), { clientId: 'kubernetes', status: 'ACTIVE' })
})
