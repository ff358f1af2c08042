import t from 'tap'
import { Client } from 'undici'
import { build } from '../support/build.ts'

/**
 * During close() the server no longer accepts connections, so a "new request" can only arrive on
 * a connection that is busy with an in-flight request: each client pipelines its second request
 * behind a slow first one, after close() has started.
 */
t.test('once close() starts: readiness fails, new requests get a 503 problem with Connection: close, in-flight requests finish', async t => {
  const { app, aws } = await build(t)
  let releaseList!: () => void
  const listing = new Promise<void>(resolve => { releaseList = resolve })
  let listCalls = 0
  const originalList = aws.eks.listClusters
  aws.eks.listClusters = async (input) => {
    listCalls++
    await listing
    return originalList(input)
  }
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  const clients = [new Client(address, { pipelining: 2 }), new Client(address, { pipelining: 2 })]
  t.teardown(() => Promise.all(clients.map(c => c.destroy())))

  const ready = await clients[0].request({ method: 'GET', path: '/readyz' })
  t.equal(ready.statusCode, 200, 'ready before shutdown')
  await ready.body.dump()

  const inFlight = clients.map(c => c.request({ method: 'GET', path: '/clusters' }))
  while (listCalls < 2) await new Promise(resolve => setTimeout(resolve, 5))
  const closed = app.close()
  await new Promise(resolve => setTimeout(resolve, 20))

  const refused = clients[0].request({ method: 'GET', path: '/clusters/demo' })
  const readiness = clients[1].request({ method: 'GET', path: '/readyz' })
  releaseList()

  for (const [i, pending] of inFlight.entries()) {
    const finished = await pending
    t.equal(finished.statusCode, 200, `in-flight request ${i} finished normally`)
    t.same(await finished.body.json(), { clusters: ['demo'] })
  }

  const problem = await refused
  t.equal(problem.statusCode, 503)
  t.match(problem.headers['content-type'], /^application\/problem\+json/)
  t.equal(problem.headers.connection, 'close', 'Connection: close')
  t.equal(problem.headers['retry-after'], '1')
  t.match(await problem.body.json(), { type: 'https://eks-oidc-api.dev/problems/shutting-down', status: 503, code: 'ServiceShuttingDown', requestId: String })
  t.notOk(aws.calls.some(c => c.operation === 'DescribeCluster'), 'the refused request made no AWS call')

  const notReady = await readiness
  t.equal(notReady.statusCode, 503, 'readiness fails')
  t.match(await notReady.body.json(), { status: 'not-ready', checks: { shutdown: 'shutting down' } })
  await closed
})
