/**
 * The store side of multi-step operations, on the embedded SQLite store and on PostgreSQL (two pools, as two
 * replicas): one unfinished replacement per cluster and config, leases, fenced writes.
 */
import { randomUUID } from 'node:crypto'
import t, { type Test } from 'tap'
import { REPLACE_ACTION } from '../../src/replace/plan.ts'
import { createStore, OperationStatus, type Store } from '../../src/store/index.ts'
import { testStore } from '../support/build.ts'
import { dropSchema, freshSchemaName, requirePostgres, testDatabaseUrl } from '../store/postgres.ts'

const lease = (owner: string, ms = 60_000) => ({ owner, now: new Date(), until: new Date(Date.now() + ms) })

function contract (t: Test, name: string, stores: () => [Store, Store]) {
  t.test(`${name}: of concurrent starts for one config exactly one wins; leases and fenced writes`, async t => {
    const [one, two] = stores()
    const cluster = `c-${randomUUID().slice(0, 8)}`
    const now = new Date()
    const ids = Array.from({ length: 6 }, () => randomUUID())
    for (const id of ids) await one.operations.create({ id, principal: 'test', action: REPLACE_ACTION, cluster, resource: 'corp', now })
    const results = await Promise.all(ids.map((id, i) => (i % 2 ? two : one).operations.startExclusive(id, {
      action: REPLACE_ACTION, cluster, resource: 'corp', details: { steps: [] }, lease: lease(id)
    })))
    const winners = results.filter(r => r.started)
    t.equal(winners.length, 1, 'exactly one of six concurrent starts wins')
    const winner = winners[0].started!.id
    t.ok(results.every(r => r.started || r.running?.id === winner), 'the others are told which one runs')
    t.same((await two.operations.listUnfinished({ action: REPLACE_ACTION, cluster })).map(op => op.id), [winner], 'the losers never started')

    t.ok(await one.operations.acquireLease(winner, lease(winner)), 'the holder renews')
    t.notOk(await two.operations.acquireLease(winner, lease('intruder')), 'another owner is refused while the lease lives')
    t.notOk(await two.operations.update(winner, { details: { steps: ['x'] }, leaseOwner: 'intruder', now }), 'writes fenced by another owner are refused')
    t.ok(await one.operations.update(winner, { details: { note: 'ok' }, leaseOwner: winner, now }), 'the holder writes')
    t.ok(await one.operations.acquireLease(winner, lease(winner, -1)), 'the holder lets it expire')
    t.ok(await two.operations.acquireLease(winner, lease('successor')), 'an expired lease is taken over')
    t.notOk(await one.operations.releaseLease(winner, winner), 'the former holder cannot release it')
    t.ok(await two.operations.releaseLease(winner, 'successor'))
    t.notOk((await one.operations.get(winner))?.details.lease, 'released')
    await one.operations.update(winner, { status: OperationStatus.SUCCEEDED, now })
    t.notOk(await two.operations.acquireLease(winner, lease('late')), 'a finished operation takes no lease')
    t.same(await one.operations.listUnfinished({ action: REPLACE_ACTION, cluster }), [], 'nothing unfinished')
  })
}

let embedded: Store
t.before(async () => { embedded = await testStore() })
contract(t, 'SQLite', () => [embedded, embedded])

if (await requirePostgres(t)) {
  const schema = freshSchemaName('leases')
  let a: Store
  let b: Store
  t.before(async () => {
    a = await createStore({ databaseUrl: testDatabaseUrl, schema })
    b = await createStore({ databaseUrl: testDatabaseUrl, schema })
  })
  t.teardown(async () => {
    await a.close()
    await b.close()
    await dropSchema(schema)
  })
  contract(t, 'PostgreSQL', () => [a, b])
}
