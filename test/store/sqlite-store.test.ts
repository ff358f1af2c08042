import { randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { createStore } from '../../src/store/index.ts'
import { DATABASE_FILE } from '../../src/store/sqlite-store.ts'
import type { Store } from '../../src/store/store.ts'
import { storeContract } from './store-contract.ts'

let store: Store
let persisted: Store
const persistedDir = join(t.testdir(), 'created', 'on', 'open')
t.before(async () => {
  store = await createStore({ dataDir: 'memory://' })
  persisted = await createStore({ dataDir: persistedDir })
})
t.teardown(async () => {
  await store.close()
  await persisted.close()
})

storeContract(t, 'in-memory SQLite', () => store)
storeContract(t, 'SQLite in a file', () => persisted)

t.test('a data directory is created on open, holding the database file', async (t) => {
  t.equal(persisted.kind, 'sqlite')
  t.ok(existsSync(join(persistedDir, DATABASE_FILE)), DATABASE_FILE)
})

t.test('a data directory survives close and reopen', async (t) => {
  const dataDir = t.testdir()
  const id = randomUUID()
  const first = await createStore({ dataDir })
  await first.operations.create({ id, principal: 'alice', action: 'a', cluster: 'prod', details: { steps: [1] }, now: new Date() })
  await first.close()

  const reopened = await createStore({ dataDir })
  t.teardown(() => reopened.close())
  t.same((await reopened.migrate()).applied, [], 'migrations are not re-applied')
  t.match(await reopened.operations.get(id), { principal: 'alice', details: { steps: [1] } })
  t.equal(await store.operations.get(id), undefined, 'another database does not see it')
})

t.test('one process at a time: a second store on the same directory is refused while the first is open', async (t) => {
  const dataDir = t.testdir()
  const first = await createStore({ dataDir })
  await t.rejects(createStore({ dataDir }), /in use by another process: it serves one process only \(use DATABASE_URL/)
  await first.close()
  const next = await createStore({ dataDir })
  t.teardown(() => next.close())
  await t.resolves(next.ping(), 'free again once the first has closed')
})

t.test('details merge shallowly, as PostgreSQL\'s jsonb || does: nested objects are replaced, nulls kept', async (t) => {
  const id = randomUUID()
  await store.operations.create({ id, principal: 'p', action: 'a', cluster: 'c', details: { plan: { a: 1, b: 2 }, keep: 'x' }, now: new Date() })
  const updated = await store.operations.update(id, { details: { plan: { c: 3 }, gone: null }, now: new Date() })
  t.same(updated?.details, { plan: { c: 3 }, keep: 'x', gone: null })
})

t.test('operation ids match whatever their case, as PostgreSQL\'s uuid type does', async (t) => {
  const id = randomUUID()
  await store.operations.create({ id, principal: 'p', action: 'a', cluster: 'c', now: new Date() })
  t.equal((await store.operations.get(id.toUpperCase()))?.id, id)
})
