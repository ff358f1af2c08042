/**
 * The follower on a real embedded store and a real UpdateWatcher, over a fake DescribeUpdate whose
 * answers each test scripts. Tests share one store (opening one is slow); each leaves none of its
 * operations in progress, since every follower's sweep would pick them up.
 */
import { randomUUID } from 'node:crypto'
import type { ErrorDetail, Update, UpdateStatus } from '@aws-sdk/client-eks'
import t, { type Test } from 'tap'
import { OperationFollower } from '../../src/changes/operation-follower.ts'
import { problem } from '../../src/errors.ts'
import { createStore } from '../../src/store/index.ts'
import { OperationStatus, type NewOperation, type OperationRecord, type OperationStore, type Store } from '../../src/store/store.ts'
import { UpdateWatcher } from '../../src/watch/update-watcher.ts'
import { eventually } from '../support/eventually.ts'
import { awsError } from '../support/fake-aws.ts'

const LEASE_MS = 500
const POLL_MS = 10
const WAIT_MS = 5000
const TEST_TIMEOUT = { timeout: 20_000 }

let store: Store
t.before(async () => { store = await createStore({ dataDir: 'memory://' }) })
t.teardown(() => store.close())

type Answer = Update | Error

/** DescribeUpdate over scripted answers: each update answers its queue in order, then its last answer for ever. */
function fakeEks () {
  const answers = new Map<string, Answer[]>()
  const calls: string[] = []
  return {
    callsFor: (updateId: string) => calls.filter(id => id === updateId).length,
    answer (updateId: string, ...next: Answer[]) {
      answers.set(updateId, next)
    },
    async describeUpdate (_cluster: string, updateId: string): Promise<Update> {
      calls.push(updateId)
      const queue = answers.get(updateId) ?? [awsError('ResourceNotFoundException', 404, `No update found for ID: ${updateId}`)]
      const answer = queue.length > 1 ? queue.shift()! : queue[0]
      if (answer instanceof Error) throw answer
      return structuredClone(answer)
    }
  }
}

type FakeEks = ReturnType<typeof fakeEks>

const update = (id: string, status: UpdateStatus, extra: Partial<Update> = {}): Update =>
  ({ id, status, type: 'AssociateIdentityProviderConfig', ...extra })

/** One process: its own watcher and follower on the shared store, closed when the test ends. */
function replica (t: Test, eks: FakeEks = fakeEks()) {
  const watcher = new UpdateWatcher({ describeUpdate: eks.describeUpdate, initialIntervalMs: POLL_MS, maxIntervalMs: 2 * POLL_MS })
  const logged: Record<'info' | 'warn' | 'error', string[]> = { info: [], warn: [], error: [] }
  const log = {
    debug: () => {},
    info: (_: object, msg: string) => { logged.info.push(msg) },
    warn: (_: object, msg: string) => { logged.warn.push(msg) },
    error: (_: object, msg: string) => { logged.error.push(msg) }
  }
  /** Ids of the operations this replica wrote fenced by its lease: its outcome writes. */
  const outcomeWrites: string[] = []
  const operations: OperationStore = {
    ...store.operations,
    update (id, patch) {
      if (patch.leaseOwner !== undefined) outcomeWrites.push(id)
      return store.operations.update(id, patch)
    }
  }
  const follower = new OperationFollower({ operations, watcherOf: () => watcher, leaseMs: LEASE_MS, log })
  t.teardown(async () => {
    await follower.close()
    watcher.close()
  })
  return { eks, watcher, follower, logged, outcomeWrites }
}

/** An operation answered 202 on an EKS update, as the operations plugin records it. */
async function seedOperation (t: Test, fields: Partial<NewOperation> = {}) {
  const id = randomUUID()
  const operation = { id, cluster: `c-${id.slice(0, 8)}`, updateId: `u-${id}` }
  await store.operations.create({
    ...operation,
    principal: 'alice',
    action: 'associateIdentityProviderConfig',
    resource: 'corp',
    status: OperationStatus.IN_PROGRESS,
    details: { httpStatus: 202 },
    now: new Date(),
    ...fields
  })
  t.teardown(async () => {
    const left = await store.operations.get(id)
    if (left?.status === OperationStatus.IN_PROGRESS) await store.operations.update(id, { status: OperationStatus.FAILED, now: new Date() })
  })
  return operation
}

const get = async (id: string) => (await store.operations.get(id))!
const leaseOwnerOf = (record: OperationRecord) => (record.details.lease as { owner?: string } | undefined)?.owner

function ended (id: string) {
  return eventually(async () => {
    const record = await get(id)
    return record.status === OperationStatus.IN_PROGRESS ? undefined : record
  }, WAIT_MS)
}

function heldBy (id: string, owner: string) {
  return eventually(async () => leaseOwnerOf(await get(id)) === owner || undefined, WAIT_MS)
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

t.test('an operation succeeds once its update is Successful; the lease is renewed while it waits', TEST_TIMEOUT, async t => {
  const { eks, follower, logged, outcomeWrites } = replica(t)
  const operation = await seedOperation(t)
  eks.answer(operation.updateId, update(operation.updateId, 'InProgress'))

  follower.follow(operation)
  await heldBy(operation.id, follower.owner)
  const firstUntil = (await get(operation.id)).details.lease as { until: string }
  await sleep(LEASE_MS * 2)
  const waiting = await get(operation.id)
  t.equal(waiting.status, OperationStatus.IN_PROGRESS, 'still in progress while the update runs')
  t.ok(Date.parse((waiting.details.lease as { until: string }).until) > Date.parse(firstUntil.until), 'the lease was renewed')
  const now = new Date()
  t.notOk(await store.operations.acquireLease(operation.id, { owner: 'intruder', now, until: new Date(now.getTime() + LEASE_MS) }),
    'two lease periods on, nobody else can take it')
  t.ok(eks.callsFor(operation.updateId) >= 2, 'the update was polled')

  eks.answer(operation.updateId, update(operation.updateId, 'Successful'))
  const done = await ended(operation.id)
  t.equal(done.status, OperationStatus.SUCCEEDED)
  t.equal(done.error, null)
  t.match(done.details, { httpStatus: 202, update: { status: 'Successful' } }, 'details merged, not replaced')
  t.notOk('errors' in (done.details.update as object), 'no errors member without errors')
  t.same(outcomeWrites, [operation.id], 'one outcome write')
  t.same(logged.error, [])
})

t.test('a Failed update fails the operation with UpdateFailed and the update\'s errors; Cancelled with UpdateCancelled', TEST_TIMEOUT, async t => {
  const { eks, follower } = replica(t)
  const failed = await seedOperation(t)
  const cancelled = await seedOperation(t)
  const errors: ErrorDetail[] = [{ errorCode: 'AccessDenied', errorMessage: 'the cluster role may not read the issuer', resourceIds: ['corp'] }]
  eks.answer(failed.updateId, update(failed.updateId, 'InProgress'), update(failed.updateId, 'Failed', { errors }))
  eks.answer(cancelled.updateId, update(cancelled.updateId, 'Cancelled'))

  follower.follow(failed)
  follower.follow(cancelled)
  const [one, two] = await Promise.all([ended(failed.id), ended(cancelled.id)])

  t.equal(one.status, OperationStatus.FAILED)
  t.same(one.error, { code: 'UpdateFailed', message: `EKS update ${failed.updateId} ended Failed: AccessDenied: the cluster role may not read the issuer` })
  t.same(one.details.update, { status: 'Failed', errors })
  t.equal(two.status, OperationStatus.FAILED)
  t.same(two.error, { code: 'UpdateCancelled', message: `EKS update ${cancelled.updateId} ended Cancelled` })
  t.same(two.details.update, { status: 'Cancelled' })
})

t.test('restart: a closed follower hands the operation back, and a new one resumes and finishes it', TEST_TIMEOUT, async t => {
  const eks = fakeEks()
  const first = replica(t, eks)
  const operation = await seedOperation(t)
  eks.answer(operation.updateId, update(operation.updateId, 'InProgress'))
  first.follower.follow(operation)
  await heldBy(operation.id, first.follower.owner)
  await eventually(() => eks.callsFor(operation.updateId) > 0 || undefined, WAIT_MS)

  await first.follower.close()
  const handedBack = await get(operation.id)
  t.equal(handedBack.status, OperationStatus.IN_PROGRESS, 'not finished by closing')
  t.equal(handedBack.details.lease, undefined, 'lease released')
  t.equal(first.watcher.subscriberCount(operation.cluster, operation.updateId), 0, 'unsubscribed')

  eks.answer(operation.updateId, update(operation.updateId, 'Successful'))
  const second = replica(t, eks)
  await second.follower.start()
  const done = await ended(operation.id)
  t.equal(done.status, OperationStatus.SUCCEEDED, 'finished by the new follower')
  t.same(first.outcomeWrites, [], 'the closed follower wrote nothing')
  t.same(second.outcomeWrites, [operation.id])
})

t.test('two followers on one store: one follows the operation, the other leaves it alone', TEST_TIMEOUT, async t => {
  const replicas = [replica(t), replica(t)]
  const operation = await seedOperation(t)
  for (const { eks } of replicas) eks.answer(operation.updateId, update(operation.updateId, 'InProgress'))

  await Promise.all(replicas.map(({ follower }) => follower.start()))
  for (const { follower } of replicas) follower.follow(operation)
  await sleep(LEASE_MS * 2)

  const subscribers = replicas.map(({ watcher }) => watcher.subscriberCount(operation.cluster, operation.updateId))
  t.same([...subscribers].sort(), [0, 1], 'one subscriber, across sweeps and repeated follows')
  const holder = replicas[subscribers.indexOf(1)]
  const other = replicas[subscribers.indexOf(0)]
  t.equal(leaseOwnerOf(await get(operation.id)), holder.follower.owner, 'the follower that subscribed holds the lease')
  t.equal(other.eks.callsFor(operation.updateId), 0, 'the other never polled it')

  for (const { eks } of replicas) eks.answer(operation.updateId, update(operation.updateId, 'Successful'))
  t.equal((await ended(operation.id)).status, OperationStatus.SUCCEEDED)
  t.same(holder.outcomeWrites, [operation.id], 'one write')
  t.same(other.outcomeWrites, [], 'none from the other')
})

t.test('a final error (the update is gone: 404) fails the operation; a passing error does not', TEST_TIMEOUT, async t => {
  const { eks, follower, logged } = replica(t)
  const operation = await seedOperation(t)
  eks.answer(operation.updateId, awsError('ServiceUnavailableException', 503, 'try again'), update(operation.updateId, 'InProgress'))

  follower.follow(operation)
  await eventually(() => eks.callsFor(operation.updateId) >= 3 || undefined, WAIT_MS)
  t.equal((await get(operation.id)).status, OperationStatus.IN_PROGRESS, 'still followed after a 503')
  t.ok(logged.warn.some(msg => /still following/.test(msg)), 'the passing error was logged')

  eks.answer(operation.updateId, awsError('ResourceNotFoundException', 404, `No update found for ID: ${operation.updateId}.`))
  const done = await ended(operation.id)
  t.equal(done.status, OperationStatus.FAILED)
  t.same(done.error, { code: 'ResourceNotFoundException', message: `No update found for ID: ${operation.updateId}.` })
  t.equal(done.details.update, undefined, 'no update state to record')
})

t.test('replacements (details.steps) are never touched, by follow or by the sweep', TEST_TIMEOUT, async t => {
  const { eks, follower } = replica(t)
  const replacement = await seedOperation(t, { action: 'replaceIdentityProviderConfig', details: { steps: [{ name: 'disassociate', status: 'in_progress' }] } })
  const plain = await seedOperation(t)
  eks.answer(replacement.updateId, update(replacement.updateId, 'Successful'))
  eks.answer(plain.updateId, update(plain.updateId, 'Successful'))
  const before = await get(replacement.id)

  follower.follow(replacement)
  await follower.start()
  t.equal((await ended(plain.id)).status, OperationStatus.SUCCEEDED, 'the sweep ran and finished the plain operation')
  await sleep(LEASE_MS * 2)

  t.same(await get(replacement.id), before, 'the replacement is exactly as it was (no lease, no status)')
  t.equal(eks.callsFor(replacement.updateId), 0, 'its update was never polled')
})

t.test('follow ignores an operation the store does not show waiting on that update', TEST_TIMEOUT, async t => {
  const { eks, follower, logged } = replica(t)
  const finished = await seedOperation(t, { status: OperationStatus.SUCCEEDED })
  const other = await seedOperation(t)
  eks.answer(finished.updateId, update(finished.updateId, 'Failed'))
  eks.answer(other.updateId, update(other.updateId, 'Failed'))

  follower.follow(finished)
  follower.follow({ ...other, updateId: 'u-someone-elses' })
  await sleep(LEASE_MS)
  t.equal((await get(finished.id)).status, OperationStatus.SUCCEEDED, 'a finished operation stays finished')
  t.equal((await get(other.id)).details.lease, undefined, 'no lease taken on a mismatched update')
  t.equal(eks.callsFor(finished.updateId) + eks.callsFor('u-someone-elses'), 0, 'nothing polled')
  t.ok(logged.warn.some(msg => /another update/.test(msg)))
})

t.test('an operation whose account left the registry fails with that problem, instead of being retried for ever', TEST_TIMEOUT, async t => {
  const operation = await seedOperation(t, { accountId: '999999999999', region: 'eu-west-1' })
  const follower = new OperationFollower({
    operations: store.operations,
    watcherOf: (record) => { throw problem('AccountNotFound', { detail: `Account ${record.accountId} of the operation is no longer in the account registry.` }) },
    leaseMs: LEASE_MS,
    log: { debug () {}, info () {}, warn () {}, error () {} }
  })
  t.teardown(() => follower.close())
  follower.follow(operation)
  const record = await ended(operation.id)
  t.equal(record.status, OperationStatus.FAILED)
  t.same(record.error, { code: 'AccountNotFound', message: 'Account 999999999999 of the operation is no longer in the account registry.' })
})
