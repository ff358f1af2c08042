import t from 'tap'
import { ReadThroughCache } from '../../src/cache/read-through.ts'

interface Answer { status: string, n: number }

/** A load that counts its calls and answers only when released. */
function gatedLoad (status = 'ACTIVE') {
  let calls = 0
  const gates: Array<() => void> = []
  return {
    get calls () { return calls },
    load: () => {
      calls++
      const n = calls
      return new Promise<Answer>(resolve => gates.push(() => resolve({ status, n })))
    },
    /** Lets pending loads start (a shared load begins a microtask later), then answers them all. */
    async releaseAll () {
      await new Promise(resolve => setImmediate(resolve))
      for (const release of gates.splice(0)) release()
    }
  }
}

function cacheWith (options: { ttlMs?: number, now?: () => number } = {}) {
  const events: string[] = []
  const cache = new ReadThroughCache<Answer>({
    name: 'test', ttlMs: options.ttlMs ?? 1000, max: 10, now: options.now, reusable: a => a.status === 'ACTIVE', onEvent: (_name, result) => events.push(result)
  })
  return { cache, events }
}

t.test('a miss loads, concurrent readers share it, then it is a hit until the TTL passes', async t => {
  let now = 0
  const { cache, events } = cacheWith({ now: () => now })
  const upstream = gatedLoad()
  const readers = Array.from({ length: 20 }, () => cache.read('k', upstream.load))
  await upstream.releaseAll()
  const answers = await Promise.all(readers)
  t.equal(upstream.calls, 1, '20 concurrent reads, one load')
  t.same(answers.map(a => a.source), ['miss', ...Array(19).fill('coalesced')])
  t.ok(answers.every(a => a.value.n === 1))

  now += 999
  t.same(await cache.read('k', upstream.load), { value: { status: 'ACTIVE', n: 1 }, source: 'hit' })
  now += 1
  const later = cache.read('k', upstream.load)
  await upstream.releaseAll()
  t.same(await later, { value: { status: 'ACTIVE', n: 2 }, source: 'miss' }, 'expired after the TTL')
  t.same(events.slice(0, 3), ['miss', 'coalesced', 'coalesced'])
  t.equal(events.filter(e => e === 'hit').length, 1)
})

t.test('a fresh read always loads, joins nothing, and refreshes the entry', async t => {
  const { cache } = cacheWith()
  const upstream = gatedLoad()
  const first = cache.read('k', upstream.load)
  await upstream.releaseAll()
  t.equal((await first).source, 'miss')

  const inFlight = cache.read('other', upstream.load)
  const freshWhileInFlight = cache.read('other', upstream.load, { fresh: true })
  await upstream.releaseAll()
  t.equal(upstream.calls, 3, 'the fresh read did not join the load in flight')
  t.equal((await freshWhileInFlight).source, 'bypass')
  await inFlight

  const fresh = cache.read('k', upstream.load, { fresh: true })
  await upstream.releaseAll()
  t.same(await fresh, { value: { status: 'ACTIVE', n: 4 }, source: 'bypass' }, 'a fresh read loads even while the entry is fresh')
  t.same(await cache.read('k', upstream.load), { value: { status: 'ACTIVE', n: 4 }, source: 'hit' }, 'and its answer is the one kept')
})

t.test('answers that are not reusable are never kept', async t => {
  const { cache } = cacheWith()
  const creating = gatedLoad('CREATING')
  const first = cache.read('k', creating.load)
  await creating.releaseAll()
  await first
  const second = cache.read('k', creating.load)
  await creating.releaseAll()
  t.same(await second, { value: { status: 'CREATING', n: 2 }, source: 'miss' })
})

t.test('forget drops entries by prefix, and a load in flight across it keeps nothing', async t => {
  const { cache } = cacheWith()
  const upstream = gatedLoad()
  for (const key of ['demo\na', 'demo\nb', 'other\na']) {
    const read = cache.read(key, upstream.load)
    await upstream.releaseAll()
    await read
  }
  cache.forget('demo\n')
  t.equal((await cache.read('other\na', upstream.load)).source, 'hit', 'another cluster keeps its entry')

  const stale = cache.read('demo\na', upstream.load)
  await new Promise(resolve => setImmediate(resolve)) // the load is under way
  cache.forget('demo\n') // when a write lands
  await upstream.releaseAll()
  t.equal((await stale).source, 'miss')
  const next = cache.read('demo\na', upstream.load)
  await upstream.releaseAll()
  t.equal(upstream.calls, 5, 'the answer read before the write was not kept')
  t.equal((await next).value.n, 5)
})

t.test('with a TTL of 0 nothing is kept, but concurrent reads still share one load', async t => {
  const { cache } = cacheWith({ ttlMs: 0 })
  const upstream = gatedLoad()
  const both = [cache.read('k', upstream.load), cache.read('k', upstream.load)]
  await upstream.releaseAll()
  t.same((await Promise.all(both)).map(a => a.source), ['miss', 'coalesced'])
  const again = cache.read('k', upstream.load)
  await upstream.releaseAll()
  t.equal((await again).source, 'miss')
  t.equal(upstream.calls, 2)
})

t.test('a failed load is shared by its concurrent readers and never kept', async t => {
  const { cache } = cacheWith()
  let calls = 0
  const failing = async () => { calls++; throw new Error('throttled') }
  const results = await Promise.allSettled([cache.read('k', failing), cache.read('k', failing)])
  t.same(results.map(r => r.status), ['rejected', 'rejected'])
  t.equal(calls, 1)
  await t.rejects(cache.read('k', failing), /throttled/)
  t.equal(calls, 2, 'the failure was not kept')
})
