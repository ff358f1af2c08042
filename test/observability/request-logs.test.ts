import t from 'tap'
import { request } from 'undici'
import { build } from '../support/build.ts'
import type { FakeCluster } from '../support/fake-aws.ts'

interface LogLine { level: number, msg: string, reqId?: string, service?: string, operation?: string, outcome?: string, ms?: number, attempts?: number, awsRequestId?: string, error?: string }

async function buildWithLogs (t: Parameters<typeof build>[0], clusters?: FakeCluster[]) {
  const lines: LogLine[] = []
  const stream = { write: (line: string) => { lines.push(JSON.parse(line)) } }
  const built = await build(t, { clusters, deps: { logger: { level: 'debug', stream } } })
  const awsLines = () => lines.filter(l => l.msg.startsWith('aws call'))
  return { ...built, lines, awsLines }
}

const ISSUER = 'https://oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789ABCDEF0123456789'

t.test('every AWS call a request causes is logged with the request id', async t => {
  const { app, awsLines } = await buildWithLogs(t)
  const response = await app.inject({ method: 'GET', url: '/clusters/demo/oidc-provider', headers: { 'x-request-id': 'trace-abc-123' } })
  t.equal(response.statusCode, 200)
  t.match(awsLines(), [
    { level: 20, msg: 'aws call', reqId: 'trace-abc-123', service: 'eks', operation: 'DescribeCluster', outcome: 'success', ms: Number, attempts: 1, awsRequestId: 'req' },
    { level: 30, msg: 'aws call failed', reqId: 'trace-abc-123', service: 'iam', operation: 'GetOpenIDConnectProvider', outcome: 'error', error: 'NoSuchEntityException', awsRequestId: 'req-NoSuchEntityException' }
  ])
  t.equal(awsLines().length, 2)
})

t.test('the request id survives body parsing over a real connection (calls made by a POST handler)', async t => {
  const { app, awsLines } = await buildWithLogs(t)
  const origin = await app.listen({ port: 0, host: '127.0.0.1' })
  const response = await request(`${origin}/clusters/demo/identity-provider-configs?skipIssuerChecks=true`, {
    method: 'POST',
    headers: { 'x-request-id': 'post-with-body', 'idempotency-key': 'key-0123456789abcdef', 'content-type': 'application/json' },
    body: JSON.stringify({ oidc: { identityProviderConfigName: 'corp', issuerUrl: 'https://login.example.com', clientId: 'kubernetes' } })
  })
  await response.body.dump()
  t.equal(response.statusCode, 202)
  const lines = awsLines()
  t.ok(lines.some(l => l.operation === 'AssociateIdentityProviderConfig'), 'the write call is logged')
  t.same(lines.filter(l => l.reqId !== 'post-with-body'), [], 'each line carries the request id')
})

t.test('concurrent requests never borrow each other\'s id', async t => {
  const clusters = Array.from({ length: 10 }, (_, i) => ({ name: `c${i}`, issuer: ISSUER.replace('ABCDEF01', `ABCDEF0${i}`) }))
  const { app, aws, awsLines } = await buildWithLogs(t, clusters)
  const originalDescribe = aws.eks.describeCluster
  aws.eks.describeCluster = async (input) => {
    await new Promise(resolve => setTimeout(resolve, Math.random() * 20))
    return originalDescribe(input)
  }
  await Promise.all(clusters.map(c => app.inject({ method: 'GET', url: `/clusters/${c.name}/oidc-provider`, headers: { 'x-request-id': `id-${c.name}` } })))
  for (const c of clusters) {
    t.same(awsLines().filter(l => l.reqId === `id-${c.name}`).map(l => l.operation), ['DescribeCluster', 'GetOpenIDConnectProvider'], `id-${c.name}`)
  }
})

t.test('calls made outside any request are logged without a request id', async t => {
  const { app, awsLines } = await buildWithLogs(t)
  await app.services.scopes.default.clusters.describe('demo')
  t.match(awsLines(), [{ operation: 'DescribeCluster', outcome: 'success' }])
  t.notOk(awsLines()[0].reqId)
})
