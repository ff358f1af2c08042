/**
 * Exactly once across replicas: three service processes sharing one PostgreSQL schema get 50
 * identical associate requests with one Idempotency-Key at once, spread over all three
 * (see exactly-once.ts). Under CI=true PostgreSQL must be there; elsewhere the test skips without it.
 */
import t from 'tap'
import { requirePostgres } from '../store/postgres.ts'
import { assertExactlyOnce, burst, slowEmulator } from './exactly-once.ts'
import { createTestSchema, idempotencyKey, startServiceProcess } from './processes.ts'

t.test('three processes sharing one PostgreSQL: 50 concurrent identical POSTs, one key, one EKS call', async (t) => {
  if (!await requirePostgres(t)) return
  const emulator = await slowEmulator(t)
  const schema = await createTestSchema(t, 'multiproc')
  // Started together: their migrations of the empty schema race, and one applies them.
  const services = await Promise.all([1, 2, 3].map(() => startServiceProcess(t, emulator.url, { DATABASE_URL: schema.databaseUrl })))

  const key = idempotencyKey()
  assertExactlyOnce(t, await burst(services.map((s) => s.url), key), emulator)

  const records = await schema.query('SELECT state, idempotency_key FROM idempotency_records')
  t.same(records, [{ state: 'completed', idempotency_key: key }], 'the shared schema holds the one completed record')
})
