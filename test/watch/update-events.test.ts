import { randomUUID } from 'node:crypto'
import type { Test } from 'tap'
import t from 'tap'
import { fetch } from 'undici'
import { build } from '../support/build.ts'
import { eventually } from '../support/eventually.ts'
import { FakeTimers } from './fake-timers.ts'
import { openEventStream } from './sse-client.ts'

/** Far beyond every poll interval and heartbeat: any timer still set would fire. */
const A_LONG_TIME_MS = 10_000

const OIDC = { identityProviderConfigName: 'corp', issuerUrl: 'https://idp.example.com', clientId: 'kubernetes' }

/**
 * The app on a loopback port, its update watching on a hand-driven clock (polls every 20–40 ms and
 * heartbeats every 50 ms of that clock), and one association in progress.
 * The association is made on the AWS side directly: one made through the service would have its
 * operation followed to the end, and these tests count the polls that watchers alone cause.
 */
async function serve (t: Test, env: Record<string, string> = {}) {
  const timers = new FakeTimers()
  const { app, aws } = await build(t, { env: { WATCH_POLL_INTERVAL_MS: '20', WATCH_MAX_POLL_INTERVAL_MS: '40', WATCH_HEARTBEAT_MS: '50', ...env }, deps: { watchTimers: timers } })
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  const associated = await aws.eks.associateIdentityProviderConfig({ clusterName: 'demo', oidc: OIDC, clientRequestToken: `eks-oidc-api-${randomUUID()}` })
  const updateId = associated.update!.id!
  const describeCalls = () => aws.operations().filter(op => op === 'DescribeUpdate').length
  const watches = () => app.services.scopes.default.updates.watcher.watchCount
  /** Resolves once no watch loop is left (the server saw the client go). */
  const unwatched = () => eventually(() => watches() === 0 ? true : undefined)
  return { app, aws, timers, updateId, url: `${base}/clusters/demo/updates/${updateId}`, describeCalls, watches, unwatched }
}

t.test('events InProgress → Successful, then end, then the stream closes', async t => {
  const { aws, timers, updateId, url } = await serve(t)
  const stream = await openEventStream(url)

  t.equal(stream.response.status, 200)
  t.match(stream.response.headers.get('content-type'), /^text\/event-stream/)
  t.match(stream.response.headers.get('cache-control'), /no-cache/)
  t.ok(stream.response.headers.get('x-request-id'), 'the hooks\' headers are kept')
  t.same(await stream.next(), { retry: '20' }, 'reconnection advice first')

  const first = await stream.nextEvent()
  t.match(first, { event: 'update', id: '1' })
  t.match(JSON.parse(first!.data!), { update: { id: updateId, status: 'InProgress', type: 'AssociateIdentityProviderConfig', createdAt: /^\d{4}-/ } })

  await timers.advance(200)
  aws.completeUpdate(updateId, 'Successful')
  await timers.advance(40)

  const second = await stream.nextEvent()
  t.match(second, { event: 'update', id: '2' })
  t.match(JSON.parse(second!.data!), { update: { id: updateId, status: 'Successful' } })
  t.ok(stream.comments() >= 1, `heartbeat comments while nothing changed (${stream.comments()})`)

  const end = await stream.nextEvent()
  t.match(end, { event: 'end', id: '3' })
  t.match(JSON.parse(end!.data!), { reason: 'terminal' })
  t.equal(await stream.next(), null, 'the server closed the stream')
})

t.test('a client abort stops the upstream polling', async t => {
  const { url, timers, describeCalls, unwatched, app } = await serve(t)
  const controller = new AbortController()
  const stream = await openEventStream(url, controller.signal)
  t.match(await stream.nextEvent(), { event: 'update' })

  const before = describeCalls()
  await timers.advance(200)
  t.ok(describeCalls() > before, 'polling while the client listens')

  controller.abort()
  await unwatched()
  const afterAbort = describeCalls()
  await timers.advance(A_LONG_TIME_MS)
  t.equal(describeCalls(), afterAbort, 'no DescribeUpdate after the client left')

  // the server is still healthy and answers a new watcher
  const res = await app.inject({ method: 'GET', url: new URL(url).pathname })
  t.equal(res.statusCode, 200)
})

t.test('a long-poll client abort stops the upstream polling too', async t => {
  const { url, timers, describeCalls, watches, unwatched } = await serve(t)
  const controller = new AbortController()
  const answer = fetch(`${url}?wait=30`, { signal: controller.signal })
  await eventually(() => watches() === 1 ? true : undefined)
  await timers.advance(200)
  t.ok(describeCalls() > 1, 'polling while the client waits')
  controller.abort()
  await t.rejects(answer)
  await unwatched()
  const afterAbort = describeCalls()
  await timers.advance(A_LONG_TIME_MS)
  t.equal(describeCalls(), afterAbort, 'no DescribeUpdate after the client left')
})

t.test('the stream ends after WATCH_MAX_SECONDS with an event saying so', async t => {
  const { url, timers, watches } = await serve(t, { WATCH_MAX_SECONDS: '1' })
  const stream = await openEventStream(url)
  t.match(await stream.nextEvent(), { event: 'update' })
  await timers.advance(999)
  t.equal(watches(), 1, 'still streaming 1 ms before the maximum duration')
  await timers.advance(1)
  const end = await stream.nextEvent()
  t.match(end, { event: 'end' })
  t.match(JSON.parse(end!.data!), { reason: 'max-duration', detail: /reconnect/ })
  t.equal(await stream.next(), null)
  t.equal(watches(), 0, 'the stream let go of the watch')
})

t.test('an unknown update is a 404 problem, not a stream', async t => {
  const { url, timers, describeCalls, watches } = await serve(t)
  const unknown = url.replace(/[^/]+$/, '00000000-0000-0000-0000-000000000000')
  const res = await fetch(unknown, { headers: { accept: 'text/event-stream' } })
  t.equal(res.status, 404)
  t.match(res.headers.get('content-type'), /^application\/problem\+json/)
  t.match(await res.json(), { code: 'ResourceNotFoundException', status: 404 })
  t.equal(watches(), 0, 'no watch loop left')
  const calls = describeCalls()
  await timers.advance(A_LONG_TIME_MS)
  t.equal(describeCalls(), calls, 'nothing left polling')
})

t.test('a failed poll becomes an error event and the stream goes on', async t => {
  const { aws, timers, updateId, url } = await serve(t)
  const stream = await openEventStream(url)
  t.match(await stream.nextEvent(), { event: 'update' })

  const describe = aws.eks.describeUpdate
  let failures = 1
  aws.eks.describeUpdate = async (input) => {
    if (failures-- > 0) throw Object.assign(new Error('Service unavailable'), { name: 'ServiceUnavailableException', $metadata: { httpStatusCode: 503 } })
    return describe(input)
  }
  await timers.advance(40)
  const error = await stream.nextEvent()
  t.match(error, { event: 'error' })
  t.match(JSON.parse(error!.data!), { status: 503, code: 'ServiceUnavailableException', type: /^https:\/\//, requestId: String, instance: new URL(url).pathname })

  aws.completeUpdate(updateId, 'Cancelled')
  await timers.advance(100)
  t.match(JSON.parse((await stream.nextEvent())!.data!), { update: { status: 'Cancelled' } })
  t.match(JSON.parse((await stream.nextEvent())!.data!), { reason: 'terminal' })
})

t.test('closing the app ends open streams with a shutdown event', async t => {
  const { app, url } = await serve(t)
  const stream = await openEventStream(url)
  t.match(await stream.nextEvent(), { event: 'update' })

  const closing = app.close()
  const end = await stream.nextEvent()
  t.match(JSON.parse(end!.data!), { reason: 'shutdown' })
  t.equal(await stream.next(), null)
  await closing
  t.pass('the app closed with a stream open')
})
