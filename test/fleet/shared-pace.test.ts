/**
 * AWS call pacing that does not multiply with the replicas: three replicas (each its own app,
 * AWS clients and Redis client) sweep the fleet at once against an emulator that throttles EKS
 * and IAM beyond one account's budget. Sharing one pace in Redis, together they stay within it:
 * no cluster fails, (almost) nothing is throttled, and the sweeps end close to the floor
 * (calls / budget). Each replica pacing on its own would offer three times the budget.
 * Without Redis, each replica paces on its own and says so.
 */
import t from 'tap'
import { startAwsEmulator } from '../../emulator/aws-emulator.ts'
import type { AwsEmulator } from '../../emulator/aws-emulator.ts'
import { testStore } from '../support/build.ts'
import { freshKeyPrefix, requireRedis, testRedisUrl } from '../support/redis.ts'
import { startReplicas } from '../support/replicas.ts'
import { freePort } from '../support/free-port.ts'
import { parseSamples, sampleValue } from '../observability/prometheus-text.ts'
import { systemClock } from '../../src/fleet/clock.ts'
import { SharedPace } from '../../src/fleet/shared-pace.ts'
import { ServiceMetrics } from '../../src/observability/metrics.ts'
import { openSharedRedis } from '../../src/shared/shared-redis.ts'

/** Calls per second the emulator accepts per service, i.e. the account's budget. */
const BUDGET = 40
const CLUSTERS = 30
/** Throttled answers tolerated, as a share of all calls (slots granted just as the bucket empties). */
const THROTTLE_TOLERANCE = 0.05

function fleetSeed () {
  const clusters = Array.from({ length: CLUSTERS }, (_, i) => ({
    name: `fleet-${String(i).padStart(2, '0')}`,
    ...(i % 4 === 0 ? { identityProviderConfig: { identityProviderConfigName: 'corp', issuerUrl: 'https://login.example.com', clientId: 'kubernetes' } } : {})
  }))
  return { clusters, iamOidcProviders: clusters.filter((_, i) => i % 3 === 0).map(c => ({ cluster: c.name })) }
}

function callsPerService (emulator: AwsEmulator) {
  const totals = { eks: 0, iam: 0 }
  for (const [operation, count] of Object.entries(emulator.calls as Record<string, number>)) {
    const service = operation.split(':')[0]
    if (service === 'eks' || service === 'iam') totals[service] += count
  }
  return totals
}

if (await requireRedis(t)) {
  t.test('three replicas sweeping at once share one AWS budget: 0 failures, within 1.2x the floor', async t => {
    const emulator = await startAwsEmulator({ port: 0, seed: fleetSeed() })
    t.teardown(() => emulator.close())
    const replicas = await startReplicas(t, emulator, 3, {
      store: testStore,
      env: {
        REDIS_URL: testRedisUrl,
        REDIS_KEY_PREFIX: freshKeyPrefix(t, 'pace'),
        FLEET_RATE_PER_SECOND: String(BUDGET),
        FLEET_MAX_RATE_PER_SECOND: String(BUDGET),
        // Every throttle reaches the limiter (and is counted) instead of being retried inside the SDK.
        AWS_MAX_ATTEMPTS: '1'
      }
    })
    emulator.resetCalls()
    for (const service of ['eks', 'iam']) emulator.faults.set(service, { requestsPerSecond: BUDGET, burst: BUDGET })

    const startedAt = performance.now()
    const sweeps = await Promise.all(replicas.map(r => r.call('GET', '/clusters?include=oidc,identityProviderConfigs')))
    const seconds = (performance.now() - startedAt) / 1000

    t.same(sweeps.map(s => s.status), [200, 200, 200])
    t.same(sweeps.map(s => s.body.failedClusters), [0, 0, 0], 'no cluster failed on any replica')
    t.same(sweeps.map(s => s.body.fleet.length), [CLUSTERS, CLUSTERS, CLUSTERS])

    const attempts = callsPerService(emulator)
    const throttled = { eks: 0, iam: 0 }
    for (const replica of replicas) {
      const stats = replica.app.services.scopes.default.fleet.limiterStats()
      throttled.eks += stats.eks.throttles
      throttled.iam += stats.iam.throttles
    }
    for (const service of ['eks', 'iam'] as const) {
      t.ok(throttled[service] <= attempts[service] * THROTTLE_TOLERANCE, `${service}: ${throttled[service]} of ${attempts[service]} calls throttled`)
    }
    // The slowest service sets the floor: its calls at the budget, the first burst included.
    const accepted = Math.max(attempts.eks - throttled.eks, attempts.iam - throttled.iam)
    const floor = accepted / BUDGET
    t.ok(seconds <= 1.2 * floor, `the sweeps took ${seconds.toFixed(2)} s for a floor of ${floor.toFixed(2)} s (${(seconds / floor).toFixed(2)}x)`)
  })
}

t.test('Redis refuses connections: calls are paced by the replica alone, and the outage is reported', async t => {
  const warnings: string[] = []
  const log = { debug () {}, info () {}, warn: (_: object, message: string) => { warnings.push(message) }, error () {} }
  const metrics = new ServiceMetrics({ defaultMetrics: false })
  const redis = await openSharedRedis({ url: `redis://127.0.0.1:${await freePort()}`, keyPrefix: 'closed:', timeoutMs: 100 }, log, metrics)
  t.teardown(() => redis.close())
  const pace = new SharedPace({ initialRate: 10, minRate: 1, maxRate: 10, additiveIncrease: 1, multiplicativeDecrease: 0.5 }, { ...redis, key: 'closed:pace' }, systemClock)
  // Each take first waits for Redis to refuse, so compare the slots' times, not their waits.
  const take = async () => {
    const slot = await pace.take()
    return { slot, at: systemClock.now() + slot.waitMs }
  }
  const slots = [await take(), await take()]
  t.ok(slots.every(({ slot }) => slot.from !== pace), 'the slots come from the local pace')
  t.ok(slots[1].at - slots[0].at >= 80, `which still paces them at the rate (10/s): ${Math.round(slots[1].at - slots[0].at)} ms apart`)
  t.equal(redis.health.isUp('aws-pacing'), false)
  const samples = parseSamples((await metrics.render()).body)
  t.equal(sampleValue(samples, 'shared_store_up', { use: 'aws-pacing' }), 0)
  t.equal(sampleValue(samples, 'shared_store_fallbacks_total', { use: 'aws-pacing' }), 2)
  t.ok(warnings.some(message => /AWS calls are paced per replica/.test(message)), 'a warning names the fallback')
})
