import t from 'tap'
import { TtlLruCache } from '../../src/cache/ttl-lru.ts'

t.test('entries expire after the TTL', async t => {
  let now = 1000
  const cache = new TtlLruCache<string, number>({ max: 10, ttlMs: 500, now: () => now })
  cache.set('a', 1)
  now += 499
  t.equal(cache.get('a'), 1)
  now += 1
  t.equal(cache.get('a'), undefined)
  t.equal(cache.size, 0, 'an expired entry is dropped when read')
})

t.test('the least recently used entry goes first beyond max', async t => {
  const cache = new TtlLruCache<string, number>({ max: 2, ttlMs: 60_000 })
  cache.set('a', 1)
  cache.set('b', 2)
  cache.get('a')
  cache.set('c', 3)
  t.equal(cache.get('b'), undefined, 'b was least recently used')
  t.equal(cache.get('a'), 1)
  t.equal(cache.get('c'), 3)
  t.equal(cache.size, 2)
})

t.test('a TTL of 0 stores nothing; delete removes', async t => {
  const off = new TtlLruCache<string, number>({ max: 10, ttlMs: 0 })
  off.set('a', 1)
  t.equal(off.get('a'), undefined)
  const cache = new TtlLruCache<string, number>({ max: 10, ttlMs: 1000 })
  cache.set('a', 1)
  cache.delete('a')
  t.equal(cache.get('a'), undefined)
})
