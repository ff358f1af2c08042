import t from 'tap'
import { Client } from 'undici'
import { build } from '../support/build.ts'

async function get (client: Client, path: string) {
  const response = await client.request({ method: 'GET', path })
  return { status: response.statusCode, headers: response.headers, body: await response.body.json() as Record<string, unknown> }
}

/**
 * During close() new requests arrive on keep-alive connections opened before it (the listener
 * stays open only for the drain), so each client here opens its connection first.
 */
t.test('once close() starts: readiness fails, new requests get a 503 problem with Connection: close, in-flight requests finish', async t => {
  const { app, aws } = await build(t)
  let releaseList!: () => void
  const listing = new Promise<void>(resolve => { releaseList = resolve })
  const listStarted = Promise.withResolvers<void>()
  const originalList = aws.eks.listClusters
  aws.eks.listClusters = async (input) => {
    listStarted.resolve()
    await listing
    return originalList(input)
  }
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  const [busy, idleForApi, idleForProbe] = [new Client(address), new Client(address), new Client(address)]
  t.teardown(() => Promise.all([busy, idleForApi, idleForProbe].map(c => c.destroy())))

  t.equal((await get(idleForProbe, '/readyz')).status, 200, 'ready before shutdown')
  t.equal((await get(idleForApi, '/healthz')).status, 200)

  const inFlight = get(busy, '/clusters')
  await listStarted.promise
  const closed = app.close()
  await new Promise(resolve => setTimeout(resolve, 20))

  const refused = await get(idleForApi, '/clusters/demo')
  t.equal(refused.status, 503)
  t.match(refused.headers['content-type'], /^application\/problem\+json/)
  t.equal(refused.headers.connection, 'close', 'Connection: close')
  t.equal(refused.headers['retry-after'], '1')
  t.match(refused.body, { type: 'https://eks-oidc-api.dev/problems/shutting-down', status: 503, code: 'ServiceShuttingDown', requestId: String })
  t.notOk(aws.calls.some(c => c.operation === 'DescribeCluster'), 'the refused request made no AWS call')

  const notReady = await get(idleForProbe, '/readyz')
  t.equal(notReady.status, 503, 'readiness fails')
  t.match(notReady.body, { status: 'not-ready', checks: { shutdown: 'shutting down' } })

  releaseList()
  const finished = await inFlight
  t.equal(finished.status, 200, 'the in-flight request finished normally')
  t.same(finished.body, { clusters: ['demo'] })
  t.equal(finished.headers.connection, 'close', 'and closed its connection')
  await closed
})
