/**
 * One per-caller rate limit across replicas: three replicas (each its own app and Redis client)
 * share one Redis, over real HTTP, with the real SDK against the emulator behind them. When Redis
 * does not answer (a closed port, or a server that never replies) requests are neither refused
 * nor held: each replica limits on its own, says so in a warning and a metric, and stays ready.
 */
import t, { type Test } from 'tap'
import { startAwsEmulator } from '../../emulator/aws-emulator.ts'
import { generateToken, hashToken } from '../../src/auth/static-tokens.ts'
import { assertProblem, type Reply } from '../e2e/support.ts'
import { testStore } from '../support/build.ts'
import { freePort } from '../support/free-port.ts'
import { freezableProxy, freshKeyPrefix, requireRedis, silentServer, testRedisUrl } from '../support/redis.ts'
import { startReplicas, type Replica } from '../support/replicas.ts'
import { parseSamples, sampleValue } from '../observability/prometheus-text.ts'

const alpha = generateToken()
const beta = generateToken()
const LIMIT = 4

async function replicas (t: Test, count: number, env: Record<string, string>) {
  const emulator = await startAwsEmulator({ port: 0, seed: { clusters: [{ name: 'demo' }] } })
  t.teardown(() => emulator.close())
  return startReplicas(t, emulator, count, {
    store: testStore,
    env: {
      AUTH_MODE: 'tokens',
      AUTH_API_TOKENS: `alpha:${hashToken(alpha)},beta:${hashToken(beta)}`,
      AUTH_GRANTS: JSON.stringify({ grants: ['alpha', 'beta'].map(principal => ({ principal, clusters: ['*'], actions: ['read'] })) }),
      RATE_LIMIT_MAX: String(LIMIT),
      RATE_LIMIT_WINDOW: '1m',
      ...env
    }
  })
}

const listClusters = (replica: Replica, token: string) => replica.call('GET', '/clusters', { headers: { authorization: `Bearer ${token}` } })

async function metric (replica: Replica, name: string, labels: Record<string, string>) {
  const text = await (await fetch(`${replica.url}/metrics`)).text()
  return sampleValue(parseSamples(text), name, labels)
}

if (await requireRedis(t)) {
  t.test('three replicas on one Redis: a caller\'s limit holds across all of them, per caller', async t => {
    const [one, two, three] = await replicas(t, 3, { REDIS_URL: testRedisUrl, REDIS_KEY_PREFIX: freshKeyPrefix(t, 'rate-limit') })
    const spread = [one, two, three, one]
    const allowed: Reply[] = []
    for (const replica of spread) allowed.push(await listClusters(replica, alpha))
    t.same(allowed.map(r => r.status), [200, 200, 200, 200], `${LIMIT} requests spread over three replicas pass`)
    t.same(allowed.map(r => r.headers.get('x-ratelimit-remaining')), ['3', '2', '1', '0'], 'each replica sees the count of all')

    const refused = await listClusters(two, alpha)
    const body = assertProblem(t, refused, 429, 'TooManyRequestsException')
    t.match(body.detail, /More than 4 requests in 60 s/)
    t.ok(Number(refused.headers.get('retry-after')) >= 1, 'Retry-After names the seconds to wait')
    t.equal((await listClusters(three, alpha)).status, 429, 'and the third replica refuses too')

    t.same(await Promise.all([one, two, three].map(r => listClusters(r, beta).then(reply => reply.status))), [200, 200, 200], 'another caller has a bucket of its own')
    t.equal((await one.call('GET', '/readyz')).status, 200, 'probes are never limited')
    t.equal(await metric(one, 'shared_store_up', { use: 'rate-limit' }), 1, 'shared_store_up is 1 while Redis answers')
  })
}

t.test('Redis refuses connections: each replica limits on its own, warns, counts, and stays ready', async t => {
  const [one, two] = await replicas(t, 2, { REDIS_URL: `redis://127.0.0.1:${await freePort()}`, REDIS_KEY_PREFIX: 'closed:' })
  await assertLocalFallback(t, one, two)
})

t.test('Redis accepts connections but never answers: the replicas start and limit on their own', async t => {
  const [one, two] = await replicas(t, 2, { REDIS_URL: await silentServer(t), REDIS_KEY_PREFIX: 'silent:', REDIS_TIMEOUT_MS: '100' })
  await assertLocalFallback(t, one, two)
})

if (await requireRedis(t)) {
  t.test('Redis stops answering while connected: requests are not held past REDIS_TIMEOUT_MS', async t => {
    const proxy = await freezableProxy(t)
    const [one, two] = await replicas(t, 2, { REDIS_URL: proxy.url, REDIS_KEY_PREFIX: freshKeyPrefix(t, 'frozen'), REDIS_TIMEOUT_MS: '100' })
    t.equal((await listClusters(two, beta)).status, 200)
    t.equal(await metric(two, 'shared_store_up', { use: 'rate-limit' }), 1, 'shared while Redis answers')
    proxy.freeze()
    await assertLocalFallback(t, one, two)
  })
}

async function assertLocalFallback (t: Test, one: Replica, two: Replica) {
  const statuses = []
  for (let i = 0; i <= LIMIT; i++) statuses.push((await listClusters(one, alpha)).status)
  t.same(statuses, [200, 200, 200, 200, 429], 'the caller is still limited, by this replica\'s own count')
  t.equal((await listClusters(two, alpha)).status, 200, 'which the other replica does not share')
  t.equal((await one.call('GET', '/readyz')).status, 200, 'a rate-limit store outage does not unready the replica')

  t.equal(await metric(one, 'shared_store_up', { use: 'rate-limit' }), 0, 'shared_store_up shows the outage')
  t.equal(await metric(one, 'shared_store_fallbacks_total', { use: 'rate-limit' }), LIMIT + 1, 'every request decided locally is counted')
  const warnings = one.warnings().filter(line => /shared Redis does not answer: rate limits are counted per replica/.test(line.msg))
  t.equal(warnings.length, 1, 'one warning when the outage starts, not one per request')
}
