import t from 'tap'
import { awsError } from '../support/fake-aws.ts'
import { INITIAL_MS, MAX_MS, watcherSetup } from './setup.ts'

t.test('100 concurrent watchers of one update share one DescribeUpdate per interval', async t => {
  const { watcher, timers, startUpdate, record, describeCalls } = watcherSetup()
  const updateId = await startUpdate()

  // given 100 subscribers of the same update
  const watchers = Array.from({ length: 100 }, () => record(updateId))
  t.equal(watcher.watchCount, 1, 'one poll loop')
  t.equal(watcher.subscriberCount('demo', updateId), 100)

  // when time passes through three intervals
  await timers.advance(0)
  t.equal(describeCalls(), 1, 'one call when the first subscriber arrives')
  await timers.advance(INITIAL_MS)
  t.equal(describeCalls(), 2, 'one call after the first interval')
  await timers.advance(INITIAL_MS * 1.5)
  t.equal(describeCalls(), 3, 'one call after the second interval')

  // then every subscriber saw InProgress exactly once (no event without a status change)
  for (const w of watchers) t.same(w.statuses(), ['InProgress'])
})

t.test('the interval grows ×1.5 per poll up to the ceiling', async t => {
  const { timers, startUpdate, record, pollTimes } = watcherSetup()
  const updateId = await startUpdate()
  record(updateId)
  await timers.advance(3000)

  const gaps = pollTimes.slice(1).map((at, i) => at - pollTimes[i])
  t.same(gaps.slice(0, 6), [INITIAL_MS, INITIAL_MS * 1.5, INITIAL_MS * 1.5 ** 2, INITIAL_MS * 1.5 ** 3, MAX_MS, MAX_MS])
  t.ok(gaps.every(gap => gap <= MAX_MS), 'never beyond the ceiling')
})

t.test('a terminal status is sent to every subscriber and stops the loop', async t => {
  const { aws, watcher, timers, startUpdate, record, describeCalls } = watcherSetup()
  const updateId = await startUpdate()
  const a = record(updateId)
  const b = record(updateId)
  await timers.advance(0)

  // when EKS finishes the update
  aws.completeUpdate(updateId, 'Failed')
  await timers.advance(INITIAL_MS)

  // then both saw the change, with terminal set, and nothing polls any more
  for (const w of [a, b]) {
    t.same(w.statuses(), ['InProgress', 'Failed'])
    t.match(w.events[1], { kind: 'state', terminal: true, update: { id: updateId, status: 'Failed' } })
  }
  t.equal(watcher.watchCount, 0)
  t.equal(timers.pendingCount, 0, 'no timer left')
  const calls = describeCalls()
  await timers.advance(MAX_MS * 10)
  t.equal(describeCalls(), calls, 'no call after the terminal status')
  a.subscription.unsubscribe()
  t.equal(watcher.watchCount, 0, 'unsubscribing after the end is harmless')
})

t.test('the loop goes on while one subscriber remains, and stops with the last', async t => {
  const { watcher, timers, startUpdate, record, describeCalls } = watcherSetup()
  const updateId = await startUpdate()
  const a = record(updateId)
  const b = record(updateId)
  await timers.advance(0)

  a.subscription.unsubscribe()
  await timers.advance(INITIAL_MS)
  t.equal(describeCalls(), 2, 'still polling for the remaining subscriber')

  b.subscription.unsubscribe()
  b.subscription.unsubscribe()
  t.equal(watcher.watchCount, 0)
  t.equal(timers.pendingCount, 0, 'the scheduled poll was cancelled')
  await timers.advance(MAX_MS * 10)
  t.equal(describeCalls(), 2, 'no call after the last subscriber left')
})

t.test('a subscriber leaving while a poll is in flight gets nothing from it', async t => {
  const { watcher, timers, startUpdate, record, describeCalls } = watcherSetup()
  const updateId = await startUpdate()
  const a = record(updateId)
  await Promise.resolve() // the first poll has started
  a.subscription.unsubscribe()
  await timers.advance(MAX_MS * 5)
  t.equal(describeCalls(), 1)
  t.same(a.events, [])
  t.equal(watcher.watchCount, 0)
})

t.test('a late subscriber gets the latest state at once, without a new call', async t => {
  const { timers, startUpdate, record, describeCalls } = watcherSetup()
  const updateId = await startUpdate()
  record(updateId)
  await timers.advance(INITIAL_MS)
  const calls = describeCalls()

  const late = record(updateId)
  t.same(late.events, [], 'not called before subscribe returns')
  await Promise.resolve()
  t.same(late.statuses(), ['InProgress'])
  t.equal(describeCalls(), calls)
  t.ok(late.subscription.nextPollInMs() > 0 && late.subscription.nextPollInMs() <= INITIAL_MS * 1.5, 'knows when the loop polls next')
})

t.test('an unknown update ends the watch with the 404 for every subscriber', async t => {
  const { watcher, timers, record, describeCalls } = watcherSetup()
  const a = record('00000000-0000-0000-0000-000000000000')
  const b = record('00000000-0000-0000-0000-000000000000')
  await timers.advance(MAX_MS * 5)

  for (const w of [a, b]) {
    t.equal(w.events.length, 1)
    t.match(w.events[0], { kind: 'error', final: true, error: { status: 404, code: 'ResourceNotFoundException' } })
  }
  t.equal(describeCalls(), 1, 'no retry after a 404')
  t.equal(watcher.watchCount, 0)
})

t.test('throttling is reported, backs off harder, and polling recovers', async t => {
  const { aws, timers, startUpdate, record, pollTimes } = watcherSetup()
  const updateId = await startUpdate()
  const describe = aws.eks.describeUpdate
  let throttles = 1
  aws.eks.describeUpdate = async (input) => {
    if (throttles-- > 0) throw awsError('ThrottlingException', 429, 'Rate exceeded')
    return describe(input)
  }

  const w = record(updateId)
  await timers.advance(MAX_MS * 3)

  t.match(w.events[0], { kind: 'error', final: false, error: { status: 503, slug: 'upstream-throttled' } })
  t.same(w.statuses().slice(1), ['InProgress'], 'the state arrives once AWS answers again')
  t.equal(pollTimes[1] - pollTimes[0], MAX_MS, 'throttling waits max(2 × interval, Retry-After), capped at the ceiling')
})

t.test('a transient failure keeps the loop going on the normal backoff', async t => {
  const { aws, timers, startUpdate, record, pollTimes } = watcherSetup()
  const updateId = await startUpdate()
  const describe = aws.eks.describeUpdate
  let failures = 1
  aws.eks.describeUpdate = async (input) => {
    if (failures-- > 0) throw awsError('ServiceUnavailableException', 503, 'Service unavailable')
    return describe(input)
  }
  const w = record(updateId)
  await timers.advance(INITIAL_MS)
  t.match(w.events, [{ kind: 'error', final: false, error: { status: 503 } }, { kind: 'state', update: { status: 'InProgress' } }])
  t.equal(pollTimes[1] - pollTimes[0], INITIAL_MS)
})

t.test('denied access ends the watch: polling again would not fix it', async t => {
  const { aws, watcher, timers, startUpdate, record } = watcherSetup()
  const updateId = await startUpdate()
  aws.eks.describeUpdate = async () => { throw awsError('AccessDeniedException', 403, 'User is not authorized to perform: eks:DescribeUpdate') }
  const w = record(updateId)
  await timers.advance(MAX_MS)
  t.match(w.events, [{ kind: 'error', final: true, error: { slug: 'upstream-access-denied' } }])
  t.equal(watcher.watchCount, 0)
})

t.test('updates of different clusters or ids have their own loops', async t => {
  const { watcher, timers, startUpdate, record, describeCalls } = watcherSetup()
  const first = await startUpdate('one')
  const second = await startUpdate('two', 'staging')
  record(first)
  record(second, 'staging')
  const elsewhere = record(first, 'other')
  t.equal(watcher.watchCount, 3)
  await timers.advance(0)
  t.equal(describeCalls(), 3)
  t.match(elsewhere.events, [{ kind: 'error', final: true, error: { status: 404 } }], 'the update id belongs to another cluster')
})

t.test('close tells every subscriber, stops every loop, and answers later subscriptions at once', async t => {
  const { watcher, timers, startUpdate, record } = watcherSetup()
  const updateId = await startUpdate()
  const w = record(updateId)
  await timers.advance(0)
  watcher.close()
  t.same(w.statuses(), ['InProgress', 'shutdown'])
  t.equal(watcher.watchCount, 0)
  t.equal(timers.pendingCount, 0)

  const after = record(updateId)
  await Promise.resolve()
  t.same(after.statuses(), ['shutdown'])
  t.equal(watcher.watchCount, 0)
})

t.test('a throwing listener is reported and does not stop the others', async t => {
  const { watcher, timers, startUpdate, record, listenerErrors } = watcherSetup()
  const updateId = await startUpdate()
  watcher.subscribe('demo', updateId, () => { throw new Error('listener bug') })
  const w = record(updateId)
  await timers.advance(0)
  t.same(w.statuses(), ['InProgress'])
  t.match(listenerErrors, [{ message: 'listener bug' }])
})
