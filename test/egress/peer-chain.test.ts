import t from 'tap'
import { createServer as createNetServer } from 'node:net'
import type { AddressInfo, Socket } from 'node:net'
import { createServer as createTlsServer } from 'node:tls'
import { createEgressGuard } from '../../src/egress/guard.ts'
import type { EgressGuardOptions } from '../../src/egress/guard.ts'
import { generateChain } from '../../emulator/pki.ts'
import type { CertificateChain } from '../../emulator/pki.ts'
import { eventually } from '../support/eventually.ts'
import { rejection } from './fixtures.ts'

type TestLike = { teardown (fn: () => unknown): void }

function guardFor (t: TestLike, options: EgressGuardOptions) {
  const guard = createEgressGuard(options)
  t.teardown(() => guard.close())
  return guard
}

/** A TLS server on the given loopback address that records the SNI name of each handshake. */
async function tlsServer (t: TestLike, chain: CertificateChain, address: string) {
  const servernames: Array<string | false> = []
  const server = createTlsServer({ cert: chain.serverChainPem, key: chain.leaf.keyPem }, socket => {
    servernames.push((socket as unknown as { servername: string | false }).servername)
    socket.end()
  })
  await new Promise<void>(resolve => server.listen(0, address, resolve))
  t.teardown(() => new Promise<void>(resolve => server.close(() => resolve())))
  return { port: (server.address() as AddressInfo).port, servernames }
}

t.test('a name is sent as SNI and connected through the guarded lookup; an IP literal is sent without SNI', async t => {
  const chain = await generateChain({ name: 'peer chain sni', hosts: ['issuer.test', '127.0.0.1'] })
  const server = await tlsServer(t, chain, '127.0.0.1')
  const lookups: string[] = []
  const guard = guardFor(t, {
    allowList: ['127.0.0.0/8'],
    allowedPorts: [server.port],
    extraCaPem: chain.caPem,
    lookup: async host => { lookups.push(host); return [{ address: '127.0.0.1', family: 4 }] }
  })
  const named = await guard.peerCertificateChain('issuer.test', server.port)
  t.same(named, {
    host: 'issuer.test',
    port: server.port,
    certificates: named.certificates,
    authorized: true
  }, 'a verified chain has no authorizationError')
  t.same(named.certificates.map(c => c.sha1), [chain.leaf.sha1, chain.intermediates[0].sha1])
  t.same(lookups, ['issuer.test'])
  await guard.peerCertificateChain('127.0.0.1', server.port)
  await eventually(() => server.servernames.length === 2 ? true : undefined)
  t.same(server.servernames, ['issuer.test', false])
})

t.test('an untrusted chain is read, with the reason it does not verify', async t => {
  const chain = await generateChain({ name: 'peer chain untrusted' })
  const server = await tlsServer(t, chain, '127.0.0.1')
  const guard = guardFor(t, { allowList: ['127.0.0.1'], allowedPorts: [server.port] })
  const result = await guard.peerCertificateChain('127.0.0.1', server.port)
  t.equal(result.authorized, false)
  t.equal(typeof result.authorizationError, 'string')
  t.match(result.authorizationError, /^[A-Z_]+$/, 'the TLS error code')
  t.equal(result.certificates.length, 2)
})

t.test('an IPv6 literal is bracketed in the URL and connected to bare', async t => {
  const chain = await generateChain({ name: 'peer chain v6', hosts: ['::1'] })
  let server: { port: number, servernames: Array<string | false> }
  try {
    server = await tlsServer(t, chain, '::1')
  } catch {
    t.comment('no IPv6 loopback on this machine; nothing to test')
    return
  }
  const guard = guardFor(t, { allowList: ['::1'], allowedPorts: [server.port], extraCaPem: chain.caPem })
  for (const host of ['::1', '[::1]']) {
    const result = await guard.peerCertificateChain(host, server.port)
    t.equal(result.host, '[::1]', host)
    t.equal(result.authorized, true, `${host}: verified against the IP address`)
  }
  await eventually(() => server.servernames.length === 2 ? true : undefined)
  t.same(server.servernames, [false, false])
})

t.test('a server that never completes the handshake: a timeout naming the target', async t => {
  const sockets: Socket[] = []
  const silent = createNetServer(socket => { sockets.push(socket) })
  await new Promise<void>(resolve => silent.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>(resolve => { for (const s of sockets) s.destroy(); silent.close(() => resolve()) }))
  const port = (silent.address() as AddressInfo).port
  const guard = guardFor(t, { allowList: ['127.0.0.1'], allowedPorts: [port], timeoutMs: 200 })
  const timeout = await rejection(guard.peerCertificateChain('127.0.0.1', port))
  t.equal(timeout.status, 504)
  t.equal(timeout.message, `127.0.0.1:${port} did not answer within 200 ms`)
  t.equal((timeout.cause as Error).message, `TLS handshake with 127.0.0.1:${port} timed out`)
})

t.test('the default port is 443', async t => {
  const guard = guardFor(t, { allowedPorts: [8443] })
  t.match(await rejection(guard.peerCertificateChain('93.184.215.14')), { slug: 'issuer-url-invalid', extensions: { rule: 'port' } })
})
