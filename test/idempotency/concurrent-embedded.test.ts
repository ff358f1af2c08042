/**
 * Exactly once under concurrency on the default embedded store: one service process on SQLite gets
 * 50 identical associate requests with one Idempotency-Key at once (see exactly-once.ts).
 */
import t from 'tap'
import { assertExactlyOnce, burst, slowEmulator } from './exactly-once.ts'
import { embeddedStoreEnv, idempotencyKey, startServiceProcess } from './processes.ts'

t.test('one process on the embedded SQLite store: 50 concurrent identical POSTs, one key, one EKS call', async (t) => {
  const emulator = await slowEmulator(t)
  const service = await startServiceProcess(t, emulator.url, embeddedStoreEnv(t))
  assertExactlyOnce(t, await burst([service.url], idempotencyKey()), emulator)
})
