import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { assertProblem, build } from '../support/build.ts'

/** under-pressure samples the process once a second; wait for the first sample. */
const FIRST_SAMPLE_MS = 1200

t.test('over a threshold, requests get a 503 problem with Retry-After; probes still answer', async t => {
  const { app, aws } = await build(t, { env: { MAX_HEAP_BYTES: '1' } })
  await sleep(FIRST_SAMPLE_MS)
  const shed = await app.inject({ method: 'GET', url: '/clusters' })
  const body = assertProblem(t, shed, 503, 'ServiceOverloaded')
  t.equal(shed.headers['retry-after'], '5')
  t.match(body.detail, /heapUsedBytes/)
  t.equal(aws.calls.length, 0, 'no AWS call for a shed request')

  t.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200, 'liveness answers')
  const readiness = await app.inject({ method: 'GET', url: '/readyz' })
  t.equal(readiness.statusCode, 503, 'readiness reports the overload')
  t.match(readiness.json(), { status: 'not-ready', checks: { load: 'overloaded' } })
})

t.test('under the thresholds nothing is shed', async t => {
  const { app } = await build(t, { env: { MAX_HEAP_BYTES: String(64 * 1024 ** 3), MAX_RSS_BYTES: String(64 * 1024 ** 3) } })
  await sleep(FIRST_SAMPLE_MS)
  t.equal((await app.inject({ method: 'GET', url: '/clusters' })).statusCode, 200)
  t.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200)
})
