import { randomUUID } from 'node:crypto'
import t from 'tap'
import { createStore } from '../../src/store/index.ts'
import type { Store } from '../../src/store/store.ts'
import { storeContract } from './store-contract.ts'

let store: Store
t.before(async () => { store = await createStore({ dataDir: 'memory://' }) })
t.teardown(() => store.close())

storeContract(t, 'in-memory PGlite', () => store)

t.test('a persisted data dir survives close and reopen', async (t) => {
  const dataDir = t.testdir()
  const id = randomUUID()
  const first = await createStore({ dataDir })
  t.equal(first.kind, 'pglite')
  await first.operations.create({ id, principal: 'alice', action: 'a', cluster: 'prod', now: new Date() })
  await first.close()

  const reopened = await createStore({ dataDir })
  t.teardown(() => reopened.close())
  t.same((await reopened.migrate()).applied, [], 'migrations are not re-applied')
  t.equal((await reopened.operations.get(id))?.principal, 'alice')
})

t.test('a schema option keeps data apart inside one PGlite', async (t) => {
  const scoped = await createStore({ schema: 'tenant_a' })
  t.teardown(() => scoped.close())
  const id = randomUUID()
  await scoped.operations.create({ id, principal: 'p', action: 'a', cluster: 'c', now: new Date() })
  t.ok(await scoped.operations.get(id))
  await t.rejects(createStore({ schema: 'bad; drop' }), /invalid schema name/)
})
