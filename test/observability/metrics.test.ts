import { randomUUID } from 'node:crypto'
import t from 'tap'
import { build } from '../support/build.ts'
import { parseSamples, sampleValue } from './prometheus-text.ts'

async function scrape (app: Awaited<ReturnType<typeof build>>['app']) {
  const response = await app.inject({ method: 'GET', url: '/metrics' })
  t.equal(response.statusCode, 200)
  t.match(response.headers['content-type'], /^text\/plain; version=0\.0\.4/)
  return parseSamples(response.body)
}

t.test('HTTP requests are counted and timed by route template, method and status', async t => {
  const { app } = await build(t)
  await app.inject({ method: 'GET', url: '/clusters/demo' })
  await app.inject({ method: 'GET', url: '/clusters/demo' })
  await app.inject({ method: 'GET', url: '/clusters/missing' })
  await app.inject({ method: 'GET', url: '/no/such/route/1' })
  await app.inject({ method: 'GET', url: '/no/such/route/2' })
  const samples = await scrape(app)
  t.equal(sampleValue(samples, 'http_requests_total', { route: '/clusters/:name', method: 'GET', status: '200' }), 2)
  t.equal(sampleValue(samples, 'http_requests_total', { route: '/clusters/:name', method: 'GET', status: '404' }), 1)
  t.equal(sampleValue(samples, 'http_requests_total', { route: 'unmatched', method: 'GET', status: '404' }), 2, 'raw paths never become labels')
  t.equal(sampleValue(samples, 'http_request_duration_seconds_count', { route: '/clusters/:name', method: 'GET', status: '200' }), 2)
  t.equal(sampleValue(samples, 'http_request_duration_seconds_bucket', { route: '/clusters/:name', method: 'GET', status: '200', le: '+Inf' }), 2)
  t.ok(sampleValue(samples, 'process_cpu_user_seconds_total') > 0, 'default process metrics')
  t.ok(samples.some(s => s.name === 'nodejs_eventloop_lag_seconds'), 'default Node.js metrics')
})

// The aws_* metrics of real SDK calls are tested end to end: test/e2e/aws-metrics.test.ts.

const putProvider = (app: Awaited<ReturnType<typeof build>>['app'], key: string, body: object = {}) =>
  app.inject({ method: 'PUT', url: '/clusters/demo/oidc-provider', headers: { 'idempotency-key': key }, payload: body })

t.test('idempotency outcomes are counted by the change pipeline, from real requests', async t => {
  const { app, aws } = await build(t)
  const key = `metrics-${randomUUID()}`
  // Hold the first create until a second request with the same key has been turned away.
  let release = () => {}
  const held = new Promise<void>(resolve => { release = resolve })
  let entered = () => {}
  const inCreate = new Promise<void>(resolve => { entered = resolve })
  const create = aws.iam.createOpenIDConnectProvider
  aws.iam.createOpenIDConnectProvider = async (input) => { entered(); await held; return create(input) }

  const first = putProvider(app, key)
  await inCreate
  t.equal((await putProvider(app, key)).statusCode, 409, 'the same key while the first runs')
  release()
  t.equal((await first).statusCode, 201)
  t.equal((await putProvider(app, key)).statusCode, 201, 'replayed')
  t.equal((await putProvider(app, key)).headers['idempotent-replayed'], 'true')
  t.equal((await putProvider(app, key, { ClientIDList: ['other'] })).statusCode, 422, 'the key with another body')

  const samples = await scrape(app)
  t.equal(sampleValue(samples, 'idempotency_outcomes_total', { outcome: 'new' }), 1)
  t.equal(sampleValue(samples, 'idempotency_outcomes_total', { outcome: 'conflict' }), 1)
  t.equal(sampleValue(samples, 'idempotency_outcomes_total', { outcome: 'replayed' }), 2)
  t.equal(sampleValue(samples, 'idempotency_outcomes_total', { outcome: 'mismatch' }), 1)
})

t.test('cluster identity cache events are counted by the real cache', async t => {
  const { app } = await build(t)
  await app.inject({ method: 'GET', url: '/clusters/demo/oidc-provider' })
  await app.inject({ method: 'GET', url: '/clusters/demo/oidc-provider' })
  const samples = await scrape(app)
  t.equal(sampleValue(samples, 'cache_events_total', { cache: 'cluster-identity', result: 'miss' }), 1)
  t.equal(sampleValue(samples, 'cache_events_total', { cache: 'cluster-identity', result: 'hit' }), 1)
})

t.test('each app has its own registry', async t => {
  const first = await build(t)
  const second = await build(t)
  await first.app.inject({ method: 'GET', url: '/clusters' })
  t.equal(sampleValue(await scrape(first.app), 'http_requests_total', { route: '/clusters' }), 1)
  t.equal(sampleValue(await scrape(second.app), 'http_requests_total', { route: '/clusters' }), 0)
})

t.test('/metrics is public and documented as Prometheus text', async t => {
  const { app } = await build(t)
  const document = app.swagger() as { paths: Record<string, { get: { security: unknown[], responses: Record<string, { content: object }> } }> }
  const operation = document.paths['/metrics'].get
  t.same(operation.security, [], 'no credentials')
  t.same(Object.keys(operation.responses['200'].content), ['text/plain'])
  const response = await app.inject({ method: 'GET', url: '/metrics' })
  t.match(response.headers['content-type'], /^text\/plain/)
  t.match(response.body, /^# HELP /, 'sent as text, not as a JSON string')
})
