/**
 * The aws_* metrics of the real wiring (real SDK clients, instrumented ports) after real requests
 * to the emulator: what `/metrics` counts is what went over the wire.
 */
import t from 'tap'
import { parseSamples, sampleValue } from '../observability/prometheus-text.ts'
import { callsOf, startHarness } from './support.ts'

t.test('AWS calls are counted by service, operation and outcome, with the SDK\'s retries', async t => {
  const { emulator, call, serviceUrl } = await startHarness(t, { emulator: { seed: { clusters: [{ name: 'demo' }] } }, env: { AWS_MAX_ATTEMPTS: '3' } })

  t.equal((await call('GET', '/clusters')).status, 200)
  emulator.faults.set('eks:DescribeCluster', { failNext: 1, failNextWith: 'error' })
  t.equal((await call('GET', '/clusters/demo')).status, 200, 'one ServerException, then the SDK\'s retry succeeds')
  t.equal((await call('GET', '/clusters/missing')).status, 404)
  t.equal((await call('GET', '/clusters/demo/oidc-provider')).status, 200, 'no IAM provider yet: IAM answers NoSuchEntity')
  emulator.faults.set('eks:ListClusters', { throttleRate: 1 })
  t.equal((await call('GET', '/clusters')).status, 503)
  t.same(callsOf(emulator, 'eks:ListClusters'), { 'eks:ListClusters': 1 + 3 }, 'the emulator saw every attempt')

  const scraped = await fetch(`${serviceUrl}/metrics`, { signal: AbortSignal.timeout(15_000) })
  t.equal(scraped.status, 200)
  const samples = parseSamples(await scraped.text())
  const calls = (operation: string, outcome: string) => sampleValue(samples, 'aws_calls_total', { service: 'eks', operation, outcome })
  t.equal(calls('ListClusters', 'success'), 1)
  t.equal(calls('ListClusters', 'throttled'), 1, 'a call is counted once, however many attempts it took')
  t.equal(calls('DescribeCluster', 'success'), 1)
  t.equal(calls('DescribeCluster', 'error'), 1, 'ResourceNotFoundException is an error outcome')
  t.equal(sampleValue(samples, 'aws_calls_total', { service: 'iam', operation: 'GetOpenIDConnectProvider', outcome: 'error' }), 1, 'NoSuchEntity is an error outcome')
  t.equal(sampleValue(samples, 'aws_call_retries_total', { service: 'eks', operation: 'ListClusters' }), 2, 'attempts - 1: the throttled call\'s two retries')
  t.equal(sampleValue(samples, 'aws_call_retries_total', { service: 'eks', operation: 'DescribeCluster' }), 1, 'the retry after the ServerException')
  t.equal(sampleValue(samples, 'aws_call_duration_seconds_count', { service: 'eks', operation: 'DescribeCluster', outcome: 'success' }), 1)
  t.ok(sampleValue(samples, 'aws_call_duration_seconds_sum', { service: 'eks', operation: 'DescribeCluster', outcome: 'success' }) > 0, 'a real call takes time')
})
