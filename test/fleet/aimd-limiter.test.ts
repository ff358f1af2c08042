import t from 'tap'
import { isThrottlingError } from '../../src/aws/throttling.ts'
import { AimdLimiter, type AimdLimiterOptions } from '../../src/fleet/aimd-limiter.ts'
import { rateLimitedCall, VirtualClock } from './virtual-clock.ts'

function setup (options: Partial<AimdLimiterOptions> = {}) {
  const clock = new VirtualClock()
  const limiter = new AimdLimiter({ initialRate: 10, minRate: 1, maxRate: 10, maxConcurrency: 100, isThrottle: isThrottlingError, clock, random: () => 0.5, ...options })
  return { clock, limiter }
}

const throttle = () => Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } })

t.test('calls are paced at the rate', async t => {
  const { clock, limiter } = setup()
  const startedAt: number[] = []
  await Promise.all(Array.from({ length: 20 }, () => limiter.run(async () => { startedAt.push(clock.now()) })))
  t.same(startedAt, Array.from({ length: 20 }, (_, i) => i * 100), 'one call every 100 ms at 10 per second')
})

t.test('each success adds to the rate (about +1 per second of successes), up to maxRate', async t => {
  const { limiter: aimd } = setup({ maxRate: 1000 })
  for (let i = 0; i < 100; i++) await aimd.run(async () => 'ok')
  // r' = r + 1/r gives r² ≈ r0² + 2n: sqrt(100 + 200) ≈ 17.3
  t.ok(aimd.rate > 16.5 && aimd.rate < 17.6, `rate ${aimd.rate}`)
  const { limiter: capped } = setup({ maxRate: 11 })
  for (let i = 0; i < 100; i++) await capped.run(async () => 'ok')
  t.equal(capped.rate, 11)
})

t.test('a throttle halves the rate once per congestion event, and the throttled calls are retried', async t => {
  const { limiter: aimd } = setup({ initialRate: 40, maxRate: 40 })
  const attempts = new Map<number, number>()
  const results = await Promise.all(Array.from({ length: 10 }, (_, i) => aimd.run(async () => {
    attempts.set(i, (attempts.get(i) ?? 0) + 1)
    if (attempts.get(i) === 1) throw throttle()
    return i
  })))
  t.same(results, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 'every call succeeded in the end')
  const stats = aimd.stats()
  t.equal(stats.throttles, 10)
  t.equal(stats.retries, 10)
  t.equal(stats.decreases, 1, 'calls started before the decrease do not decrease again')
  t.equal(stats.lowestRate, 20)
})

t.test('a call throttled on every attempt fails after maxThrottleRetries, and the rate stays above minRate', async t => {
  const { limiter: aimd } = setup({ initialRate: 8, minRate: 2, maxThrottleRetries: 4 })
  let calls = 0
  await t.rejects(aimd.run(async () => { calls++; throw throttle() }), { name: 'Throttling' })
  t.equal(calls, 5)
  t.equal(aimd.rate, 2)
})

t.test('other errors pass through at once and leave the rate alone', async t => {
  const { limiter: aimd } = setup()
  let calls = 0
  await t.rejects(aimd.run(async () => { calls++; throw Object.assign(new Error('nope'), { name: 'ResourceNotFoundException' }) }), /nope/)
  t.equal(calls, 1)
  t.equal(aimd.rate, 10)
  t.equal(aimd.stats().inFlight, 0, 'the slot is released')
})

t.test('no more than maxConcurrency calls run at once', async t => {
  const { clock, limiter: aimd } = setup({ initialRate: 1000, maxRate: 1000, maxConcurrency: 3 })
  let running = 0
  let most = 0
  await Promise.all(Array.from({ length: 12 }, () => aimd.run(async () => {
    running++
    most = Math.max(most, running)
    await clock.sleep(50)
    running--
  })))
  t.equal(most, 3)
  t.equal(aimd.stats().maxInFlightSeen, 3)
  t.equal(aimd.stats().inFlight, 0)
})

t.test('against a 20-per-second quota it slows down, loses no call, and keeps a useful rate', async t => {
  const { clock, limiter: aimd } = setup({ initialRate: 100, maxRate: 200, maxConcurrency: 10 })
  const upstream = rateLimitedCall(clock, 20)
  const results = await Promise.all(Array.from({ length: 200 }, () => aimd.run(upstream.call)))
  t.equal(results.filter(r => r === 'ok').length, 200, 'every call succeeded')
  t.ok(upstream.throttled() > 0, `AWS throttled ${upstream.throttled()} times`)
  const stats = aimd.stats()
  t.ok(stats.decreases >= 2, `${stats.decreases} decreases`)
  t.ok(stats.lowestRate < 30, `slowed down to ${stats.lowestRate.toFixed(1)} per second`)
  const seconds = clock.now() / 1000
  t.ok(seconds >= 9, `took ${seconds.toFixed(1)} s: the quota allows 200 calls in no less than 9 s`)
  t.ok(seconds < 20, `took ${seconds.toFixed(1)} s: at least half the quota was used`)
  t.ok(upstream.throttled() < 100, 'throttles stay a minority of the calls')
})
