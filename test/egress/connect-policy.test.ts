import t from 'tap'
import type { LookupAddress } from 'node:dns'
import { createConnectPolicy } from '../../src/egress/connect-policy.ts'
import type { GuardedLookup } from '../../src/egress/connect-policy.ts'
import { effectivePort, portProblem, urlShapeProblems } from '../../src/egress/url-rules.ts'
import { ServiceError } from '../../src/errors.ts'
import { thrown } from './fixtures.ts'

/** Resolves every name to the given answers, in that order. */
function policyAnswering (answers: LookupAddress[], allowList: string[] = []) {
  return createConnectPolicy({ allowedPorts: [443, 8443], allowList, lookup: async () => answers })
}

interface LookupResult { err: Error | null, address: string | LookupAddress[], family?: number }

function callLookup (lookup: GuardedLookup, hostname: string, options: Parameters<GuardedLookup>[1]): Promise<LookupResult> {
  return new Promise(resolve => lookup(hostname, options, (err, address, family) => resolve({ err, address, family })))
}

const dualStack: LookupAddress[] = [{ address: '93.184.215.14', family: 4 }, { address: '2606:4700::1111', family: 6 }]

t.test('the lookup answers with the family the socket asks for', async t => {
  const { lookup } = policyAnswering(dualStack)
  t.same(await callLookup(lookup, 'dual.example', {}), { err: null, address: '93.184.215.14', family: 4 }, 'no family: the first answer')
  t.same(await callLookup(lookup, 'dual.example', 0), { err: null, address: '93.184.215.14', family: 4 }, 'family 0: the first answer')
  t.same(await callLookup(lookup, 'dual.example', { family: 4 }), { err: null, address: '93.184.215.14', family: 4 })
  t.same(await callLookup(lookup, 'dual.example', { family: 'IPv4' }), { err: null, address: '93.184.215.14', family: 4 })
  t.same(await callLookup(lookup, 'dual.example', 4), { err: null, address: '93.184.215.14', family: 4 })
  t.same(await callLookup(lookup, 'dual.example', { family: 6 }), { err: null, address: '2606:4700::1111', family: 6 })
  t.same(await callLookup(lookup, 'dual.example', { family: 'IPv6' }), { err: null, address: '2606:4700::1111', family: 6 })
  t.same(await callLookup(lookup, 'dual.example', 6), { err: null, address: '2606:4700::1111', family: 6 })
  t.same(await callLookup(lookup, 'dual.example', undefined as unknown as number), { err: null, address: '93.184.215.14', family: 4 },
    'an absent options argument asks for any family')
})

t.test('asking for IPv4 skips an IPv6 answer that comes first', async t => {
  const { lookup } = policyAnswering([...dualStack].reverse())
  t.same(await callLookup(lookup, 'dual.example', {}), { err: null, address: '2606:4700::1111', family: 6 }, 'any family: the first answer')
  for (const family of [4, 'IPv4'] as const) {
    t.same(await callLookup(lookup, 'dual.example', { family }), { err: null, address: '93.184.215.14', family: 4 }, String(family))
  }
  t.same(await callLookup(lookup, 'dual.example', 4), { err: null, address: '93.184.215.14', family: 4 })
})

t.test('with all: true the lookup answers the list of usable addresses', async t => {
  const { lookup } = policyAnswering(dualStack)
  t.same(await callLookup(lookup, 'dual.example', { all: true }), { err: null, address: dualStack, family: undefined })
  t.same(await callLookup(lookup, 'dual.example', { all: true, family: 6 }),
    { err: null, address: [{ address: '2606:4700::1111', family: 6 }], family: undefined })
  t.same(await callLookup(lookup, 'dual.example', { all: false }), { err: null, address: '93.184.215.14', family: 4 })
})

t.test('a name without an address of the wanted family is ENOTFOUND', async t => {
  const { lookup } = policyAnswering([{ address: '93.184.215.14', family: 4 }])
  const { err, address } = await callLookup(lookup, 'v4only.example', { family: 6 })
  t.equal(err?.message, 'no address for v4only.example')
  t.equal((err as Error & { code?: string }).code, 'ENOTFOUND')
  t.equal(address, '')
  const none = await callLookup(policyAnswering([]).lookup, 'empty.example', {})
  t.equal((none.err as Error & { code?: string }).code, 'ENOTFOUND', 'no answers at all')
})

t.test('a name with any forbidden answer is refused, naming the name and the address', async t => {
  const { lookup } = policyAnswering([{ address: '93.184.215.14', family: 4 }, { address: '10.1.2.3', family: 4 }])
  const { err, address } = await callLookup(lookup, 'mixed.example', { family: 4 })
  t.ok(err instanceof ServiceError)
  const problem = err as ServiceError
  t.equal(problem.slug, 'issuer-address-forbidden')
  t.equal(problem.message, 'mixed.example resolves to 10.1.2.3, which is a private address; only public unicast addresses may be contacted')
  t.same(problem.extensions, { host: 'mixed.example', address: '10.1.2.3', addressClass: 'private' })
  t.equal(address, '')
})

t.test('checkUrl refuses an IP literal naming the address once', async t => {
  const policy = policyAnswering([])
  const literal = thrown(() => policy.checkUrl('https://10.0.0.1/'))
  t.equal(literal.message, '10.0.0.1 is a private address; only public unicast addresses may be contacted')
  t.same(literal.extensions, { host: '10.0.0.1', address: '10.0.0.1', addressClass: 'private' })
  const v6 = thrown(() => policy.checkUrl('https://[::1]/'))
  t.equal(v6.message, '::1 is a loopback address; only public unicast addresses may be contacted')
  const name = thrown(() => policy.checkUrl('https://localhost/'))
  t.equal(name.message, 'localhost is a loopback address; only public unicast addresses may be contacted')
  t.same(name.extensions, { host: 'localhost', address: 'localhost', addressClass: 'loopback' })
  t.equal(policyAnswering([], ['localhost']).checkUrl('https://localhost/').hostname, 'localhost', 'unless allow-listed')
})

t.test('checkUrl lists every shape problem, the first as the rule', async t => {
  const problem = thrown(() => policyAnswering([]).checkUrl('http://user:pw@issuer.example/?q#f'))
  t.equal(problem.slug, 'issuer-url-invalid')
  t.equal(problem.message,
    'https: scheme must be https, not http; no-userinfo: must not carry a user name or password; no-query: must not carry a query; no-fragment: must not carry a fragment')
  t.equal(problem.extensions?.rule, 'https')
  t.same(problem.extensions?.rules, [
    { rule: 'https', detail: 'scheme must be https, not http' },
    { rule: 'no-userinfo', detail: 'must not carry a user name or password' },
    { rule: 'no-query', detail: 'must not carry a query' },
    { rule: 'no-fragment', detail: 'must not carry a fragment' }
  ])
  const unparsable = thrown(() => policyAnswering([]).checkUrl('not a url'))
  t.equal(unparsable.message, 'url: must be an absolute URL that the WHATWG URL parser accepts')
  t.equal(unparsable.extensions?.rule, 'url')
})

t.test('checkTarget applies the port rule, then the address rules', async t => {
  const policy = policyAnswering([])
  const port = thrown(() => policy.checkTarget('93.184.215.14', 22))
  t.equal(port.slug, 'issuer-url-invalid')
  t.equal(port.message, 'port 22 is not allowed (allowed: 443, 8443)')
  t.same(port.extensions, { rule: 'port', port: 22 })
  const address = thrown(() => policy.checkTarget('[::1]', 443))
  t.equal(address.slug, 'issuer-address-forbidden')
  t.equal(address.extensions?.address, '::1')
  t.equal(thrown(() => policy.checkTarget('localhost', 8443)).extensions?.addressClass, 'loopback')
  t.doesNotThrow(() => policy.checkTarget('93.184.215.14', 8443))
  t.doesNotThrow(() => policy.checkTarget('issuer.example', 443), 'names are judged by the lookup')
})

t.test('url rules: ports', async t => {
  t.equal(effectivePort(new URL('https://issuer.example/')), 443)
  t.equal(effectivePort(new URL('https://issuer.example:8443/')), 8443)
  t.equal(portProblem(443, [443]), undefined)
  t.same(portProblem(8443, [443, 9443]), { rule: 'port', detail: 'port 8443 is not allowed (allowed: 443, 9443)' })
  t.same(urlShapeProblems('https://issuer.example:8443/').problems,
    [{ rule: 'port', detail: 'port 8443 is not allowed (allowed: 443)' }], 'only 443 by default')
  t.same(urlShapeProblems('https://issuer.example:8443/', { allowedPorts: [8443] }).problems, [])
  t.same(urlShapeProblems('http://issuer.example:8443/').problems, [{ rule: 'https', detail: 'scheme must be https, not http' }],
    'the port of a non-https URL is not judged')
})

t.test('url rules: user info, queries and fragments', async t => {
  const rules = (raw: string, purpose?: 'issuer' | 'resource') => urlShapeProblems(raw, { purpose }).problems.map(p => p.rule)
  t.same(rules('https://user@issuer.example/'), ['no-userinfo'], 'a user name alone')
  t.same(rules('https://:pw@issuer.example/'), ['no-userinfo'], 'a password alone')
  t.same(rules('https://issuer.example/?'), ['no-query'], 'an empty query')
  t.same(rules('https://issuer.example/?v=1', 'resource'), [], 'a resource may carry a query')
  t.same(rules('https://issuer.example/?v=1', 'issuer'), ['no-query'])
  t.same(rules('https://issuer.example/#'), ['no-fragment'], 'an empty fragment')
  t.same(rules('https://issuer.example/#a?b'), ['no-fragment'], 'a ? inside the fragment is not a query')
  t.same(rules('https://issuer.example/#x', 'resource'), ['no-fragment'])
  t.same(rules('ftp://issuer.example/'), ['https'])
  t.equal(urlShapeProblems('ftp://issuer.example/').problems[0].detail, 'scheme must be https, not ftp')
})
