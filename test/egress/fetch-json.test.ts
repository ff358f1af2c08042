import t from 'tap'
import { request } from 'undici'
import { createConnectPolicy } from '../../src/egress/connect-policy.ts'
import { createEgressGuard, EGRESS_DEFAULTS } from '../../src/egress/guard.ts'
import { createGuardedAgent } from '../../src/egress/fetch-json.ts'
import { ServiceError } from '../../src/errors.ts'
import { rejection, startHttpsServer } from './fixtures.ts'

type TestLike = { teardown (fn: () => unknown): void }

/** An HTTPS server on loopback answering each path as the table says, and a guard allowed to reach it. */
async function serverAndGuard (t: TestLike, routes: Record<string, (res: import('node:http').ServerResponse) => void>, maxBodyBytes = 64) {
  const seen: Array<{ url?: string, accept?: string, userAgent?: string }> = []
  const server = await startHttpsServer(t, {
    handler: () => (req, res) => {
      seen.push({ url: req.url, accept: req.headers.accept, userAgent: req.headers['user-agent'] })
      const route = routes[req.url ?? '']
      if (route) route(res)
      else res.writeHead(500).end()
    }
  })
  const guard = createEgressGuard({ allowList: ['127.0.0.1'], allowedPorts: [server.port], extraCaPem: server.chain.caPem, maxBodyBytes, timeoutMs: 2000 })
  t.teardown(() => guard.close())
  const at = (path: string) => guard.fetchJson(`${server.origin}${path}`)
  return { server, guard, at, seen }
}

const json = (status: number, body: string, headers: Record<string, string | number | string[]> = {}) =>
  (res: import('node:http').ServerResponse) => { res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body) }

t.test('the request: a GET that asks for JSON and names the service', async t => {
  const { at, seen } = await serverAndGuard(t, { '/ok': json(200, '{"a":1}') })
  const response = await at('/ok')
  t.same(response.json, { a: 1 })
  t.equal(response.bytes, 7)
  t.same(seen, [{ url: '/ok', accept: 'application/json', userAgent: 'eks-oidc-api' }])
})

t.test('statuses: 2xx is read, 3xx is a redirect, the rest is refused, each named in the detail', async t => {
  const { server, at } = await serverAndGuard(t, {
    '/299': json(299, '{}'),
    '/300': json(300, '{}', { location: '/elsewhere' }),
    '/399': json(399, '{}'),
    '/400': json(400, '{}'),
    '/199': json(199, '{}')
  })
  t.equal((await at('/299')).status, 299)
  const redirect = await rejection(at('/300'))
  t.equal(redirect.slug, 'issuer-redirect')
  t.equal(redirect.message, `${server.origin}/300 answered 300; redirects are not followed`)
  t.same(redirect.extensions, { target: `${server.origin}/300`, status: 300, location: '/elsewhere' })
  t.equal((await rejection(at('/399'))).slug, 'issuer-redirect')
  const refused = await rejection(at('/400'))
  t.equal(refused.slug, 'issuer-response-invalid')
  t.equal(refused.message, `${server.origin}/400 answered 400`)
  t.same(refused.extensions, { target: `${server.origin}/400`, rule: 'status', status: 400 })
})

t.test('content types: JSON and +json only, with the refused type in the detail', async t => {
  const { server, at } = await serverAndGuard(t, {
    '/upper': json(200, '{}', { 'content-type': 'APPLICATION/JSON' }),
    '/params': json(200, '{}', { 'content-type': 'application/json ; charset=utf-8' }),
    '/problem': json(200, '{}', { 'content-type': 'application/problem+json' }),
    '/jsonx': json(200, '{}', { 'content-type': 'application/jsonx' }),
    '/text-json': json(200, '{}', { 'content-type': 'text/json' }),
    '/prefixed': json(200, '{}', { 'content-type': 'x-application/json' }),
    '/none': res => { res.writeHead(200).end('{}') }
  })
  for (const path of ['/upper', '/params', '/problem']) t.same((await at(path)).json, {}, path)
  for (const path of ['/jsonx', '/text-json', '/prefixed']) {
    t.match(await rejection(at(path)), { slug: 'issuer-response-invalid', extensions: { rule: 'content-type' } }, path)
  }
  const jsonx = await rejection(at('/jsonx'))
  t.equal(jsonx.message, `${server.origin}/jsonx answered with content type application/jsonx, not JSON`)
  t.equal(jsonx.extensions?.contentType, 'application/jsonx')
  t.equal((await rejection(at('/none'))).message, `${server.origin}/none answered with content type (none), not JSON`)
})

t.test('sizes: exactly the cap is read, one byte more is refused, declared or streamed', async t => {
  const exact = `"${'x'.repeat(62)}"`
  const over = `"${'x'.repeat(63)}"`
  const { server, at } = await serverAndGuard(t, {
    '/exact': json(200, exact, { 'content-length': 64 }),
    '/declared-over': json(200, over, { 'content-length': 65 }),
    '/streamed-exact': res => { res.writeHead(200, { 'content-type': 'application/json' }); res.write(exact.slice(0, 30)); res.end(exact.slice(30)) },
    '/streamed-over': res => { res.writeHead(200, { 'content-type': 'application/json' }); res.write(over.slice(0, 30)); res.end(over.slice(30)) },
    '/cookies': json(200, '{}', { 'set-cookie': ['a=1', 'b=2'] })
  })
  t.equal((await at('/exact')).bytes, 64)
  const declared = await rejection(at('/declared-over'))
  t.equal(declared.message, `${server.origin}/declared-over declared 65 bytes, more than 64`)
  t.same(declared.extensions, { target: `${server.origin}/declared-over`, rule: 'size', maxBytes: 64 })
  const streamed = await at('/streamed-exact')
  t.equal(streamed.bytes, 64)
  t.equal(streamed.json, exact.slice(1, -1))
  const streamedOver = await rejection(at('/streamed-over'))
  t.equal(streamedOver.message, `${server.origin}/streamed-over sent more than 64 bytes`)
  t.same(streamedOver.extensions, { target: `${server.origin}/streamed-over`, rule: 'size', maxBytes: 64 })
  t.equal((await at('/cookies')).headers['set-cookie'], 'a=1, b=2', 'repeated headers are joined')
})

t.test('a body that is not JSON is named in the detail', async t => {
  const { server, at } = await serverAndGuard(t, { '/broken': json(200, '{"a":'), '/empty': json(200, '') })
  const broken = await rejection(at('/broken'))
  t.equal(broken.message, `${server.origin}/broken sent a body that is not valid JSON`)
  t.same(broken.extensions, { target: `${server.origin}/broken`, rule: 'json' })
  t.match(await rejection(at('/empty')), { extensions: { rule: 'json' } })
})

t.test('the deadline is named in the detail', async t => {
  const server = await startHttpsServer(t, { handler: () => () => {} })
  const guard = createEgressGuard({ allowList: ['127.0.0.1'], allowedPorts: [server.port], extraCaPem: server.chain.caPem, timeoutMs: 300 })
  t.teardown(() => guard.close())
  const timeout = await rejection(guard.fetchJson(`${server.origin}/silent`))
  t.equal(timeout.status, 504)
  t.equal(timeout.message, `${server.origin}/silent did not answer within 300 ms`)
  t.same(timeout.extensions, { target: `${server.origin}/silent`, timeoutMs: 300 })
})

t.test('the guarded agent refuses plain http and judges the port of a URL without one as 443', async t => {
  const policy = createConnectPolicy({ allowedPorts: [8443], allowList: [] })
  const agent = createGuardedAgent(policy, { timeoutMs: 1000, maxBodyBytes: 64 }, true)
  t.teardown(() => agent.close())
  const refusal = async (url: string) => {
    try {
      await request(url, { dispatcher: agent })
    } catch (err) {
      if (err instanceof ServiceError) return err
      throw err
    }
    throw new Error('expected a refusal')
  }
  const http = await refusal('http://93.184.215.14:8443/')
  t.equal(http.slug, 'issuer-url-invalid')
  t.equal(http.message, 'only https connections are made')
  t.same(http.extensions, { rule: 'https' })
  const port = await refusal('https://93.184.215.14/')
  t.same(port.extensions, { rule: 'port', port: 443 })
  t.equal((await refusal('https://10.0.0.1:8443/')).slug, 'issuer-address-forbidden')
})

t.test('the guard: defaults, a purpose per fetch, and close', async t => {
  const defaults = createEgressGuard()
  t.same(defaults.allowedPorts, [443])
  t.equal(defaults.timeoutMs, EGRESS_DEFAULTS.timeoutMs)
  t.equal(defaults.timeoutMs, 5000)
  t.equal(defaults.maxBodyBytes, 262144)
  t.match(await rejection(defaults.fetchJson('https://issuer.example/?q')), { extensions: { rule: 'no-query' } }, 'issuer by default')
  t.equal(defaults.checkUrl('https://issuer.example/keys?v=1', 'resource').search, '?v=1')
  t.match((() => { try { defaults.checkUrl('https://issuer.example/?q') } catch (err) { return err } })(), { extensions: { rule: 'no-query' } })
  await defaults.close()

  const { server, guard, at } = await serverAndGuard(t, { '/keys?v=1': json(200, '{}'), '/a': json(200, '{}') })
  t.same((await guard.fetchJson(`${server.origin}/keys?v=1`, { purpose: 'resource' })).json, {})
  t.same((await at('/a')).json, {})
  await guard.close()
  t.same((await at('/a')).json, {}, 'a fetch after close gets a new agent')
  t.same((await guard.fetchJson(`${server.origin}/a`, { verifyTls: false })).json, {})
})
