import t from 'tap'
import { DescribeClusterCommand, ListClustersCommand } from '@aws-sdk/client-eks'
import { CreateOpenIDConnectProviderCommand, GetOpenIDConnectProviderCommand, ListOpenIDConnectProvidersCommand } from '@aws-sdk/client-iam'
import { Faults } from '../../emulator/faults.ts'
import { caught, eksClient, fakeClock, iamClient, startEmulator } from './helpers.ts'

const clock = fakeClock()
const emulator = await startEmulator(t, { clock: clock.now, seed: { clusters: [{ name: 'demo' }] } })
const eks = eksClient(t, emulator)
const iam = iamClient(t, emulator)

t.beforeEach(() => {
  emulator.faults.clear()
  emulator.resetCalls()
})

t.test('throttleRate 1: ThrottlingException 429, retried by the SDK, every attempt counted', async t => {
  emulator.faults.set('eks:DescribeCluster', { throttleRate: 1 })
  const retrying = eksClient(t, emulator, 3)
  const error = await caught(t, () => retrying.send(new DescribeClusterCommand({ name: 'demo' })))
  t.equal(error.name, 'ThrottlingException')
  t.equal(error.$metadata?.httpStatusCode, 429)
  t.equal(error.message, 'Rate exceeded')
  t.equal((error.$metadata as { attempts?: number }).attempts, 3)
  t.equal(emulator.calls['eks:DescribeCluster'], 3)
  t.same((await eks.send(new ListClustersCommand({}))).clusters, ['demo'], 'other operations are untouched')
})

t.test('IAM throttling is code Throttling with status 400, retried too', async t => {
  emulator.faults.set('iam', { throttleRate: 1 })
  const retrying = iamClient(t, emulator, 3)
  const error = await caught(t, () => retrying.send(new ListOpenIDConnectProvidersCommand({})))
  t.equal(error.name, 'Throttling')
  t.equal(error.$metadata?.httpStatusCode, 400)
  t.equal(emulator.calls['iam:ListOpenIDConnectProviders'], 3)
})

t.test('errorRate 1: ServerException 500 and ServiceFailure 500 (Type Receiver)', async t => {
  emulator.faults.set('*', { errorRate: 1 })
  const eksError = await caught(t, () => eks.send(new ListClustersCommand({})))
  t.equal(eksError.name, 'ServerException')
  t.equal(eksError.$metadata?.httpStatusCode, 500)
  const iamError = await caught(t, () => iam.send(new ListOpenIDConnectProvidersCommand({})))
  t.equal(iamError.name, 'ServiceFailureException')
  t.equal(iamError.$metadata?.httpStatusCode, 500)
  const raw = await fetch(emulator.url, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'Action=ListOpenIDConnectProviders&Version=2010-05-08'
  })
  t.match(await raw.text(), '<Error><Type>Receiver</Type><Code>ServiceFailure</Code>')
})

t.test('rates of 0 never fail', async t => {
  emulator.faults.set('eks', { throttleRate: 0, errorRate: 0 })
  for (let i = 0; i < 20; i++) await eks.send(new ListClustersCommand({}))
  t.equal(emulator.calls['eks:ListClusters'], 20)
})

t.test('failNext fails exactly n calls; the SDK recovers on the third attempt', async t => {
  emulator.faults.set('eks:DescribeCluster', { failNext: 2 })
  const retrying = eksClient(t, emulator, 3)
  const result = await retrying.send(new DescribeClusterCommand({ name: 'demo' }))
  t.equal(result.cluster?.name, 'demo')
  t.equal(result.$metadata.attempts, 3)
  t.equal(emulator.calls['eks:DescribeCluster'], 3)
  t.equal(emulator.faults.list()['eks:DescribeCluster'].failNext, 0)

  emulator.faults.set('iam:GetOpenIDConnectProvider', { failNext: 1, failNextWith: 'throttle' })
  const throttled = await caught(t, () => iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: 'arn:aws:iam::111122223333:oidc-provider/x' })))
  t.equal(throttled.name, 'Throttling')
  const afterwards = await caught(t, () => iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: 'arn:aws:iam::111122223333:oidc-provider/x' })))
  t.equal(afterwards.name, 'NoSuchEntityException', 'the next call reaches the operation')
})

t.test('requestsPerSecond is a token bucket per service, refilled on the emulator clock', async t => {
  emulator.faults.set('eks', { requestsPerSecond: 2 })
  await eks.send(new ListClustersCommand({}))
  await eks.send(new DescribeClusterCommand({ name: 'demo' }))
  const limited = await caught(t, () => eks.send(new ListClustersCommand({})))
  t.equal(limited.name, 'ThrottlingException')
  await iam.send(new ListOpenIDConnectProvidersCommand({}))
  t.pass('IAM has its own budget')
  clock.advance(500)
  await eks.send(new ListClustersCommand({}))
  t.pass('half a second refills one token')
  const again = await caught(t, () => eks.send(new ListClustersCommand({})))
  t.equal(again.name, 'ThrottlingException')
})

const rawEks = (path: string) => fetch(emulator.url + path)
const rawIam = (body: string) => fetch(emulator.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `${body}&Version=2010-05-08` })

t.test('failNextWith html-404, html-500, html-200: an HTML page instead of the operation, on both protocols', async t => {
  for (const [kind, status] of [['html-404', 404], ['html-500', 500], ['html-200', 200]] as const) {
    emulator.faults.set('eks:ListClusters', { failNext: 1, failNextWith: kind })
    emulator.faults.set('iam:ListOpenIDConnectProviders', { failNext: 1, failNextWith: kind })
    for (const response of [await rawEks('/clusters'), await rawIam('Action=ListOpenIDConnectProviders')]) {
      t.equal(response.status, status, `${kind}: status ${status}`)
      t.match(response.headers.get('content-type'), /^text\/html/)
      t.match(await response.text(), /^<!DOCTYPE html>/)
    }
  }
  t.same((await eks.send(new ListClustersCommand({}))).clusters, ['demo'], 'the next call is answered normally')
})

t.test('failNextWith truncated: the operation runs, its answer is cut in half', async t => {
  emulator.faults.set('eks:DescribeCluster', { failNext: 1, failNextWith: 'truncated' })
  const eksAnswer = await rawEks('/clusters/demo')
  t.equal(eksAnswer.status, 200)
  t.equal(eksAnswer.headers.get('content-type'), 'application/json')
  const eksBody = await eksAnswer.text()
  t.match(eksBody, /^\{"cluster":\{/)
  t.throws(() => JSON.parse(eksBody), SyntaxError, 'not JSON any more')
  emulator.faults.set('eks:DescribeCluster', { failNext: 1, failNextWith: 'truncated' })
  const sdkError = await caught(t, () => eks.send(new DescribeClusterCommand({ name: 'demo' })))
  t.equal(sdkError.name, 'SyntaxError', 'what the SDK makes of it')

  const url = 'https://truncated.example.com'
  emulator.faults.set('iam:CreateOpenIDConnectProvider', { failNext: 1, failNextWith: 'truncated' })
  const iamError = await caught(t, () => iam.send(new CreateOpenIDConnectProviderCommand({ Url: url, ClientIDList: ['sts.amazonaws.com'] })))
  t.match(iamError.message, /XML parse error/, 'what the SDK makes of it')
  const arn = `arn:aws:iam::${emulator.accountId}:oidc-provider/truncated.example.com`
  const created = await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }))
  t.equal(created.Url, 'truncated.example.com', 'the write behind the truncated answer took effect')
})

t.test('a target with @account or @account/region faults that scope only', async t => {
  const faults = new Faults(() => 0)
  faults.set('eks@444455556666', { throttleRate: 1 })
  faults.set('iam:GetOpenIDConnectProvider@111122223333/eu-west-1', { errorRate: 1 })
  t.equal(await faults.apply('eks:ListClusters', { accountId: '444455556666', region: 'us-east-1' }), 'throttle')
  t.equal(await faults.apply('eks:ListClusters', { accountId: '111122223333', region: 'us-east-1' }), undefined, 'another account is untouched')
  t.equal(await faults.apply('iam:GetOpenIDConnectProvider', { accountId: '111122223333', region: 'eu-west-1' }), 'error')
  t.equal(await faults.apply('iam:GetOpenIDConnectProvider', { accountId: '111122223333', region: 'us-east-1' }), undefined, 'another region is untouched')
  t.throws(() => faults.set('eks@12345', {}), /invalid fault target/)
  t.throws(() => faults.set('eks@444455556666/nowhere', {}), /invalid fault target/)
})

t.test('latencyMs delays the answer', async t => {
  emulator.faults.set('eks:ListClusters', { latencyMs: 150 })
  const started = performance.now()
  await eks.send(new ListClustersCommand({}))
  t.ok(performance.now() - started >= 140, 'took at least the configured latency')
})

t.test('faults and calls through the admin API', async t => {
  const set = await fetch(`${emulator.url}/_emulator/faults`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ 'eks:ListClusters': { errorRate: 1 } })
  })
  t.equal(set.status, 200)
  t.same(await set.json(), { 'eks:ListClusters': { errorRate: 1 } })
  t.equal((await caught(t, () => eks.send(new ListClustersCommand({})))).name, 'ServerException')
  t.same(await (await fetch(`${emulator.url}/_emulator/faults`)).json(), { 'eks:ListClusters': { errorRate: 1 } })

  const cleared = await fetch(`${emulator.url}/_emulator/faults`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ 'eks:ListClusters': null })
  })
  t.same(await cleared.json(), {})
  await eks.send(new ListClustersCommand({}))

  for (const bad of [{ 'eks:ListClusters': { throttleRate: 2 } }, { 'ec2:RunInstances': {} }, { eks: { surprise: 1 } }, { eks: { failNext: 1, failNextWith: 'html-302' } }]) {
    const response = await fetch(`${emulator.url}/_emulator/faults`, { method: 'POST', body: JSON.stringify(bad) })
    t.equal(response.status, 400, JSON.stringify(bad))
  }
  emulator.faults.set('iam', { throttleRate: 1 })
  t.equal((await fetch(`${emulator.url}/_emulator/faults`, { method: 'DELETE' })).status, 204)
  t.same(emulator.faults.list(), {})

  t.same(await (await fetch(`${emulator.url}/_emulator/calls`)).json(), { 'eks:ListClusters': 2 })
  t.equal((await fetch(`${emulator.url}/_emulator/calls`, { method: 'DELETE' })).status, 204)
  t.same(emulator.calls, {})
})
