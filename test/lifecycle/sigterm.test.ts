/**
 * The real server process under load receives SIGTERM: requests accepted before the signal all
 * succeed, later ones get a 503 problem or a refused connection, and the process exits 0 within
 * SHUTDOWN_DELAY_MS. AWS is a loopback HTTP server that answers ListClusters after 300 ms, so
 * requests are in flight when the signal arrives.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { Client, request } from 'undici'
import { freePort } from '../support/free-port.ts'

const UPSTREAM_DELAY_MS = 300
const SHUTDOWN_DELAY_MS = 5000
const WORKERS = 20
/** The signal comes this long into a round of requests, once two rounds have completed. */
const SIGNAL_INTO_ROUND_MS = 100
const RUN_FOR_MS = 4000
/** A request sent this long before the signal has certainly reached the server before it. */
const ARRIVAL_MARGIN_MS = 50

async function listen (server: Server) {
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return (server.address() as AddressInfo).port
}

interface Outcome { startedAt: number, status?: number, contentType?: string, connection?: string, error?: string }

t.test('SIGTERM under load: no accepted request fails, later ones get 503 or a refused connection, exit 0', async t => {
  let upstreamCalls = 0
  const upstream = createServer((request, response) => {
    upstreamCalls++
    setTimeout(() => {
      response.writeHead(request.url?.startsWith('/clusters') ? 200 : 404, { 'content-type': 'application/json' })
      response.end(JSON.stringify({ clusters: ['alpha', 'beta'] }))
    }, UPSTREAM_DELAY_MS)
  })
  const upstreamUrl = `http://127.0.0.1:${await listen(upstream)}`
  t.teardown(() => { upstream.closeAllConnections(); upstream.close() })

  const port = await freePort()
  const child = spawn(process.execPath, [new URL('../../src/server.ts', import.meta.url).pathname], {
    env: {
      PATH: process.env.PATH,
      PORT: String(port),
      HOST: '127.0.0.1',
      AUTH_MODE: 'none',
      DATA_DIR: 'memory://',
      LOG_LEVEL: 'warn',
      SHUTDOWN_DELAY_MS: String(SHUTDOWN_DELAY_MS),
      MAX_EVENT_LOOP_DELAY_MS: '0',
      AWS_ENDPOINT_URL_EKS: upstreamUrl,
      AWS_ENDPOINT_URL_IAM: upstreamUrl,
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'example-secret',
      AWS_EC2_METADATA_DISABLED: 'true'
    },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  child.stdout.on('data', chunk => { output += chunk })
  child.stderr.on('data', chunk => { output += chunk })
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })

  const origin = `http://127.0.0.1:${port}`
  // Starting takes a few seconds on an idle machine (the embedded store), much longer on a busy one.
  const startDeadline = Date.now() + 90_000
  for (;;) {
    const up = await request(`${origin}/healthz`).then(r => r.body.dump().then(() => r.statusCode), () => 0)
    if (up === 200) break
    if (Date.now() > startDeadline) throw new Error(`server did not start:\n${output}`)
    await sleep(100)
  }

  // One keep-alive connection per worker, opened before the signal. A worker stops once its
  // connection is closed (a `Connection: close` answer), so every request below travels on a
  // connection the server accepted before SIGTERM.
  const started = performance.now()
  let signalAt = Infinity
  const outcomes: Outcome[] = []
  const worker = async () => {
    const client = new Client(origin, { headersTimeout: 10_000, bodyTimeout: 10_000 })
    try {
      while (performance.now() - started < RUN_FOR_MS) {
        const outcome: Outcome = { startedAt: performance.now() }
        outcomes.push(outcome)
        try {
          const response = await client.request({ method: 'GET', path: '/clusters' })
          outcome.status = response.statusCode
          outcome.contentType = String(response.headers['content-type'])
          outcome.connection = String(response.headers.connection)
          await response.body.dump()
        } catch (error) {
          outcome.error = (error as { code?: string }).code ?? String(error)
        }
        if (outcome.error || outcome.connection === 'close') return
      }
    } finally {
      await client.close()
    }
  }
  const load = Promise.all(Array.from({ length: WORKERS }, worker))
  // Idle keep-alive connections, opened before the signal and used again during the drain.
  const idle = Array.from({ length: 3 }, () => new Client(origin))
  t.teardown(() => Promise.all(idle.map(c => c.destroy())))
  for (const client of idle) await (await client.request({ method: 'GET', path: '/healthz' })).body.dump()
  while (outcomes.filter(o => o.status === 200).length < WORKERS * 2) {
    if (performance.now() - started > RUN_FOR_MS / 2) throw new Error(`too slow to warm up:\n${output}`)
    await sleep(10)
  }
  await sleep(SIGNAL_INTO_ROUND_MS)
  signalAt = performance.now()
  child.kill('SIGTERM')
  await sleep(UPSTREAM_DELAY_MS / 3)
  const lateOnIdle = await Promise.all(idle.map(async client => {
    const outcome: Outcome = { startedAt: performance.now() }
    try {
      const response = await client.request({ method: 'GET', path: '/clusters' })
      Object.assign(outcome, { status: response.statusCode, contentType: String(response.headers['content-type']), connection: String(response.headers.connection) })
      await response.body.dump()
    } catch (error) {
      outcome.error = (error as { code?: string }).code ?? String(error)
    }
    return outcome
  }))
  const [code, signal] = await exited
  const exitAfterMs = performance.now() - signalAt
  await load

  t.equal(code, 0, `exit code 0 (${signal ?? 'no signal'})\n${output}`)
  t.ok(exitAfterMs < SHUTDOWN_DELAY_MS, `exited ${Math.round(exitAfterMs)} ms after SIGTERM, within ${SHUTDOWN_DELAY_MS} ms`)

  const before = outcomes.filter(o => o.startedAt < signalAt - ARRIVAL_MARGIN_MS)
  const after = outcomes.filter(o => o.startedAt > signalAt)
  const inFlightAtSignal = before.filter(o => o.startedAt > signalAt - UPSTREAM_DELAY_MS)
  t.ok(before.length >= WORKERS * 2, `${before.length} requests before the signal`)
  t.ok(inFlightAtSignal.length >= WORKERS / 2, `${inFlightAtSignal.length} were in flight when the signal came`)
  t.same(before.filter(o => o.status !== 200), [], 'every request sent before the signal succeeded')
  t.same(outcomes.filter(o => o.error), [], 'no connection accepted before the signal was reset')
  const isProblem = (o: Outcome) => o.status === 503 && /^application\/problem\+json/.test(o.contentType ?? '') && o.connection === 'close'
  // A request sent right after kill() may still be served normally: the child handles the signal a little later.
  t.same(after.filter(o => !(isProblem(o) || o.status === 200)), [], 'after the signal: 503 problem with Connection: close (or 200 before the signal is handled)')
  t.same(lateOnIdle.filter(o => !isProblem(o)), [], 'requests sent during shutdown on idle keep-alive connections got a 503 problem with Connection: close')
  t.same(inFlightAtSignal.filter(o => !(o.status === 200 && o.connection === 'close')), [], 'requests in flight at the signal finished with Connection: close')
  const refused = await request(`${origin}/healthz`).then(() => 'answered', (error: { code?: string }) => error.code)
  t.equal(refused, 'ECONNREFUSED', 'the listener is closed')
  t.ok(upstreamCalls >= before.length, 'requests reached AWS')
})
