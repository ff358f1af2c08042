import type { Update, UpdateStatus } from '@aws-sdk/client-eks'
import t from 'tap'
import { openUpdateEventStream } from '../../src/watch/update-event-stream.ts'
import { UpdateWatcher } from '../../src/watch/update-watcher.ts'
import { waitForUpdate } from '../../src/watch/wait-for-update.ts'
import { awsError } from '../support/fake-aws.ts'
import { FakeTimers } from './fake-timers.ts'

/** A watcher whose DescribeUpdate answers are scripted: each call takes the next step. */
function scripted (steps: Array<{ afterMs?: number, status?: UpdateStatus, error?: Error }>) {
  const timers = new FakeTimers()
  let calls = 0
  const watcher = new UpdateWatcher({
    initialIntervalMs: 100,
    maxIntervalMs: 100,
    timers,
    describeUpdate: () => {
      const step = steps[Math.min(calls++, steps.length - 1)]
      return new Promise<Update>((resolve, reject) => {
        timers.setTimeout(() => step.error ? reject(step.error) : resolve({ id: 'u-1', status: step.status }), step.afterMs ?? 0)
      })
    }
  })
  return { timers, watcher, calls: () => calls }
}

const throttled = () => awsError('ThrottlingException', 429, 'Rate exceeded')

t.test('waitForUpdate', async t => {
  t.test('a deadline before the first answer is settled by that answer', async t => {
    const { timers, watcher } = scripted([{ afterMs: 500, status: 'InProgress' }])
    let result: unknown
    waitForUpdate(watcher, 'demo', 'u-1', { waitMs: 100, timers }).then(r => { result = r })
    await timers.advance(200)
    t.equal(result, undefined, 'nothing to answer yet')
    await timers.advance(300)
    t.match(result, { terminal: false, update: { status: 'InProgress' }, retryAfterSeconds: 1 })
    t.equal(watcher.watchCount, 0, 'unsubscribed')
  })

  t.test('a deadline after failed polls only rejects with the last error', async t => {
    const { timers, watcher } = scripted([{ error: throttled() }])
    const waiting = waitForUpdate(watcher, 'demo', 'u-1', { waitMs: 1000, timers })
    const expectation = t.rejects(waiting, { name: 'ThrottlingException', status: 503, slug: 'upstream-throttled' })
    await timers.advance(1000)
    await expectation
    t.equal(watcher.watchCount, 0)
  })

  t.test('a transient error after the first state does not end the wait', async t => {
    const { timers, watcher } = scripted([{ status: 'InProgress' }, { error: throttled() }, { status: 'Successful' }])
    const waiting = waitForUpdate(watcher, 'demo', 'u-1', { waitMs: 10_000, timers })
    await timers.advance(1000)
    t.match(await waiting, { terminal: true, update: { status: 'Successful' } })
  })

  t.test('an abort rejects with its reason and unsubscribes', async t => {
    const { timers, watcher } = scripted([{ status: 'InProgress' }])
    const controller = new AbortController()
    const waiting = waitForUpdate(watcher, 'demo', 'u-1', { waitMs: 10_000, timers, signal: controller.signal })
    await timers.advance(150)
    controller.abort(new Error('gone'))
    await t.rejects(waiting, { message: 'gone' })
    t.equal(watcher.watchCount, 0)
    t.equal(timers.pendingCount, 0, 'deadline and poll timers cleared')
    await t.rejects(waitForUpdate(watcher, 'demo', 'u-1', { waitMs: 1, timers, signal: controller.signal }), { message: 'gone' }, 'an aborted signal rejects at once')
  })

  t.test('a shutdown answers the latest state, or 503 when there is none', async t => {
    const { timers, watcher } = scripted([{ status: 'InProgress' }])
    const withState = waitForUpdate(watcher, 'demo', 'u-1', { waitMs: 10_000, timers })
    await timers.advance(0)
    watcher.close()
    t.match(await withState, { terminal: false, update: { status: 'InProgress' } })
    await t.rejects(waitForUpdate(watcher, 'demo', 'u-1', { waitMs: 10_000, timers }), { name: 'ServiceShuttingDown', status: 503 })
  })
})

t.test('openUpdateEventStream', async t => {
  const options = (timers: FakeTimers) => ({ heartbeatMs: 50, maxDurationMs: 10_000, retryMs: 100, timers, problem: (e: { code: string }) => ({ code: e.code }) })
  const read = (stream: NodeJS.ReadableStream) => {
    const chunks: string[] = []
    stream.on('data', chunk => chunks.push(String(chunk)))
    return chunks
  }

  t.test('a failed first poll refuses the stream with that error', async t => {
    const { timers, watcher } = scripted([{ error: throttled() }])
    const refused = t.rejects(openUpdateEventStream(watcher, 'demo', 'u-1', options(timers)), { name: 'ThrottlingException', status: 503, slug: 'upstream-throttled' })
    await timers.advance(0)
    await refused
    t.equal(watcher.watchCount, 0)
  })

  t.test('heartbeats while the state holds, error events on failed polls, numbered events', async t => {
    const { timers, watcher } = scripted([{ status: 'InProgress' }, { error: throttled() }, { status: 'InProgress' }])
    const opening = openUpdateEventStream(watcher, 'demo', 'u-1', options(timers))
    await timers.advance(0)
    const stream = await opening
    const chunks = read(stream)
    await timers.advance(120)
    const text = chunks.join('')
    t.match(text, /^retry: 100\n\nevent: update\nid: 1\ndata: \{"update":\{"id":"u-1","status":"InProgress"\}\}\n\n/)
    t.match(text, /event: error\nid: 2\ndata: \{"code":"ThrottlingException"\}\n\n/)
    t.equal(text.match(/^: heartbeat$/gm)?.length, 2, 'a heartbeat every 50 ms')
    stream.destroy()
    await timers.advance(0)
    t.equal(watcher.watchCount, 0, 'destroying the stream unsubscribes')
    t.equal(timers.pendingCount, 0)
  })

  t.test('an abort before the first state refuses the stream', async t => {
    const { timers, watcher } = scripted([{ afterMs: 1000, status: 'InProgress' }])
    const controller = new AbortController()
    const opening = openUpdateEventStream(watcher, 'demo', 'u-1', { ...options(timers), signal: controller.signal })
    controller.abort(new Error('gone'))
    await t.rejects(opening, { message: 'gone' })
    t.equal(watcher.watchCount, 0)
  })
})
