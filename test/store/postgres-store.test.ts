import t from 'tap'
import { createStore } from '../../src/store/index.ts'
import { migrations } from '../../src/store/migrations.ts'
import { openPostgresStore } from '../../src/store/postgres-store.ts'
import type { Store } from '../../src/store/store.ts'
import { dropSchema, freshSchemaName, requirePostgres, testDatabaseUrl } from './postgres.ts'
import { storeContract } from './store-contract.ts'

if (await requirePostgres(t)) {
  const schema = freshSchemaName('store')
  let store: Store
  t.before(async () => { store = await createStore({ databaseUrl: testDatabaseUrl, schema }) })
  t.teardown(async () => {
    await store.close()
    await dropSchema(schema)
  })

  t.test('the factory picks PostgreSQL for a DATABASE_URL', async (t) => {
    t.equal(store.kind, 'postgres')
  })

  storeContract(t, 'PostgreSQL', () => store)

  t.test('three processes migrating one fresh schema at once: one applies, none fails', async (t) => {
    const racing = freshSchemaName('race')
    t.teardown(() => dropSchema(racing))
    const stores = await Promise.all([1, 2, 3].map(() => openPostgresStore({ databaseUrl: testDatabaseUrl, schema: racing })))
    t.teardown(() => Promise.all(stores.map((s) => s.close())))
    const results = await Promise.all(stores.map((s) => s.migrate()))
    const latest = Math.max(...migrations.map((m) => m.version))
    t.same(results.map((r) => r.applied.length).sort(), [0, 0, migrations.length])
    t.same(results.map((r) => r.current), [latest, latest, latest])
  })

  t.test('two pools on one schema see each other: a claim race across replicas has one winner', async (t) => {
    const other = await openPostgresStore({ databaseUrl: testDatabaseUrl, schema })
    t.teardown(() => other.close())
    const now = new Date()
    const ref = { scope: 'replicas', method: 'POST', route: '/r', key: 'k-' + now.getTime() }
    const input = (owner: string) => ({
      ...ref,
      fingerprint: 'f',
      leaseOwner: owner,
      now,
      leaseUntil: new Date(now.getTime() + 60_000),
      expiresAt: new Date(now.getTime() + 86_400_000),
      operationId: crypto.randomUUID()
    })
    const results = await Promise.all(Array.from({ length: 24 }, (_, i) =>
      (i % 2 === 0 ? store : other).idempotency.claim(input(`owner-${i}`))))
    t.equal(results.filter((r) => r.outcome === 'claimed').length, 1)
  })
}
