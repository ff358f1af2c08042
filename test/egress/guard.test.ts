import t from 'tap'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { createEgressGuard } from '../../src/egress/guard.ts'
import type { EgressGuardOptions } from '../../src/egress/guard.ts'
import { ServiceError } from '../../src/errors.ts'
import { generateChain } from '../../emulator/pki.ts'
import { eventually } from '../support/eventually.ts'
import { rejection, sendJson, startCountingListener, startHttpsServer, startIssuer, thrown } from './fixtures.ts'

type TestLike = { teardown (fn: () => unknown): void }

function guardFor (t: TestLike, options: EgressGuardOptions) {
  const guard = createEgressGuard(options)
  t.teardown(() => guard.close())
  return guard
}

/** Resolves names from a fixed table, like a DNS server the test controls. */
function fixedLookup (table: Record<string, string[]>) {
  return async (hostname: string) => {
    const answers = table[hostname]
    if (!answers) throw Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' })
    return answers.map(address => ({ address, family: address.includes(':') ? 6 : 4 }))
  }
}

t.test('hostile issuer URLs: refused with the right slug and no TCP connection', async t => {
  const listener = await startCountingListener(t)
  const p = listener.port
  const guard = guardFor(t, {
    // The DEFAULT guard (empty allow-list) with only the listener's port added, so the address
    // rules alone stand between the URL and the listener.
    allowedPorts: [p],
    lookup: fixedLookup({
      'mixed.example': ['93.184.215.14', '127.0.0.1'],
      'mixed-first.example': ['127.0.0.1', '93.184.215.14'],
      'mixed-v6.example': ['2606:4700::1111', '::1'],
      'private.example': ['10.0.0.7'],
      'metadata.example': ['169.254.169.254']
    })
  })
  const table: Array<[string, string, string]> = [
    // [url, slug, rule or address class]
    [`https://127.0.0.1:${p}/`, 'issuer-address-forbidden', 'loopback'],
    [`https://2130706433:${p}/`, 'issuer-address-forbidden', 'loopback'],
    [`https://0177.0.0.1:${p}/`, 'issuer-address-forbidden', 'loopback'],
    [`https://0x7f.1:${p}/`, 'issuer-address-forbidden', 'loopback'],
    [`https://127.1:${p}/`, 'issuer-address-forbidden', 'loopback'],
    [`https://127.0.0.1.:${p}/`, 'issuer-address-forbidden', 'loopback'],
    [`https://[::1]:${p}/`, 'issuer-address-forbidden', 'loopback'],
    [`https://[::ffff:127.0.0.1]:${p}/`, 'issuer-address-forbidden', 'loopback'],
    [`https://[0:0:0:0:0:ffff:7f00:1]:${p}/`, 'issuer-address-forbidden', 'loopback'],
    [`https://[::127.0.0.1]:${p}/`, 'issuer-address-forbidden', 'ipv4-compatible'],
    [`https://localhost:${p}/`, 'issuer-address-forbidden', 'loopback'],
    [`https://LocalHost.:${p}/`, 'issuer-address-forbidden', 'loopback'],
    [`https://0.0.0.0:${p}/`, 'issuer-address-forbidden', 'unspecified'],
    [`https://0:${p}/`, 'issuer-address-forbidden', 'unspecified'],
    [`https://[::]:${p}/`, 'issuer-address-forbidden', 'unspecified'],
    [`https://10.0.0.1:${p}/`, 'issuer-address-forbidden', 'private'],
    [`https://172.16.5.4:${p}/`, 'issuer-address-forbidden', 'private'],
    [`https://192.168.1.1:${p}/`, 'issuer-address-forbidden', 'private'],
    [`https://100.64.0.1:${p}/`, 'issuer-address-forbidden', 'carrier-grade-nat'],
    [`https://169.254.1.1:${p}/`, 'issuer-address-forbidden', 'link-local'],
    [`https://169.254.169.254:${p}/`, 'issuer-address-forbidden', 'cloud-metadata'],
    [`https://[fd00:ec2::254]:${p}/`, 'issuer-address-forbidden', 'cloud-metadata'],
    [`https://[fe80::1]:${p}/`, 'issuer-address-forbidden', 'link-local'],
    [`https://[fd12:3456::1]:${p}/`, 'issuer-address-forbidden', 'unique-local'],
    [`https://224.0.0.1:${p}/`, 'issuer-address-forbidden', 'multicast'],
    [`https://255.255.255.255:${p}/`, 'issuer-address-forbidden', 'broadcast'],
    [`https://[64:ff9b::a9fe:a9fe]:${p}/`, 'issuer-address-forbidden', 'nat64 embedding cloud-metadata'],
    [`https://[64:ff9b::7f00:1]:${p}/`, 'issuer-address-forbidden', 'nat64 embedding loopback'],
    [`https://[2002:7f00:1::]:${p}/`, 'issuer-address-forbidden', '6to4 embedding loopback'],
    [`https://[2002:a9fe:a9fe::1]:${p}/`, 'issuer-address-forbidden', '6to4 embedding cloud-metadata'],
    [`https://[2001:0:4136:e378:8000:63bf:80ff:fffe]:${p}/`, 'issuer-address-forbidden', 'teredo embedding loopback'],
    [`https://mixed.example:${p}/`, 'issuer-address-forbidden', 'loopback'],
    [`https://mixed-first.example:${p}/`, 'issuer-address-forbidden', 'loopback'],
    [`https://mixed-v6.example:${p}/`, 'issuer-address-forbidden', 'loopback'],
    [`https://private.example:${p}/`, 'issuer-address-forbidden', 'private'],
    [`https://metadata.example:${p}/`, 'issuer-address-forbidden', 'cloud-metadata'],
    [`http://127.0.0.1:${p}/`, 'issuer-url-invalid', 'https'],
    [`http://93.184.215.14:${p}/`, 'issuer-url-invalid', 'https'],
    [`ftp://127.0.0.1:${p}/`, 'issuer-url-invalid', 'https'],
    ['file:///etc/passwd', 'issuer-url-invalid', 'https'],
    ['https://93.184.215.14:8443/', 'issuer-url-invalid', 'port'],
    [`https://127.0.0.1:${p + 1 > 65535 ? p - 1 : p + 1}/`, 'issuer-url-invalid', 'port'],
    ['https://93.184.215.14/', 'issuer-url-invalid', 'port'],
    [`https://user@127.0.0.1:${p}/`, 'issuer-url-invalid', 'no-userinfo'],
    [`https://user:secret@93.184.215.14:${p}/`, 'issuer-url-invalid', 'no-userinfo'],
    [`https://127.0.0.1:${p}/?a=1`, 'issuer-url-invalid', 'no-query'],
    [`https://127.0.0.1:${p}/?`, 'issuer-url-invalid', 'no-query'],
    [`https://127.0.0.1:${p}/#frag`, 'issuer-url-invalid', 'no-fragment'],
    ['not a url', 'issuer-url-invalid', 'url']
  ]
  for (const [url, slug, reason] of table) {
    // when
    const err = await guard.fetchJson(url).then(() => undefined, (e: unknown) => e)
    // then
    t.ok(err instanceof ServiceError, `${url}: ServiceError`)
    const problem = err as ServiceError
    t.equal(problem.status, 400, `${url}: 400`)
    t.equal(problem.slug, slug, `${url}: ${slug}`)
    const named = slug === 'issuer-address-forbidden' ? problem.extensions?.addressClass : problem.extensions?.rule
    t.equal(named, reason, `${url}: names ${reason}`)
  }
  t.equal(listener.connections(), 0, 'no TCP connection reached the loopback listener')
})

t.test('peerCertificateChain applies the same rules, before connecting', async t => {
  const listener = await startCountingListener(t)
  const guard = guardFor(t, { allowedPorts: [listener.port], lookup: fixedLookup({ 'mixed.example': ['93.184.215.14', '127.0.0.1'] }) })
  for (const host of ['127.0.0.1', '::1', '[::1]', '::ffff:127.0.0.1', 'localhost', '2130706433', 'mixed.example', '169.254.169.254']) {
    t.match(await rejection(guard.peerCertificateChain(host, listener.port)), { slug: 'issuer-address-forbidden', status: 400 }, host)
  }
  t.match(await rejection(guard.peerCertificateChain('93.184.215.14', 443)), { slug: 'issuer-url-invalid' }, 'port outside the allowed ports')
  t.equal(listener.connections(), 0)
})

t.test('the default guard refuses 127.0.0.1 even on an allowed port, and allows only 443 by default', async t => {
  const issuer = await startIssuer(t)
  const guard = guardFor(t, { allowedPorts: [issuer.port], extraCaPem: issuer.chain.caPem })
  t.match(await rejection(guard.fetchJson(`${issuer.issuerUrl}/.well-known/openid-configuration`)), { slug: 'issuer-address-forbidden' })
  t.match(await rejection(guard.peerCertificateChain('127.0.0.1', issuer.port)), { slug: 'issuer-address-forbidden' })
  t.same(createEgressGuard().allowedPorts, [443])
  t.equal(issuer.connections(), 0)
})

t.test('checkUrl is synchronous and does no lookup', async t => {
  let lookups = 0
  const guard = guardFor(t, { lookup: async () => { lookups++; return [] } })
  t.equal(guard.checkUrl('https://issuer.example/id/1').hostname, 'issuer.example')
  t.match(thrown(() => guard.checkUrl('https://issuer.example/?q')), { slug: 'issuer-url-invalid' })
  t.equal(guard.checkUrl('https://issuer.example/keys?v=2', 'resource').search, '?v=2', 'resources may carry a query')
  t.match(thrown(() => guard.checkUrl('https://10.0.0.1/')), { slug: 'issuer-address-forbidden' })
  t.equal(lookups, 0)
})

t.test('fetchJson through an allow-listed loopback issuer', async t => {
  const issuer = await startIssuer(t)
  const guard = guardFor(t, { allowList: ['127.0.0.1'], allowedPorts: [issuer.port], extraCaPem: issuer.chain.caPem })
  const response = await guard.fetchJson(`${issuer.issuerUrl}/.well-known/openid-configuration`)
  t.equal(response.status, 200)
  t.match(response.json, { issuer: issuer.issuerUrl, jwks_uri: issuer.jwksUri })
  t.equal(response.headers['content-type'], 'application/json')
  t.equal(response.bytes, Buffer.byteLength(JSON.stringify(response.json)))
})

t.test('names connect to the checked answer of the injected lookup, with SNI and Host kept', async t => {
  const chain = await generateChain({ hosts: ['issuer.test'] })
  let seen: { host?: string, servername?: string } = {}
  const server = await startHttpsServer(t, {
    chain,
    handler: () => (req, res) => {
      seen = { host: req.headers.host, servername: (req.socket as unknown as { servername?: string }).servername }
      sendJson(res, { ok: true })
    }
  })
  const lookups: string[] = []
  const guard = guardFor(t, {
    allowList: ['127.0.0.0/8'],
    allowedPorts: [server.port],
    extraCaPem: chain.caPem,
    lookup: async host => { lookups.push(host); return [{ address: '127.0.0.1', family: 4 }] }
  })
  const response = await guard.fetchJson(`https://issuer.test:${server.port}/x`)
  t.same(response.json, { ok: true })
  t.same(seen, { host: `issuer.test:${server.port}`, servername: 'issuer.test' })
  t.same(lookups, ['issuer.test'], 'one lookup, made by the connection itself')
})

t.test('an allow-listed host name bypasses the address rules for that name only', async t => {
  const issuer = await startIssuer(t)
  const guard = guardFor(t, { allowList: ['localhost'], allowedPorts: [issuer.port], extraCaPem: issuer.chain.caPem })
  const response = await guard.fetchJson(`https://localhost:${issuer.port}/.well-known/openid-configuration`)
  t.equal(response.status, 200)
  t.match(await rejection(guard.fetchJson(`https://127.0.0.1:${issuer.port}/.well-known/openid-configuration`)), { slug: 'issuer-address-forbidden' })
})

t.test('responses the guard refuses', async t => {
  let requests = 0
  const big = 'x'.repeat(4096)
  /** Paths whose connection the guard closed while the server was still (not) answering. */
  const abandoned: string[] = []
  const server = await startHttpsServer(t, {
    handler: () => (req, res) => {
      requests++
      switch (req.url) {
        case '/redirect': res.writeHead(302, { location: 'https://169.254.169.254/latest/meta-data/' }).end(); break
        case '/html': res.writeHead(200, { 'content-type': 'text/html' }).end('<html></html>'); break
        case '/no-type': res.writeHead(200).end('{}'); break
        case '/missing': res.writeHead(404, { 'content-type': 'application/json' }).end('{}'); break
        case '/broken': res.writeHead(200, { 'content-type': 'application/json' }).end('{"a":'); break
        case '/jwk-set': res.writeHead(200, { 'content-type': 'application/jwk-set+json; charset=utf-8' }).end('{"keys":[]}'); break
        case '/declared-big': res.writeHead(200, { 'content-type': 'application/json', 'content-length': 10_000 }).end('{}'.padEnd(10_000)); break
        case '/streamed-big': {
          res.writeHead(200, { 'content-type': 'application/json' })
          res.write('["')
          let sent = 0
          const pump = () => {
            while (sent < 64 && res.write(big)) sent++
            if (sent < 64 && !res.destroyed) res.once('drain', pump)
            else res.end('"]')
          }
          pump()
          break
        }
        case '/slow': res.writeHead(200, { 'content-type': 'application/json' }); res.write('{"a":'); req.socket.once('close', () => { abandoned.push('/slow') }); break
        case '/silent': req.socket.once('close', () => { abandoned.push('/silent') }); break
        default: res.writeHead(500).end()
      }
    }
  })
  const guard = guardFor(t, { allowList: ['127.0.0.1'], allowedPorts: [server.port], extraCaPem: server.chain.caPem, maxBodyBytes: 8192, timeoutMs: 400 })
  const at = (path: string) => guard.fetchJson(`${server.origin}${path}`)

  t.match(await rejection(at('/redirect')), { status: 400, slug: 'issuer-redirect', extensions: { status: 302, location: 'https://169.254.169.254/latest/meta-data/' } })
  t.equal(requests, 1, 'the redirect was not followed')
  t.match(await rejection(at('/html')), { status: 400, slug: 'issuer-response-invalid', extensions: { rule: 'content-type' } })
  t.match(await rejection(at('/no-type')), { status: 400, slug: 'issuer-response-invalid', extensions: { rule: 'content-type' } })
  t.match(await rejection(at('/missing')), { status: 400, slug: 'issuer-response-invalid', extensions: { rule: 'status', status: 404 } })
  t.match(await rejection(at('/broken')), { status: 400, slug: 'issuer-response-invalid', extensions: { rule: 'json' } })
  t.match(await rejection(at('/declared-big')), { status: 400, slug: 'issuer-response-invalid', extensions: { rule: 'size', maxBytes: 8192 } })
  t.match(await rejection(at('/streamed-big')), { status: 400, slug: 'issuer-response-invalid', extensions: { rule: 'size', maxBytes: 8192 } })
  t.same((await at('/jwk-set')).json, { keys: [] }, 'application/jwk-set+json counts as JSON')

  // The servers never finish, so only the guard's deadline can end these reads; it also hangs up.
  t.match(await rejection(at('/slow')), { status: 504, slug: 'issuer-timeout' })
  t.match(await rejection(at('/silent')), { status: 504, slug: 'issuer-timeout' })
  await eventually(() => abandoned.length === 2 ? true : undefined)
  t.same(abandoned.sort(), ['/silent', '/slow'], 'the guard closed both connections')
})

t.test('unreachable issuers and untrusted certificates', async t => {
  const closed = createHttpsServer()
  await new Promise<void>(resolve => closed.listen(0, '127.0.0.1', resolve))
  const closedPort = (closed.address() as AddressInfo).port
  await new Promise<void>(resolve => closed.close(() => resolve()))
  const issuer = await startIssuer(t)

  const trusting = guardFor(t, { allowList: ['127.0.0.1'], allowedPorts: [closedPort, issuer.port], extraCaPem: issuer.chain.caPem })
  t.match(await rejection(trusting.fetchJson(`https://127.0.0.1:${closedPort}/`)), { status: 502, slug: 'issuer-unreachable', extensions: { networkError: 'ECONNREFUSED' } })
  const unknownName = guardFor(t, { allowedPorts: [issuer.port], lookup: async () => { throw Object.assign(new Error('nope'), { code: 'ENOTFOUND' }) } })
  t.match(await rejection(unknownName.fetchJson(`https://nowhere.example:${issuer.port}/`)), { status: 502, slug: 'issuer-unreachable', extensions: { networkError: 'ENOTFOUND' } })

  const sceptical = guardFor(t, { allowList: ['127.0.0.1'], allowedPorts: [issuer.port] })
  t.match(await rejection(sceptical.fetchJson(`${issuer.issuerUrl}/.well-known/openid-configuration`)), { status: 400, slug: 'issuer-certificate-invalid' })
  const insecure = await sceptical.fetchJson(`${issuer.issuerUrl}/.well-known/openid-configuration`, { verifyTls: false })
  t.equal(insecure.status, 200, 'verifyTls: false reads from an untrusted CA (thumbprint flow only)')
})

t.test('peerCertificateChain returns what the server sent, leaf first', async t => {
  const issuer = await startIssuer(t, { chainOptions: { intermediates: 2 } })
  const guard = guardFor(t, { allowList: ['127.0.0.1'], allowedPorts: [issuer.port], extraCaPem: issuer.chain.caPem })
  const chain = await guard.peerCertificateChain('127.0.0.1', issuer.port)
  t.same(chain.certificates.map(c => c.sha1), [issuer.chain.leaf.sha1, issuer.chain.intermediates[1].sha1, issuer.chain.intermediates[0].sha1],
    'leaf, bottom intermediate, top intermediate; the trusted root is not appended')
  t.equal(chain.authorized, true)
  t.equal(chain.certificates[0].notAfter, issuer.chain.leaf.notAfter.toISOString())
  t.match(chain.certificates[2], { subject: issuer.chain.intermediates[0].subject, issuer: issuer.chain.root.subject })
})
