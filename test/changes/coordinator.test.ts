/**
 * The change coordinator on its own, over the embedded store: what a change writes when it ends
 * (audit record, operation outcome), its states, its continuations and its reaper.
 */
import t, { type Test } from 'tap'
import { auditOutcome, ChangeCoordinator, type ChangeAnswer, type ChangeCoordinatorOptions, type ChangeStart } from '../../src/changes/coordinator.ts'
import { clientRequestTokenFor } from '../../src/services/write-guard.ts'
import { createStore } from '../../src/store/index.ts'
import { AuditOutcome, OperationStatus } from '../../src/store/index.ts'
import type { AwsCall } from '../../src/store/audit-contract.ts'

interface LogLine { level: string, fields: unknown, msg?: string }

async function setup (t: Test, options: Partial<ChangeCoordinatorOptions> = {}) {
  const store = await createStore()
  t.teardown(() => store.close())
  const lines: LogLine[] = []
  const at = (level: string) => (fields: unknown, msg?: string) => { lines.push({ level, fields, msg }) }
  const log = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
  const coordinator = new ChangeCoordinator({ store, log, purgeIntervalSeconds: 0, ...options })
  t.teardown(() => coordinator.close())
  return { store, coordinator, lines }
}

const subject = { principal: 'ci', action: 'associateIdentityProviderConfig', cluster: 'demo', resource: 'corp', requestId: 'req-1' }
const start = (overrides: Partial<ChangeStart> = {}): ChangeStart => ({
  method: 'POST', route: '/clusters/:name/identity-provider-configs', params: { name: 'demo' }, body: { a: 1 }, dryRun: false, ...overrides
})
const answer = (overrides: Partial<ChangeAnswer> = {}): ChangeAnswer => ({
  status: 202, headers: { location: '/operations/x' }, body: '{"ok":true}', retryAfter: false, awsCalls: [], ...overrides
})
const call = (awsRequestId?: string): AwsCall => ({ service: 'eks', operation: 'AssociateIdentityProviderConfig', outcome: 'success', ...(awsRequestId ? { awsRequestId } : {}) })

t.test('auditOutcome', async t => {
  t.equal(auditOutcome(401, false), AuditOutcome.DENIED)
  t.equal(auditOutcome(403, true), AuditOutcome.DENIED)
  t.equal(auditOutcome(400, false), AuditOutcome.FAILED)
  t.equal(auditOutcome(503, true), AuditOutcome.FAILED)
  t.equal(auditOutcome(399, false), AuditOutcome.SUCCEEDED)
  t.equal(auditOutcome(200, true), AuditOutcome.REPLAYED)
})

t.test('a keyed change that succeeds: its audit record and operation', async t => {
  const { store, coordinator } = await setup(t)
  const change = coordinator.open(subject)
  t.throws(() => change.guard, /change associateIdentityProviderConfig has not begun/)
  t.equal(await change.begin(start({ key: 'key-0000000000000001' })), undefined)
  await t.rejects(change.begin(start()), /change associateIdentityProviderConfig has already begun/)
  t.equal(change.finished, false)
  t.equal(change.dryRun, false)
  const token = change.guard.clientRequestToken
  t.equal(token, clientRequestTokenFor(change.operationId!))
  change.report({ resource: 'corp-config' })
  change.report({ updateId: 'u-1' })
  const record = await change.finish(answer({ awsCalls: [call('aws-1'), call('aws-2'), call()] }))
  t.equal(change.finished, true)
  t.match(record, {
    principal: 'ci',
    action: 'associateIdentityProviderConfig',
    cluster: 'demo',
    resource: 'corp-config',
    outcome: AuditOutcome.SUCCEEDED,
    status: 202,
    requestId: 'req-1',
    dryRun: false,
    clientRequestToken: token,
    awsRequestId: 'aws-2',
    operationId: change.operationId
  })
  t.equal(await change.finish(answer()), undefined, 'a second finish writes nothing')
  t.same((await store.listAudit({ limit: 10 })).items.map(item => item.id), [record!.id])
  const operation = await store.operations.get(change.operationId!)
  t.match(operation, { status: OperationStatus.IN_PROGRESS, resource: 'corp-config', updateId: 'u-1', error: null, details: { httpStatus: 202, requestId: 'req-1' } })
})

t.test('a change that fails: the operation names the error, a default one when the answer has none', async t => {
  const { store, coordinator } = await setup(t)
  const named = coordinator.open(subject)
  await named.begin(start())
  await named.finish(answer({ status: 409, error: { code: 'ResourceInUseException', message: 'busy' } }))
  t.match(await store.operations.get(named.operationId!), { status: OperationStatus.FAILED, error: { code: 'ResourceInUseException', message: 'busy' } })

  const unnamed = coordinator.open(subject)
  await unnamed.begin(start())
  const record = await unnamed.finish(answer({ status: 400 }))
  t.match(await store.operations.get(unnamed.operationId!), { status: OperationStatus.FAILED, error: { code: 'HTTP400', message: 'the request was answered 400' } })
  t.equal(record?.outcome, AuditOutcome.FAILED)

  const done = coordinator.open(subject)
  await done.begin(start())
  await done.finish(answer({ status: 200 }))
  t.match(await store.operations.get(done.operationId!), { status: OperationStatus.SUCCEEDED, error: null })
})

t.test('what an audit record leaves out', async t => {
  const { coordinator } = await setup(t)
  const bare = coordinator.open({ principal: 'ci', action: 'updateOidcProvider', requestId: 'req-2' })
  await bare.begin(start({ bodyToken: 'x'.repeat(129) }))
  t.equal(bare.guard.clientRequestToken, 'x'.repeat(129), 'the client\'s own token is used')
  const record = await bare.finish(answer({ status: 200 }))
  for (const member of ['cluster', 'resource', 'clientRequestToken', 'awsRequestId'] as const) t.notOk(member in record!, `no ${member}`)
  t.ok(record!.operationId, 'an operation id')

  const longest = coordinator.open(subject)
  await longest.begin(start({ bodyToken: 'y'.repeat(128) }))
  t.equal((await longest.finish(answer()))?.clientRequestToken, 'y'.repeat(128), 'a token of 128 characters is kept')

  const dry = coordinator.open(subject)
  t.equal(await dry.begin(start({ dryRun: true, key: 'key-0000000000000002' })), undefined)
  t.equal(dry.dryRun, true)
  t.equal(dry.operationId, undefined)
  t.match(dry.guard.clientRequestToken, /^eks-oidc-api-/)
  const dryRecord = await dry.finish(answer({ status: 200 }))
  t.match(dryRecord, { dryRun: true, resource: 'corp' })
  t.notOk('clientRequestToken' in dryRecord!, 'a dry run sent no token')
  t.notOk('operationId' in dryRecord!)

  const dryWithToken = coordinator.open(subject)
  await dryWithToken.begin(start({ dryRun: true, bodyToken: 'mine' }))
  t.equal(dryWithToken.guard.clientRequestToken, 'mine')
})

t.test('a replay is audited as replayed, with the first request\'s operation', async t => {
  const { coordinator } = await setup(t)
  const first = coordinator.open(subject)
  await first.begin(start({ key: 'key-0000000000000003' }))
  await first.finish(answer())
  const again = coordinator.open(subject)
  const stored = await again.begin(start({ key: 'key-0000000000000003' }))
  t.match(stored, { status: 202, body: '{"ok":true}', headers: { location: '/operations/x' } })
  t.equal(again.operationId, first.operationId)
  const record = await again.finish(answer())
  t.match(record, { outcome: AuditOutcome.REPLAYED, operationId: first.operationId })
  t.notOk('clientRequestToken' in record!, 'a replay sends nothing to AWS')
})

t.test('continuations: told of a started change (202) once its records are written, never otherwise', async t => {
  const told: unknown[] = []
  const { coordinator, lines } = await setup(t, {
    continuations: {
      'follow-update': (operation) => { told.push(operation) },
      'run-steps': () => { throw new Error('cannot hand on') }
    }
  })
  const started = coordinator.open(subject)
  await started.begin(start())
  started.report({ next: 'follow-update', updateId: 'u-9' })
  await started.finish(answer())
  t.same(told, [{ id: started.operationId, cluster: 'demo', updateId: 'u-9' }])

  const clusterless = coordinator.open({ principal: 'ci', action: 'x', requestId: 'r' })
  await clusterless.begin(start())
  clusterless.report({ next: 'follow-update' })
  await clusterless.finish(answer())
  t.same(told.at(-1), { id: clusterless.operationId, cluster: '', updateId: undefined })

  const answered200 = coordinator.open(subject)
  await answered200.begin(start())
  answered200.report({ next: 'follow-update' })
  await answered200.finish(answer({ status: 200 }))
  const dry = coordinator.open(subject)
  await dry.begin(start({ dryRun: true }))
  dry.report({ next: 'follow-update' })
  await dry.finish(answer())
  const none = coordinator.open(subject)
  await none.begin(start())
  await none.finish(answer())
  t.equal(told.length, 2, 'not for a 200, a dry run or a change without a continuation')

  const failing = coordinator.open(subject)
  await failing.begin(start())
  failing.report({ next: 'run-steps' })
  await failing.finish(answer())
  t.match(lines.filter(line => line.level === 'error'), [{ fields: { operationId: failing.operationId }, msg: 'a started change could not be handed on; the sweep picks it up' }])
})

t.test('the reaper purges expired records on its interval, and only once started', async t => {
  let clock = Date.parse('2026-01-01T00:00:00Z')
  const { store, coordinator, lines } = await setup(t, { purgeIntervalSeconds: 0.05, retentionSeconds: 1, now: () => new Date(clock) })
  const change = coordinator.open(subject)
  await change.begin(start({ key: 'key-0000000000000004' }))
  await change.finish(answer())
  const ref = { scope: 'ci', method: 'POST', route: '/clusters/:name/identity-provider-configs', key: 'key-0000000000000004' }
  clock += 2000
  coordinator.start()
  coordinator.start()
  while ((await store.idempotency.get(ref)) !== undefined) await new Promise(resolve => setTimeout(resolve, 20))
  t.pass('the expired record is purged')
  t.match(lines.filter(line => line.level === 'debug'), [{ fields: { purged: 1 }, msg: 'purged expired idempotency records' }], 'logged once, with the count')
})

/** Resolves once `check` holds, polling; for background timers whose event the test waits for. */
async function until (check: () => boolean) {
  while (!check()) await new Promise(resolve => setTimeout(resolve, 10))
}

const failure = new Error('store down')
const rejectWith = async () => { throw failure }
const keyed = (key: string) => start({ key })
const logged = (lines: LogLine[], level: string, msg: string) => lines.filter(line => line.level === level && line.msg === msg)

t.test('idempotency outcomes are counted, one per claim', async t => {
  const outcomes: string[] = []
  const { coordinator } = await setup(t, { onIdempotency: (outcome) => { outcomes.push(outcome) } })
  const first = coordinator.open(subject)
  await first.begin(keyed('key-0000000000000010'))
  await t.rejects(coordinator.open(subject).begin(keyed('key-0000000000000010')), { name: 'IdempotencyRequestInProgressException', status: 409 })
  await first.finish(answer())
  await coordinator.open(subject).begin(keyed('key-0000000000000010'))
  await t.rejects(coordinator.open(subject).begin({ ...keyed('key-0000000000000010'), body: { other: true } }), { name: 'IdempotencyKeyReusedException', status: 422 })
  t.same(outcomes, ['new', 'conflict', 'replayed', 'mismatch'])
})

t.test('a store that fails: 503 problems, logged with their cause', async t => {
  t.test('the claim', async t => {
    const { store, coordinator, lines } = await setup(t)
    store.idempotency.claim = rejectWith
    await t.rejects(coordinator.open(subject).begin(keyed('key-0000000000000011')), { name: 'ServiceUnavailableException', slug: 'store-unavailable', status: 503 })
    t.match(logged(lines, 'error', 'idempotency claim failed'), [{ fields: { err: failure } }])
  })

  t.test('the operation record of an unkeyed change', async t => {
    const { store, coordinator, lines } = await setup(t)
    store.operations.create = rejectWith
    await t.rejects(coordinator.open(subject).begin(start()), { name: 'ServiceUnavailableException', slug: 'store-unavailable', status: 503 })
    t.match(logged(lines, 'error', 'the operation record could not be created'), [{ fields: { err: failure } }])
  })

  t.test('the records of the answer: 503, and the key is free for the retry', async t => {
    const { store, coordinator, lines } = await setup(t)
    const recordChange = store.recordChange.bind(store)
    store.recordChange = rejectWith
    const change = coordinator.open(subject)
    await change.begin(keyed('key-0000000000000012'))
    await t.rejects(change.finish(answer()), { name: 'AuditUnavailable', status: 503 })
    t.match(logged(lines, 'error', 'the records of a change could not be stored; answering 503'), [{ fields: { err: failure, auditId: String } }])
    store.recordChange = recordChange
    const retry = coordinator.open(subject)
    t.equal(await retry.begin(keyed('key-0000000000000012')), undefined, 'the retry runs')
    t.equal(retry.operationId, change.operationId, 'as the same operation')
  })

  t.test('releasing a key', async t => {
    const { store, coordinator, lines } = await setup(t)
    store.idempotency.release = rejectWith
    const change = coordinator.open(subject)
    await change.begin(keyed('key-0000000000000013'))
    await change.finish(answer({ status: 503, retryAfter: true }))
    t.match(logged(lines, 'error', 'could not release an idempotency key; it frees up when its lease expires'), [{ fields: { err: failure } }])
  })

  t.test('the answer not stored because the lease was taken over: no continuation either', async t => {
    const told: unknown[] = []
    const { store, coordinator, lines } = await setup(t, { continuations: { 'follow-update': (operation) => { told.push(operation) } } })
    store.recordChange = async () => ({ completed: false })
    const change = coordinator.open(subject)
    await change.begin(keyed('key-0000000000000014'))
    change.report({ next: 'follow-update' })
    await change.finish(answer())
    t.match(logged(lines, 'warn', 'idempotency lease was taken over; this answer was not stored'), [{ fields: { operationId: change.operationId } }])
    t.same(told, [])
  })

  t.test('the reaper', async t => {
    const { store, coordinator, lines } = await setup(t, { purgeIntervalSeconds: 0.02 })
    store.idempotency.purgeExpired = rejectWith
    coordinator.start()
    await until(() => logged(lines, 'error', 'purging expired idempotency records failed').length > 0)
    t.match(logged(lines, 'error', 'purging expired idempotency records failed')[0], { fields: { err: failure } })
  })
})

t.test('a key is freed for a retry by abandon and by close, and a closed change may not write', async t => {
  const { coordinator } = await setup(t)
  const abandoned = coordinator.open(subject)
  await abandoned.begin(keyed('key-0000000000000015'))
  await abandoned.abandon()
  t.equal(abandoned.finished, true)
  const retry = coordinator.open(subject)
  t.equal(await retry.begin(keyed('key-0000000000000015')), undefined, 'the retry runs after abandon')
  t.equal(retry.operationId, abandoned.operationId)

  await coordinator.close()
  await t.rejects(retry.guard.beforeWrite(), { name: 'IdempotencyRequestInProgressException', status: 409 }, 'a change whose claim was released does not write')
  const afterClose = coordinator.open(subject)
  t.equal(await afterClose.begin(keyed('key-0000000000000015')), undefined, 'the retry runs after close')
})

t.test('writeNotSent puts the recovery point back, so a retry does not resume', async t => {
  const { store, coordinator, lines } = await setup(t)
  const sent = coordinator.open(subject)
  await sent.begin(keyed('key-0000000000000016'))
  await sent.guard.beforeWrite()
  await sent.finish(answer({ status: 503, retryAfter: true }))
  const resumed = coordinator.open(subject)
  await resumed.begin(keyed('key-0000000000000016'))
  t.equal(resumed.guard.resuming, true, 'the AWS call may have been made')

  await resumed.guard.beforeWrite()
  await resumed.guard.writeNotSent()
  await resumed.finish(answer({ status: 503, retryAfter: true }))
  const fresh = coordinator.open(subject)
  await fresh.begin(keyed('key-0000000000000016'))
  t.equal(fresh.guard.resuming, false, 'the AWS call was not made')

  store.idempotency.setRecoveryPoint = rejectWith
  await fresh.guard.writeNotSent()
  t.match(logged(lines, 'warn', 'could not put the idempotency recovery point back; a retry will skip the checks before the AWS call'), [{ fields: { err: failure } }])
})

t.test('the lease is renewed every half lease while the change runs; a lost lease is logged once', async t => {
  const { store, coordinator, lines } = await setup(t, { leaseSeconds: 0.04 })
  const renewals: Date[] = []
  let held = true
  store.idempotency.renewLease = async (_ref, _owner, leaseUntil) => { renewals.push(leaseUntil); return held }
  const change = coordinator.open(subject)
  const begun = Date.now()
  await change.begin(keyed('key-0000000000000017'))
  await until(() => renewals.length >= 2)
  t.ok(renewals[0].getTime() >= begun + 40, 'each renewal extends the lease by a lease')
  t.same(logged(lines, 'warn', 'idempotency lease lost to another request; its response will not be stored'), [], 'nothing logged while the lease is held')
  held = false
  await until(() => logged(lines, 'warn', 'idempotency lease lost to another request; its response will not be stored').length > 0)
  t.match(logged(lines, 'warn', 'idempotency lease lost to another request; its response will not be stored'), [{ fields: { operationId: change.operationId } }])

  const failing = coordinator.open(subject)
  store.idempotency.renewLease = rejectWith
  await failing.begin(keyed('key-0000000000000018'))
  await until(() => logged(lines, 'error', 'idempotency lease renewal failed').length > 0)
  t.match(logged(lines, 'error', 'idempotency lease renewal failed')[0], { fields: { err: failure } })
})
