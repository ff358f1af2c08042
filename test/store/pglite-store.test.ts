import { randomUUID } from 'node:crypto'
import t from 'tap'
import { createStore } from '../../src/store/index.ts'
import type { Store } from '../../src/store/store.ts'
import { storeContract } from './store-contract.ts'

let store: Store
t.before(async () => { store = await createStore({ dataDir: 'memory://' }) })
t.teardown(() => store.close())

storeContract(t, 'in-memory PGlite', () => store)

t.test('a persisted data dir (with a schema) survives close and reopen', async (t) => {
  const dataDir = t.testdir()
  const id = randomUUID()
  const first = await createStore({ dataDir, schema: 'tenant_a' })
  t.equal(first.kind, 'pglite')
  await first.operations.create({ id, principal: 'alice', action: 'a', cluster: 'prod', now: new Date() })
  await first.close()

  const reopened = await createStore({ dataDir, schema: 'tenant_a' })
  t.teardown(() => reopened.close())
  t.same((await reopened.migrate()).applied, [], 'migrations are not re-applied')
  t.equal((await reopened.operations.get(id))?.principal, 'alice')
  t.equal(await store.operations.get(id), undefined, 'another database does not see it')
})

t.test('schema names are checked before anything is opened', async (t) => {
  await t.rejects(createStore({ schema: 'bad; drop' }), /invalid schema name/)
  await t.rejects(createStore({ schema: 'Upper' }), /invalid schema name/)
})
