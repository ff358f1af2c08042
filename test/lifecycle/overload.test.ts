/**
 * The overload guard sheds on real overload only. The pressure signal is injected (a fake load
 * monitor the test samples), except in the first test, where the process really is saturated and
 * the app samples itself as in production.
 */
import { performance } from 'node:perf_hooks'
import t, { type Test } from 'tap'
import { configVariables } from '../../src/config.ts'
import { LOAD_SAMPLE_INTERVAL_MS, processLoadMonitor } from '../../src/load/load-monitor.ts'
import { assertProblem, build } from '../support/build.ts'
import { fakeLoadMonitor } from '../support/fake-load.ts'
import { parseSamples, sampleValue } from '../observability/prometheus-text.ts'

interface LogLine { level: number, msg: string, err?: unknown, stack?: unknown }

const WARN = 40

function capturedLogs () {
  const lines: LogLine[] = []
  return { lines, logger: { level: 'info', stream: { write: (line: string) => { lines.push(JSON.parse(line)) } } } }
}

async function shedCount (base: string, reason: string) {
  const text = await (await fetch(`${base}/metrics`)).text()
  return sampleValue(parseSamples(text), 'http_requests_shed_total', { reason })
}

/** Keeps the event loop busy in 1 ms slices (each callback short, so timers stay on time) until stopped. */
function saturate () {
  let running = true
  const spin = () => {
    const until = performance.now() + 1
    while (performance.now() < until);
    if (running) setImmediate(spin)
  }
  setImmediate(spin)
  return { stop: () => { running = false } }
}

/** Resolves once the process has been sampled `count` times, as the app's own monitor samples it. */
function processSamples (t: Test, count: number) {
  const observer = processLoadMonitor(LOAD_SAMPLE_INTERVAL_MS)
  t.teardown(() => observer.stop())
  let seen = 0
  return new Promise<void>(resolve => observer.start(() => { if (++seen === count) resolve() }))
}

t.test('a saturated but fast instance (event loop busy all the time, callbacks on time) is not shed', async t => {
  const { app } = await build(t, { env: { MAX_EVENT_LOOP_DELAY_MS: String(configVariables.MAX_EVENT_LOOP_DELAY_MS.defaultValue) } })
  const base = await app.listen({ port: 0, host: '127.0.0.1' })

  const utilisationBefore = performance.eventLoopUtilization()
  const saturation = saturate()
  // Three samples of saturation: the guard has judged at least two of them when the requests arrive.
  await processSamples(t, 3)
  const statuses = await Promise.all(Array.from({ length: 20 }, () => fetch(`${base}/clusters`).then(r => r.status)))
  const readiness = (await fetch(`${base}/readyz`)).status
  const utilisation = performance.eventLoopUtilization(utilisationBefore).utilization
  saturation.stop()

  t.ok(utilisation > 0.98, `the event loop was saturated (utilisation ${utilisation.toFixed(3)}; the old guard shed above 0.98)`)
  t.same(statuses, Array(20).fill(200), 'every request during saturation answered 200')
  t.equal(readiness, 200, 'readiness is not failed by saturation')
  t.equal(await shedCount(base, 'event_loop_delay'), 0, 'nothing was shed')
})

t.test('real overload (p99 event-loop delay over the threshold two samples in a row) sheds with a counted, logged 503', async t => {
  const load = fakeLoadMonitor()
  const logs = capturedLogs()
  const { app, aws } = await build(t, { env: { MAX_EVENT_LOOP_DELAY_MS: '200' }, deps: { loadMonitor: load, logger: logs.logger } })
  const base = await app.listen({ port: 0, host: '127.0.0.1' })

  load.sample({ eventLoopDelayP99Ms: 900 })
  t.equal((await fetch(`${base}/clusters`)).status, 200, 'one sample over the threshold is a pause, not overload')
  load.sample({ eventLoopDelayP99Ms: 900 })
  const callsBefore = aws.calls.length

  const shed = await fetch(`${base}/clusters`)
  const shedBody = await shed.json()
  const body = assertProblem(t, { statusCode: shed.status, headers: Object.fromEntries(shed.headers), json: () => shedBody }, 503, 'ServiceOverloaded')
  t.match(body.detail, '(event loop delay is over its threshold); retry after the Retry-After delay')
  t.equal(shed.headers.get('retry-after'), '5')
  t.equal(aws.calls.length, callsBefore, 'no AWS call for a shed request')
  for (let i = 0; i < 9; i++) t.equal((await fetch(`${base}/clusters/demo/oidc-provider`)).status, 503)
  t.equal(await shedCount(base, 'event_loop_delay'), 10, 'every shed request is counted, by reason')

  load.sample({ eventLoopDelayP99Ms: 5 })
  t.equal((await fetch(`${base}/clusters`)).status, 200, 'served again at the first calm sample')

  const warnings = logs.lines.filter(line => line.level >= WARN && /overload/.test(line.msg))
  t.match(warnings, [
    { level: WARN, msg: /^overloaded \(event_loop_delay 900 over 200\)/, overload: { reason: 'event_loop_delay', value: 900, threshold: 200 } },
    { level: WARN, msg: 'no longer overloaded; 10 requests were shed', shed: 10 }
  ], 'one warning when shedding starts and one when it ends, however many requests were shed')
  t.equal(warnings.length, 2)
  t.notOk(logs.lines.some(line => line.level > WARN), 'no error lines')
  t.notOk(logs.lines.some(line => line.err !== undefined || line.stack !== undefined), 'no stack trace')
})

t.test('probes answer during overload, never shed', async t => {
  const load = fakeLoadMonitor()
  const { app } = await build(t, { env: { MAX_EVENT_LOOP_DELAY_MS: '200' }, deps: { loadMonitor: load } })
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  load.sample({ eventLoopDelayP99Ms: 5000 }, 2)
  t.equal((await fetch(`${base}/clusters`)).status, 503, 'the API is shed')

  t.equal((await fetch(`${base}/healthz`)).status, 200, 'liveness answers')
  const metrics = await fetch(`${base}/metrics`)
  t.equal(metrics.status, 200, '/metrics answers')
  t.match(await metrics.text(), 'http_requests_shed_total{reason="event_loop_delay"} 1')
  const readiness = await fetch(`${base}/readyz`)
  t.equal(readiness.status, 503, 'readiness answers, reporting the overload')
  t.match(await readiness.json(), { status: 'not-ready', checks: { load: 'overloaded' } })
})

t.test('memory thresholds: the heap or the RSS over its limit sheds too, and 0 turns a check off', async t => {
  const load = fakeLoadMonitor()
  const { app } = await build(t, { env: { MAX_HEAP_BYTES: String(100 * 1024 ** 2), MAX_RSS_BYTES: '0' }, deps: { loadMonitor: load } })
  load.sample({ heapUsedBytes: 200 * 1024 ** 2, rssBytes: 10 * 1024 ** 3, eventLoopDelayP99Ms: 60_000 }, 2)
  const shed = await app.inject({ method: 'GET', url: '/clusters' })
  const body = assertProblem(t, shed, 503, 'ServiceOverloaded')
  t.match(body.detail, /heap is over its threshold/, 'the event-loop check is off (the test default), the RSS check is off (0)')
  load.sample({ heapUsedBytes: 50 * 1024 ** 2 })
  t.equal((await app.inject({ method: 'GET', url: '/clusters' })).statusCode, 200)
})
