/**
 * Requests the HTTP parser refuses before any route sees them (headers over Node's size limit, a
 * malformed request line) are answered over real HTTP as problems with a request id, and the
 * connection is closed so that a keep-alive client does not send its next request on it.
 */
import { connect } from 'node:net'
import t from 'tap'
import { Client } from 'undici'
import { startHarness } from './support.ts'

async function rawExchange (serviceUrl: string, text: string): Promise<string> {
  const { hostname, port } = new URL(serviceUrl)
  const socket = connect({ host: hostname, port: Number(port) })
  socket.write(text)
  const chunks: Buffer[] = []
  for await (const chunk of socket) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('latin1')
}

t.test('headers over the size limit: 431 problem, connection closed, the next request on the client answered', async t => {
  const { serviceUrl } = await startHarness(t)
  const client = new Client(serviceUrl)
  t.teardown(() => client.close())

  const refused = await client.request({ method: 'GET', path: '/healthz', headers: { 'x-padding': 'a'.repeat(20_000) } })
  t.equal(refused.statusCode, 431)
  t.match(refused.headers['content-type'], /^application\/problem\+json/)
  t.equal(refused.headers.connection, 'close', 'the connection is closed, not kept alive')
  const problem = await refused.body.json() as Record<string, unknown>
  t.match(problem, { type: /\/problems\/bad-request$/, status: 431, code: 'HPE_HEADER_OVERFLOW', requestId: String })
  t.equal(problem.requestId, refused.headers['x-request-id'], 'the request id is in the header and the body')

  const next = await client.request({ method: 'GET', path: '/healthz' })
  t.equal(next.statusCode, 200, 'the client\'s next request gets its answer')
  await next.body.dump()
})

t.test('a malformed request line: 400 problem naming the parser\'s error', async t => {
  const { serviceUrl } = await startHarness(t)
  const answer = await rawExchange(serviceUrl, 'GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n')
  const [head, body] = answer.split('\r\n\r\n')
  t.match(head, /^HTTP\/1\.1 400 /)
  t.match(head, /\r\ncontent-type: application\/problem\+json/i)
  t.match(head, /\r\nconnection: close/i)
  t.match(JSON.parse(body), { status: 400, code: /^HPE_/, type: /\/problems\/bad-request$/ })
})
