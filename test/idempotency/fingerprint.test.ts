import canonicalize from 'canonicalize'
import fc from 'fast-check'
import t from 'tap'
import { fingerprint } from '../../src/idempotency/fingerprint.ts'

const request = (body: unknown, overrides: Partial<Parameters<typeof fingerprint>[0]> = {}) =>
  fingerprint({ method: 'POST', route: '/clusters/:name/identity-provider-configs', params: { name: 'prod' }, body, ...overrides })

/** Rebuilds a JSON value with every object's keys in a shuffled order. */
function shuffleKeys (value: unknown, seed: number): unknown {
  if (Array.isArray(value)) return value.map((item, i) => shuffleKeys(item, seed + i))
  if (typeof value !== 'object' || value === null) return value
  const entries = Object.entries(value)
  entries.sort((a, b) => ((a[0].length * 31 + seed) % 7) - ((b[0].length * 31 + seed) % 7) || (seed % 2 === 0 ? 1 : -1))
  return Object.fromEntries(entries.map(([k, v]) => [k, shuffleKeys(v, seed + 1)]))
}

const body = fc.dictionary(fc.string(), fc.jsonValue())

t.test('key order and whitespace of the raw JSON do not change the fingerprint', async (t) => {
  fc.assert(fc.property(body, fc.nat(), fc.integer({ min: 0, max: 8 }), (value, seed, indent) => {
    const wire = JSON.stringify(shuffleKeys(value, seed), null, indent)
    return request(JSON.parse(wire)) === request(value)
  }), { numRuns: 500 })
  t.pass('500 cases')
})

t.test('any change of the body changes the fingerprint', async (t) => {
  fc.assert(fc.property(body, fc.string(), fc.jsonValue(), (value, key, replacement) => {
    const changed = { ...value, [key]: replacement }
    fc.pre(canonicalize(changed) !== canonicalize(value))
    return request(changed) !== request(value)
  }), { numRuns: 500 })
  const bodyAndOneOfItsKeys = fc.dictionary(fc.string(), fc.jsonValue(), { minKeys: 1 })
    .chain((value) => fc.tuple(fc.constant(value), fc.constantFrom(...Object.keys(value))))
  fc.assert(fc.property(bodyAndOneOfItsKeys, ([value, key]) => {
    const { [key]: _removed, ...rest } = value
    return request(rest) !== request(value)
  }), { numRuns: 200 })
  t.pass('700 cases')
})

t.test('method, route and path parameters are part of the fingerprint', async (t) => {
  const base = request({ a: 1 })
  t.not(request({ a: 1 }, { method: 'PUT' }), base)
  t.not(request({ a: 1 }, { route: '/other' }), base)
  t.not(request({ a: 1 }, { params: { name: 'staging' } }), base)
  t.equal(request({ a: 1 }, { method: 'post' }), base, 'method case does not matter')
  t.equal(request(undefined), request(null), 'no body and a null body are the same request')
  t.match(base, /^[0-9a-f]{64}$/)
})
