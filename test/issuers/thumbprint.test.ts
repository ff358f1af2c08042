import t from 'tap'
import { createEgressGuard } from '../../src/egress/guard.ts'
import type { EgressGuardOptions } from '../../src/egress/guard.ts'
import { createThumbprintService, thumbprintDrift } from '../../src/issuers/thumbprint.ts'
import type { ThumbprintServiceOptions } from '../../src/issuers/thumbprint.ts'
import { generateChain } from '../../emulator/pki.ts'
import { rejection, startIssuer } from '../egress/fixtures.ts'

type TestLike = { teardown (fn: () => unknown): void }

function serviceFor (t: TestLike, guardOptions: EgressGuardOptions, options: Omit<ThumbprintServiceOptions, 'egress'> = {}) {
  const egress = createEgressGuard(guardOptions)
  t.teardown(() => egress.close())
  return createThumbprintService({ egress, ...options })
}

t.test('one intermediate: the thumbprint is the intermediate, not the trusted root', async t => {
  // given an issuer whose root we trust (so Node could append it from the trust store)
  const issuer = await startIssuer(t, { chainOptions: { intermediates: 1 } })
  const service = serviceFor(t, { allowList: ['127.0.0.1'], allowedPorts: [issuer.port], extraCaPem: issuer.chain.caPem })
  // when
  const result = await service.forIssuer(issuer.issuerUrl)
  // then
  t.same(result.thumbprints, [issuer.chain.intermediates[0].sha1])
  t.not(result.thumbprints[0], issuer.chain.root.sha1)
  t.match(result.thumbprints[0], /^[0-9a-f]{40}$/)
  t.equal(result.jwksUri, issuer.jwksUri)
  t.equal(result.hosts.length, 1, 'issuer and jwks share host and port')
  t.match(result.hosts[0], { role: 'jwks', host: '127.0.0.1', port: issuer.port, authorized: true })
  t.same(result.hosts[0].certificates.map(c => c.sha1), [issuer.chain.leaf.sha1, issuer.chain.intermediates[0].sha1])
  t.same(result.hosts[0].certificates[1], {
    subject: issuer.chain.intermediates[0].subject,
    issuer: issuer.chain.root.subject,
    notAfter: issuer.chain.intermediates[0].notAfter.toISOString(),
    sha1: issuer.chain.intermediates[0].sha1
  })
})

t.test('two intermediates: the last certificate sent is the top intermediate', async t => {
  const issuer = await startIssuer(t, { chainOptions: { intermediates: 2 } })
  const service = serviceFor(t, { allowList: ['127.0.0.1'], allowedPorts: [issuer.port], extraCaPem: issuer.chain.caPem })
  const result = await service.forIssuer(issuer.issuerUrl)
  t.same(result.thumbprints, [issuer.chain.intermediates[0].sha1], 'top intermediate (signed by the root)')
  t.equal(result.hosts[0].certificates.length, 3)
})

t.test('an untrusted private CA is still read (the case thumbprints exist for)', async t => {
  const issuer = await startIssuer(t, { path: '/id/PRIVATE' })
  const service = serviceFor(t, { allowList: ['127.0.0.1'], allowedPorts: [issuer.port] })
  const result = await service.forIssuer(issuer.issuerUrl)
  t.same(result.thumbprints, [issuer.chain.intermediates[0].sha1])
  t.equal(result.hosts[0].authorized, false)
})

t.test('a different jwks host gives both thumbprints, the jwks host first', async t => {
  // given keys served by a second server, named localhost, with its own chain
  const keys = await startIssuer(t, { host: 'localhost', chainOptions: { name: 'keys host' } })
  const issuer = await startIssuer(t, { chainOptions: { name: 'issuer host' }, discovery: () => ({ jwks_uri: keys.jwksUri }) })
  const service = serviceFor(t, {
    allowList: ['127.0.0.1', 'localhost'],
    allowedPorts: [issuer.port, keys.port],
    extraCaPem: issuer.chain.caPem + keys.chain.caPem
  })
  // when
  const result = await service.forIssuer(issuer.issuerUrl)
  // then
  t.same(result.thumbprints, [keys.chain.intermediates[0].sha1, issuer.chain.intermediates[0].sha1])
  t.same(result.hosts.map(h => [h.role, h.host, h.port]), [['jwks', 'localhost', keys.port], ['issuer', '127.0.0.1', issuer.port]])
})

t.test('a rotated certificate shows as drift once the cache entry expires', async t => {
  let clock = 1_000_000
  const issuer = await startIssuer(t)
  const rotated = await generateChain({ name: 'rotated' })
  const service = serviceFor(t, {
    allowList: ['127.0.0.1'], allowedPorts: [issuer.port], extraCaPem: issuer.chain.caPem + rotated.caPem
  }, { ttlSeconds: 60, now: () => clock })
  const before = await service.forIssuer(issuer.issuerUrl, { jwksUri: issuer.jwksUri })
  const registered = before.thumbprints.map(tp => tp.toUpperCase())
  t.match(thumbprintDrift(registered, before), { matches: true, missing: [], registered: before.thumbprints })

  // when the server rotates to a chain from another CA
  issuer.rotate(rotated)
  clock += 30_000
  const cached = await service.forIssuer(issuer.issuerUrl, { jwksUri: issuer.jwksUri })
  t.same(cached.thumbprints, before.thumbprints, 'within the TTL the cached chain is used')
  t.equal(issuer.connections(), 1)

  clock += 31_000
  const after = await service.forIssuer(issuer.issuerUrl, { jwksUri: issuer.jwksUri })
  t.equal(issuer.connections(), 2)
  // then
  t.same(after.thumbprints, [rotated.intermediates[0].sha1])
  t.same(thumbprintDrift(registered, after), {
    registered: before.thumbprints,
    served: [rotated.intermediates[0].sha1],
    missing: [rotated.intermediates[0].sha1],
    subject: rotated.intermediates[0].subject,
    notAfter: rotated.intermediates[0].notAfter.toISOString(),
    matches: false
  })
})

t.test('20 concurrent requests for one host make one TLS connection', async t => {
  const issuer = await startIssuer(t)
  const service = serviceFor(t, { allowList: ['127.0.0.1'], allowedPorts: [issuer.port], extraCaPem: issuer.chain.caPem })
  const results = await Promise.all(Array.from({ length: 20 }, () => service.forIssuer(issuer.issuerUrl, { jwksUri: issuer.jwksUri })))
  t.equal(issuer.connections(), 1, 'one TCP connection, so one handshake')
  t.equal(new Set(results.map(r => r.thumbprints[0])).size, 1)

  const other = await startIssuer(t)
  const uncached = serviceFor(t, { allowList: ['127.0.0.1'], allowedPorts: [other.port] }, { ttlSeconds: 0 })
  await Promise.all(Array.from({ length: 20 }, () => uncached.chainFor('127.0.0.1', other.port)))
  t.equal(other.connections(), 1, 'coalesced even with the cache off')
  await uncached.chainFor('127.0.0.1', other.port)
  t.equal(other.connections(), 2, 'with the cache off a later request makes a new handshake')
})

t.test('the cache is bounded and does not keep failures', async t => {
  const issuer = await startIssuer(t)
  const service = serviceFor(t, { allowList: ['127.0.0.1', 'localhost'], allowedPorts: [issuer.port] }, { maxEntries: 1 })
  await service.chainFor('127.0.0.1', issuer.port)
  await service.chainFor('localhost', issuer.port)
  await service.chainFor('127.0.0.1', issuer.port)
  t.equal(issuer.connections(), 3, 'the oldest entry was evicted')

  let lookups = 0
  const failing = serviceFor(t, { allowedPorts: [issuer.port], lookup: async () => { lookups++; throw Object.assign(new Error('no'), { code: 'ENOTFOUND' }) } })
  t.match(await rejection(failing.chainFor('gone.example', issuer.port)), { status: 502, slug: 'issuer-unreachable' })
  t.match(await rejection(failing.chainFor('gone.example', issuer.port)), { status: 502, slug: 'issuer-unreachable' })
  t.equal(lookups, 2, 'a failure is retried, not served from the cache')
})

t.test('the default guard refuses loopback issuers and jwks hosts without connecting', async t => {
  const issuer = await startIssuer(t)
  const keysOnLoopback = await startIssuer(t)
  const publicIssuer = await startIssuer(t, { discovery: () => ({ jwks_uri: `https://127.0.0.1:${keysOnLoopback.port}/keys` }) })
  const strict = serviceFor(t, { allowedPorts: [issuer.port] })
  t.match(await rejection(strict.forIssuer(issuer.issuerUrl)), { status: 400, slug: 'issuer-address-forbidden', extensions: { addressClass: 'loopback' } })
  t.equal(issuer.connections(), 0)

  // an allow-listed issuer whose jwks_uri points at a loopback address that is not allow-listed
  const partial = serviceFor(t, { allowList: ['localhost'], allowedPorts: [publicIssuer.port, keysOnLoopback.port] })
  t.match(await rejection(partial.forIssuer(`https://localhost:${publicIssuer.port}`)), { slug: 'issuer-address-forbidden' })
  t.equal(keysOnLoopback.connections(), 0, 'jwks_uri passes the same guard')
})
