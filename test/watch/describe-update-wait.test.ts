/**
 * GET /clusters/{name}/updates/{id}?wait=N on the real app, its update watching on a hand-driven
 * clock: a wait ends when the update does or when its deadline passes on that clock, never by the
 * test sleeping.
 */
import { randomUUID } from 'node:crypto'
import type { Test } from 'tap'
import t from 'tap'
import { assertProblem, build } from '../support/build.ts'
import { eventually } from '../support/eventually.ts'
import { FakeTimers } from './fake-timers.ts'

const POLL_MS = 20
const FAST_POLLS = { WATCH_POLL_INTERVAL_MS: String(POLL_MS), WATCH_MAX_POLL_INTERVAL_MS: '40' }
const OIDC = { identityProviderConfigName: 'corp', issuerUrl: 'https://idp.example.com', clientId: 'kubernetes' }

async function withUpdate (t: Test) {
  const timers = new FakeTimers()
  const { app, aws } = await build(t, { env: FAST_POLLS, deps: { watchTimers: timers } })
  const associate = await app.inject({ method: 'POST', url: '/clusters/demo/identity-provider-configs?skipIssuerChecks=true', headers: { 'idempotency-key': `key-${randomUUID()}` }, payload: { oidc: OIDC } })
  t.equal(associate.statusCode, 202)
  const location = associate.headers.location as string
  const describeCalls = () => aws.operations().filter(op => op === 'DescribeUpdate').length
  const updateId = associate.json().update.id as string
  const subscribers = () => app.services.scopes.default.updates.watcher.subscriberCount('demo', updateId)
  /** Sends waits and resolves, with their answers to come, once all joined the update's watch loop (the operation follower is on it too). */
  const joined = async <T> (count: number, send: () => Promise<T>) => {
    const before = subscribers()
    const answers = Array.from({ length: count }, send)
    await eventually(() => subscribers() >= before + count ? true : undefined)
    return { answers }
  }
  return { app, aws, timers, location, updateId, describeCalls, joined }
}

/** The answer of an inject, and whether it has come yet. */
function pending<T> (promise: Promise<T>) {
  let settled = false
  promise.then(() => { settled = true }, () => { settled = true })
  return { promise, settled: () => settled }
}

t.test('the update completes during the wait: answered at the next poll with the terminal state', async t => {
  const { app, aws, timers, location, updateId, joined } = await withUpdate(t)
  const { answers: [answer] } = await joined(1, () => app.inject({ method: 'GET', url: `${location}?wait=30` }))
  aws.completeUpdate(updateId, 'Successful')
  // One poll interval on the clock, far from the 30 s deadline: only the poll can answer it.
  await timers.advance(POLL_MS)
  const res = await answer

  t.equal(res.statusCode, 200)
  t.match(res.json(), { update: { id: updateId, status: 'Successful', type: 'AssociateIdentityProviderConfig', createdAt: /^\d{4}-/ } })
  t.notOk(res.headers['retry-after'], 'no Retry-After on a terminal state')
})

t.test('the wait ends first: 200 with the current state and Retry-After, at the deadline', async t => {
  const { app, timers, location, updateId, describeCalls, joined } = await withUpdate(t)
  const before = describeCalls()
  const { answers: [waiting] } = await joined(1, () => app.inject({ method: 'GET', url: `${location}?wait=1` }))
  const answer = pending(waiting)
  await timers.advance(999)
  t.notOk(answer.settled(), 'still waiting 1 ms before the deadline')
  await timers.advance(1)
  const res = await answer.promise

  t.equal(res.statusCode, 200)
  t.match(res.json(), { update: { id: updateId, status: 'InProgress' } })
  t.match(res.headers['retry-after'], /^[1-9]\d*$/, 'Retry-After in whole seconds')
  t.ok(describeCalls() - before > 2, 'polled AWS during the wait')
})

t.test('concurrent waits on one update share the upstream polling', async t => {
  const { app, timers, location, describeCalls, joined } = await withUpdate(t)
  // One wait alone, for the number of polls one loop makes in a second of the clock.
  const aloneBefore = describeCalls()
  const { answers: [alone] } = await joined(1, () => app.inject({ method: 'GET', url: `${location}?wait=1` }))
  await timers.advance(1000)
  await alone
  const oneLoop = describeCalls() - aloneBefore

  const before = describeCalls()
  const { answers } = await joined(20, () => app.inject({ method: 'GET', url: `${location}?wait=1` }))
  await timers.advance(1000)
  const replies = await Promise.all(answers)
  t.ok(replies.every(res => res.statusCode === 200 && res.json().update.status === 'InProgress'))
  const calls = describeCalls() - before
  t.ok(oneLoop > 2, `one loop polls repeatedly (${oneLoop} calls)`)
  t.ok(calls <= oneLoop + 1, `${calls} DescribeUpdate calls for 20 waits, ${oneLoop} for one`)
})

t.test('without wait, or with wait=0, the answer is immediate and made of one call', async t => {
  const { app, location, describeCalls } = await withUpdate(t)
  for (const url of [location, `${location}?wait=0`]) {
    const before = describeCalls()
    const res = await app.inject({ method: 'GET', url })
    t.equal(res.statusCode, 200)
    t.equal(res.json().update.status, 'InProgress')
    t.notOk(res.headers['retry-after'])
    t.equal(describeCalls() - before, 1)
  }
})

t.test('a wait out of range or not a number is a 400 problem', async t => {
  const { app, location, describeCalls } = await withUpdate(t)
  const before = describeCalls()
  for (const wait of ['61', '-1', 'abc', '1.5']) {
    const problem = assertProblem(t, await app.inject({ method: 'GET', url: `${location}?wait=${wait}` }), 400, 'ValidationException')
    t.equal(problem.errors[0].pointer, '/querystring/wait', `wait=${wait}`)
  }
  assertProblem(t, await app.inject({ method: 'GET', url: `${location}?wiat=5` }), 400, 'ValidationException')
  t.equal(describeCalls(), before, 'no AWS call for an invalid request')
})

t.test('waiting on an unknown update is a 404 problem, answered without the clock moving', async t => {
  const { app } = await withUpdate(t)
  // The clock stands still, so only the first poll can answer it.
  const res = await app.inject({ method: 'GET', url: '/clusters/demo/updates/00000000-0000-0000-0000-000000000000?wait=30' })
  assertProblem(t, res, 404, 'ResourceNotFoundException')
})
