import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Test } from 'tap'
import t from 'tap'
import { assertProblem, build } from '../support/build.ts'

const FAST_POLLS = { WATCH_POLL_INTERVAL_MS: '20', WATCH_MAX_POLL_INTERVAL_MS: '40' }
const OIDC = { identityProviderConfigName: 'corp', issuerUrl: 'https://idp.example.com', clientId: 'kubernetes' }

async function withUpdate (t: Test) {
  const { app, aws } = await build(t, { env: FAST_POLLS })
  const associate = await app.inject({ method: 'POST', url: '/clusters/demo/identity-provider-configs?skipIssuerChecks=true', headers: { 'idempotency-key': `key-${randomUUID()}` }, payload: { oidc: OIDC } })
  t.equal(associate.statusCode, 202)
  const location = associate.headers.location as string
  const describeCalls = () => aws.operations().filter(op => op === 'DescribeUpdate').length
  return { app, aws, location, updateId: associate.json().update.id as string, describeCalls }
}

t.test('the update completes during the wait: answered at once with the terminal state', async t => {
  const { app, aws, location, updateId } = await withUpdate(t)
  const started = Date.now()
  const answer = app.inject({ method: 'GET', url: `${location}?wait=30` })
  await sleep(100)
  aws.completeUpdate(updateId, 'Successful')
  const res = await answer

  t.equal(res.statusCode, 200)
  t.match(res.json(), { update: { id: updateId, status: 'Successful', type: 'AssociateIdentityProviderConfig', createdAt: /^\d{4}-/ } })
  t.notOk(res.headers['retry-after'], 'no Retry-After on a terminal state')
  t.ok(Date.now() - started < 15_000, 'answered long before the wait ended')
})

t.test('the wait ends first: 200 with the current state and Retry-After', async t => {
  const { app, location, updateId, describeCalls } = await withUpdate(t)
  const started = Date.now()
  const res = await app.inject({ method: 'GET', url: `${location}?wait=1` })
  const elapsed = Date.now() - started

  t.equal(res.statusCode, 200)
  t.match(res.json(), { update: { id: updateId, status: 'InProgress' } })
  t.match(res.headers['retry-after'], /^[1-9]\d*$/, 'Retry-After in whole seconds')
  t.ok(elapsed >= 950 && elapsed < 10_000, `waited about a second (${elapsed} ms)`)
  t.ok(describeCalls() > 2, 'polled AWS during the wait')
})

t.test('concurrent waits on one update share the upstream polling', async t => {
  const { app, location, describeCalls } = await withUpdate(t)
  const before = describeCalls()
  const started = Date.now()
  const answers = await Promise.all(Array.from({ length: 20 }, () => app.inject({ method: 'GET', url: `${location}?wait=1` })))
  const elapsed = Date.now() - started
  t.ok(answers.every(res => res.statusCode === 200 && res.json().update.status === 'InProgress'))
  // One loop at 20 ms growing to 40 ms makes about 1 + elapsed / 40 calls; twenty loops would make twenty times that.
  const calls = describeCalls() - before
  t.ok(calls <= 2 + Math.ceil(elapsed / 20), `${calls} DescribeUpdate calls for 20 waits in ${elapsed} ms`)
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

t.test('waiting on an unknown update is a 404 problem, answered at once', async t => {
  const { app } = await withUpdate(t)
  const started = Date.now()
  const res = await app.inject({ method: 'GET', url: '/clusters/demo/updates/00000000-0000-0000-0000-000000000000?wait=30' })
  assertProblem(t, res, 404, 'ResourceNotFoundException')
  t.ok(Date.now() - started < 15_000)
})
