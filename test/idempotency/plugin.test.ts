import { randomUUID } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { request as httpRequest } from 'undici'
import { ServiceError } from '../../src/errors.ts'
import { fingerprint } from '../../src/idempotency/fingerprint.ts'
import { clientRequestTokenFor } from '../../src/services/write-guard.ts'
import { createStore } from '../../src/store/index.ts'
import { ClaimOutcome, IdempotencyState, RecoveryPoint } from '../../src/store/store.ts'
import type { Store } from '../../src/store/store.ts'
import { eventually } from '../support/eventually.ts'
import { accepted, ASSOCIATE_ROUTE, buildHarness, gate, manualClock } from './harness.ts'
import type { Harness } from './harness.ts'

let store: Store
t.before(async () => { store = await createStore() })
t.teardown(() => store.close())

const newKey = () => `key-${randomUUID()}`
const payload = { identityProviderConfigName: 'corp', issuerUrl: 'https://idp.example.com' }
const post = (h: Harness, key: string | undefined, body: object = payload, extraHeaders: Record<string, string> = {}) =>
  h.app.inject({
    method: 'POST',
    url: '/clusters/prod/identity-provider-configs',
    headers: { ...(key === undefined ? {} : { 'idempotency-key': key }), ...extraHeaders },
    payload: body
  })

async function harness (t: { teardown: (fn: () => unknown) => void }, options: Partial<Parameters<typeof buildHarness>[0]> = {}) {
  const h = await buildHarness({ store, ...options })
  t.teardown(() => h.app.close())
  return h
}

t.test('50 concurrent identical requests with one key run the handler once', async (t) => {
  const h = await harness(t)
  const slow = gate()
  h.behave(async (execution) => {
    await slow.opened
    return accepted(execution)
  })
  const key = newKey()
  // Hold the winner until ten others have been turned away, so the race really overlaps.
  let turnedAway = 0
  const safety = setTimeout(slow.open, 10_000)
  const inFlight = Array.from({ length: 50 }, () => post(h, key).then((r) => {
    if (r.statusCode === 409 && ++turnedAway === 10) slow.open()
    return r
  }))
  const responses = await Promise.all(inFlight)
  clearTimeout(safety)

  t.equal(h.executions.length, 1, 'one execution')
  const fresh = responses.filter((r) => r.statusCode === 202 && r.headers['idempotent-replayed'] === 'false')
  const replays = responses.filter((r) => r.statusCode === 202 && r.headers['idempotent-replayed'] === 'true')
  const busy = responses.filter((r) => r.statusCode === 409)
  t.equal(fresh.length, 1, 'one fresh success')
  t.equal(fresh.length + replays.length + busy.length, 50, 'everything else is a 409 or a replay')
  t.ok(busy.length >= 10, `requests arriving while it ran were turned away (${busy.length})`)
  for (const r of busy) {
    t.equal(r.headers['retry-after'], '1')
    t.equal(r.json().code, 'IdempotencyRequestInProgressException')
  }
  for (const r of replays) t.equal(r.body, fresh[0].body)

  const later = await post(h, key)
  t.equal(later.headers['idempotent-replayed'], 'true')
  t.equal(later.body, fresh[0].body)
  t.equal(h.executions.length, 1)
})

t.test('a replay returns the stored status, body and whitelisted headers only', async (t) => {
  const h = await harness(t)
  const key = newKey()
  const first = await post(h, key)
  t.equal(first.statusCode, 202)
  t.equal(first.headers['idempotent-replayed'], 'false')
  t.equal(first.headers['x-request-scoped'], 'fresh')
  const { operationId, clientRequestToken } = first.json()
  t.equal(clientRequestToken, clientRequestTokenFor(operationId))

  const second = await post(h, key)
  t.equal(second.statusCode, 202)
  t.equal(second.headers['idempotent-replayed'], 'true')
  t.equal(second.headers.location, `/operations/${operationId}`)
  t.equal(second.headers['content-type'], first.headers['content-type'])
  t.equal(second.headers['x-request-scoped'], undefined, 'non-whitelisted headers are not replayed')
  t.same(second.json(), first.json())
  t.equal(h.executions.length, 1)
})

t.test('the key accepts the sf-string (quoted) form', async (t) => {
  const h = await harness(t)
  const key = newKey()
  const bare = await post(h, key)
  const quoted = await post(h, `"${key}"`)
  t.equal(quoted.headers['idempotent-replayed'], 'true', 'the quoted form names the same key')
  t.equal(quoted.body, bare.body)
})

t.test('key order and whitespace in the body do not change the fingerprint', async (t) => {
  const h = await harness(t)
  const key = newKey()
  await post(h, key, { identityProviderConfigName: 'corp', requiredClaims: { a: '1', b: '2' } })
  const reordered = await h.app.inject({
    method: 'POST',
    url: '/clusters/prod/identity-provider-configs',
    headers: { 'idempotency-key': key, 'content-type': 'application/json' },
    payload: '{\n  "requiredClaims": { "b": "2",   "a": "1" },\n  "identityProviderConfigName": "corp"\n}'
  })
  t.equal(reordered.statusCode, 202)
  t.equal(reordered.headers['idempotent-replayed'], 'true')
  t.equal(h.executions.length, 1)
})

t.test('a default filled in by validation counts as part of the request', async (t) => {
  const h = await harness(t)
  const key = newKey()
  await post(h, key, { identityProviderConfigName: 'corp' })
  const explicit = await post(h, key, { identityProviderConfigName: 'corp', groupsClaim: 'groups' })
  t.equal(explicit.headers['idempotent-replayed'], 'true')
  const different = await post(h, key, { identityProviderConfigName: 'corp', groupsClaim: 'teams' })
  t.equal(different.statusCode, 422)
})

t.test('the same key with a different body or path is 422 and the record is untouched', async (t) => {
  const h = await harness(t)
  const key = newKey()
  const first = await post(h, key)
  const changed = await post(h, key, { ...payload, issuerUrl: 'https://other.example.com' })
  t.equal(changed.statusCode, 422)
  t.match(changed.json(), { code: 'IdempotencyKeyReusedException', type: /idempotency-key-reused$/ })
  const otherCluster = await h.app.inject({
    method: 'POST', url: '/clusters/staging/identity-provider-configs', headers: { 'idempotency-key': key }, payload
  })
  t.equal(otherCluster.statusCode, 422, 'path parameters are fingerprinted')
  t.equal(h.executions.length, 1)
  t.equal((await post(h, key)).body, first.body, 'the original still replays')
})

t.test('malformed keys are 400 before any lookup', async (t) => {
  const h = await harness(t)
  const bad = ['short', 'x'.repeat(256), 'has space in the key!!', 'ünïcödé-key-000000', '""', `"${'a'.repeat(20)}`]
  for (const key of bad) {
    const response = await post(h, undefined, payload, { 'idempotency-key': key })
    t.equal(response.statusCode, 400, JSON.stringify(key))
    t.equal(response.json().code, 'IdempotencyKeyInvalidException')
  }
  t.equal(h.executions.length, 0)
})

t.test('duplicate Idempotency-Key headers over real HTTP are 400', async (t) => {
  const h = await harness(t)
  await h.app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = h.app.server.address() as AddressInfo
  const send = (headers: string[]) => httpRequest(`http://127.0.0.1:${port}/clusters/prod/identity-provider-configs`, {
    method: 'POST', headers: ['content-type', 'application/json', ...headers], body: JSON.stringify(payload)
  })
  const key = newKey()
  const duplicated = await send(['idempotency-key', `"${key}"`, 'idempotency-key', key])
  t.equal(duplicated.statusCode, 400)
  t.equal((await duplicated.body.json() as { code: string }).code, 'IdempotencyKeyInvalidException')
  const single = await send(['idempotency-key', `"${key}"`])
  t.equal(single.statusCode, 202)
  await single.body.dump()
  t.equal(h.executions.length, 1)
})

t.test('a required key that is missing is 400 with a describedby link, unless the body has a clientRequestToken', async (t) => {
  const h = await harness(t)
  const missing = await post(h, undefined)
  t.equal(missing.statusCode, 400)
  t.equal(missing.json().code, 'IdempotencyKeyMissingException')
  t.match(missing.json().type, /idempotency-key-missing$/)
  t.equal(missing.headers.link, '<https://eks-oidc-api.dev/problems/idempotency-key-missing>; rel="describedby"')
  t.equal(h.executions.length, 0)

  const clientToken = 'client-token-0123456789abcdef0123456789'
  const withToken = await post(h, undefined, { ...payload, clientRequestToken: clientToken })
  t.equal(withToken.statusCode, 202)
  t.equal(withToken.headers['idempotent-replayed'], undefined, 'no record, so no replay marker')
  t.equal(h.executions[0].guard.clientRequestToken, clientToken, 'the client token is used as is')
})

t.test('an optional route without a key stores nothing and just runs', async (t) => {
  const h = await harness(t)
  const del = () => h.app.inject({ method: 'DELETE', url: '/clusters/prod/identity-provider-configs/corp' })
  const first = await del()
  const second = await del()
  t.equal(first.statusCode, 202)
  t.equal(second.statusCode, 202)
  t.equal(h.executions.length, 2)
  t.equal(first.headers['idempotent-replayed'], undefined)
  t.not(first.json().operationId, second.json().operationId, 'each run is its own operation')
})

t.test('an optional route with a key is idempotent too', async (t) => {
  const h = await harness(t)
  const key = newKey()
  const del = () => h.app.inject({
    method: 'DELETE', url: '/clusters/prod/identity-provider-configs/corp', headers: { 'idempotency-key': key }
  })
  const first = await del()
  const second = await del()
  t.equal(second.headers['idempotent-replayed'], 'true')
  t.equal(second.body, first.body)
  t.equal(h.executions.length, 1)
})

t.test('a route that declares no change ignores the key, even a malformed one', async (t) => {
  const h = await harness(t)
  const response = await h.app.inject({ method: 'GET', url: '/clusters/prod/identity-provider-configs', headers: { 'idempotency-key': 'bad' } })
  t.equal(response.statusCode, 200)
  t.equal(response.headers['idempotent-replayed'], undefined)
})

t.test('the same key from two principals gives two independent records', async (t) => {
  const h = await harness(t, { principalOf: (request) => String(request.headers['x-principal']) })
  const key = newKey()
  const alice = await post(h, key, payload, { 'x-principal': 'alice' })
  const bob = await post(h, key, payload, { 'x-principal': 'bob' })
  t.equal(bob.headers['idempotent-replayed'], 'false', 'no cross-principal replay')
  t.not(alice.json().operationId, bob.json().operationId)
  t.equal(h.executions.length, 2)
})

t.test('a 5xx is not stored: the retry runs again with the same operation id and token', async (t) => {
  const h = await harness(t)
  const key = newKey()
  let attempt = 0
  h.behave(async (execution) => {
    attempt++
    if (attempt === 1) {
      await execution.guard.beforeWrite()
      throw new ServiceError({ status: 504, code: 'UpstreamTimeout', slug: 'upstream-timeout', title: 'Upstream timed out' })
    }
    return accepted(execution)
  })
  const failed = await post(h, key)
  t.equal(failed.statusCode, 504)
  t.equal(failed.headers['idempotent-replayed'], 'false')
  const [first] = h.executions
  t.equal(first.guard.resuming, false)

  const retried = await post(h, key)
  t.equal(retried.statusCode, 202)
  const second = h.executions[1]
  t.equal(second.operationId, first.operationId)
  t.equal(second.guard.clientRequestToken, first.guard.clientRequestToken)
  t.equal(second.guard.resuming, true, 'the retry knows the AWS call may have happened')

  t.equal((await post(h, key)).headers['idempotent-replayed'], 'true')
  t.equal(h.executions.length, 2)
})

t.test('which answers are stored', async (t) => {
  const cases: Array<{ name: string, status: number, headers?: Record<string, string>, stored: boolean }> = [
    { name: '201 created', status: 201, stored: true },
    { name: '204 no content', status: 204, stored: true },
    { name: '404 decided during execution', status: 404, stored: true },
    { name: '409 config exists', status: 409, stored: true },
    { name: '400 upstream invalid parameter', status: 400, stored: true },
    { name: '409 with Retry-After (cluster busy)', status: 409, headers: { 'retry-after': '5' }, stored: false },
    { name: '401', status: 401, stored: false },
    { name: '403', status: 403, stored: false },
    { name: '429', status: 429, stored: false },
    { name: '500', status: 500, stored: false },
    { name: '502', status: 502, stored: false },
    { name: '503', status: 503, stored: false }
  ]
  for (const c of cases) {
    t.test(c.name, async (t) => {
      const h = await harness(t)
      h.behave(() => ({ status: c.status, headers: c.headers, body: c.status === 204 ? undefined : { status: c.status } }))
      const key = newKey()
      const first = await post(h, key)
      t.equal(first.statusCode, c.status)
      const again = await post(h, key)
      t.equal(again.statusCode, c.status)
      t.equal(h.executions.length, c.stored ? 1 : 2)
      t.equal(again.headers['idempotent-replayed'], c.stored ? 'true' : 'false')
    })
  }
})

t.test('a crashed replica: after the lease expires a retry takes over with the same operation id and token', async (t) => {
  const clock = manualClock()
  const h = await harness(t, { now: clock.now, leaseSeconds: 60 })
  const key = newKey()
  // given a replica that claimed the key and died without completing
  const route = ASSOCIATE_ROUTE
  const body = { ...payload, groupsClaim: 'groups' }
  const crashed = await store.idempotency.claim({
    scope: 'anonymous',
    method: 'POST',
    route,
    key,
    fingerprint: fingerprint({ method: 'POST', route, params: { name: 'prod' }, body }),
    leaseOwner: 'crashed-replica',
    now: clock.now(),
    leaseUntil: new Date(clock.now().getTime() + 60_000),
    expiresAt: new Date(clock.now().getTime() + 86_400_000),
    operationId: randomUUID()
  })
  t.equal(crashed.outcome, ClaimOutcome.CLAIMED)
  await store.idempotency.setRecoveryPoint(crashed.record, 'crashed-replica', RecoveryPoint.AWS_CALL_ISSUED)

  // when a retry arrives while the lease is live, then after it expired
  clock.advance(30_000)
  t.equal((await post(h, key)).statusCode, 409)
  clock.advance(30_000)
  const takeover = await post(h, key)

  // then the retry ran with the crashed attempt's identity
  t.equal(takeover.statusCode, 202)
  t.equal(h.executions.length, 1)
  t.equal(h.executions[0].operationId, crashed.record.operationId)
  t.equal(h.executions[0].guard.clientRequestToken, clientRequestTokenFor(crashed.record.operationId))
  t.equal(h.executions[0].guard.resuming, true)

  // and the crashed replica's late completion is refused
  const late = await store.idempotency.complete(crashed.record, 'crashed-replica', { status: 500, headers: {}, body: 'late' }, clock.now())
  t.notOk(late)
  const replay = await post(h, key)
  t.equal(replay.headers['idempotent-replayed'], 'true')
  t.equal(replay.body, takeover.body)
})

t.test('two replicas: the one whose lease was taken over cannot overwrite the result', async (t) => {
  const clock = manualClock()
  const a = await harness(t, { now: clock.now, leaseSeconds: 60 })
  const b = await harness(t, { now: clock.now, leaseSeconds: 60 })
  const key = newKey()
  const stall = gate()
  const started = gate()
  a.behave(async (execution) => {
    started.open()
    await stall.opened
    await execution.guard.beforeWrite()
    return { status: 202, body: { from: 'a' } }
  })
  b.behave(() => ({ status: 202, body: { from: 'b' } }))

  const fromA = post(a, key)
  await started.opened
  clock.advance(61_000)
  const fromB = await post(b, key)
  t.same(fromB.json(), { from: 'b' })
  t.equal(a.executions[0].operationId, b.executions[0].operationId, 'same operation')

  stall.open()
  const lateA = await fromA
  t.equal(lateA.statusCode, 409, 'replica A learns it lost the lease before calling AWS')
  const replay = await post(b, key)
  t.same(replay.json(), { from: 'b' })
  t.equal(replay.headers['idempotent-replayed'], 'true')
})

t.test('a late completion by a replica that lost its lease is not stored', async (t) => {
  const clock = manualClock()
  const a = await harness(t, { now: clock.now })
  const b = await harness(t, { now: clock.now })
  const key = newKey()
  const stall = gate()
  const started = gate()
  a.behave(async () => {
    started.open()
    await stall.opened
    return { status: 202, body: { from: 'a' } }
  })
  b.behave(() => ({ status: 500, body: { from: 'b' } }))

  const fromA = post(a, key)
  await started.opened
  clock.advance(61_000)
  t.equal((await post(b, key)).statusCode, 500, 'b took over, failed and released')
  stall.open()
  t.same((await fromA).json(), { from: 'a' }, 'a still answers its own client')
  const record = await store.idempotency.get({ scope: 'anonymous', method: 'POST', route: ASSOCIATE_ROUTE, key })
  t.equal(record?.state, IdempotencyState.IN_PROGRESS, "a's fenced completion was refused")
  t.equal(record?.response, null)
})

t.test('the lease is renewed while a long request runs', async (t) => {
  const h = await harness(t, { leaseSeconds: 0.2 })
  const key = newKey()
  const stall = gate()
  h.behave(async (execution) => {
    if (h.executions.length === 1) await stall.opened
    return accepted(execution)
  })
  const first = post(h, key)
  const ref = { scope: 'anonymous', method: 'POST', route: ASSOCIATE_ROUTE, key }
  await eventually(async () => h.executions.length === 1 || undefined)
  const claimed = (await store.idempotency.get(ref))!.leaseUntil!.getTime()
  // Wait for the event itself: the claim outlived its first lease because it was renewed.
  await eventually(async () => {
    const leaseUntil = (await store.idempotency.get(ref))?.leaseUntil?.getTime() ?? 0
    return leaseUntil > claimed && Date.now() > claimed ? true : undefined
  })
  const during = await post(h, key)
  t.equal(during.statusCode, 409, 'still held after its first lease ran out')
  stall.open()
  t.equal((await first).statusCode, 202)
  t.equal(h.executions.length, 1)
})

t.test('closing the app releases unfinished leases', async (t) => {
  const h = await buildHarness({ store })
  const key = newKey()
  const stall = gate()
  const started = gate()
  h.behave(async (execution) => {
    started.open()
    await stall.opened
    return accepted(execution)
  })
  const pending = post(h, key)
  await started.opened
  await h.app.close()
  const ref = { scope: 'anonymous', method: 'POST', route: ASSOCIATE_ROUTE, key }
  const released = await store.idempotency.get(ref)
  t.equal(released?.leaseOwner, null)
  t.equal(released?.state, IdempotencyState.IN_PROGRESS)

  const next = await harness(t)
  const retry = await post(next, key)
  t.equal(retry.statusCode, 202, 'taken over at once, no lease to wait for')
  t.equal(next.executions[0].operationId, h.executions[0].operationId)
  stall.open()
  await pending
})

t.test('the answer is stored before it leaves; when its records cannot be stored the answer is 503 and the key is free', async (t) => {
  const refOf = (key: string) => ({ scope: 'anonymous', method: 'POST', route: ASSOCIATE_ROUTE, key })
  const h = await harness(t)
  const key = newKey()
  const first = await post(h, key)
  t.equal(first.statusCode, 202)
  t.equal((await store.idempotency.get(refOf(key)))?.state, IdempotencyState.COMPLETED, 'stored by the time the client has the answer')

  let failing = true
  const unavailable = { ...store, recordChange: async (input: Parameters<Store['recordChange']>[0]) => { if (failing) throw new Error('connection reset'); return store.recordChange(input) } }
  const broken = await harness(t, { store: unavailable })
  const key2 = newKey()
  const refused = await post(broken, key2)
  t.equal(refused.statusCode, 503, 'not answered 202 without its audit record')
  t.equal(refused.json().code, 'AuditUnavailable')
  t.equal(refused.headers['retry-after'], '1')
  const record = await store.idempotency.get(refOf(key2))
  t.equal(record?.state, IdempotencyState.IN_PROGRESS, 'nothing stored')
  t.equal(record?.leaseOwner, null, 'the key was released at once')
  failing = false
  const retried = await post(broken, key2)
  t.equal(retried.statusCode, 202, 'a retry runs')
  t.equal(broken.executions[1].operationId, broken.executions[0].operationId, 'as the same operation')
})

t.test('the reaper purges expired records, after which the key counts as new', async (t) => {
  const clock = manualClock()
  const h = await harness(t, { now: clock.now, retentionSeconds: 60, purgeIntervalSeconds: 0.05 })
  const key = newKey()
  const first = await post(h, key)
  const ref = { scope: 'anonymous', method: 'POST', route: ASSOCIATE_ROUTE, key }
  t.ok(await store.idempotency.get(ref), 'stored')

  clock.advance(61_000)
  await eventually(async () => await store.idempotency.get(ref) === undefined || undefined)
  t.equal(await store.idempotency.get(ref), undefined, 'purged')
  const again = await post(h, key)
  t.equal(again.headers['idempotent-replayed'], 'false')
  t.not(again.json().operationId, first.json().operationId)
})

t.test('an unreachable store answers 503 with Retry-After and runs nothing', async (t) => {
  const failing = {
    ...store,
    idempotency: {
      ...store.idempotency,
      claim: async () => { throw new Error('connection refused') }
    }
  }
  const h = await harness(t, { store: failing })
  const response = await post(h, newKey())
  t.equal(response.statusCode, 503)
  t.equal(response.headers['retry-after'], '1')
  t.equal(response.json().code, 'ServiceUnavailableException')
  t.equal(h.executions.length, 0)
})
