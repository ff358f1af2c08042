/**
 * EKS times out or throttles: an ambiguous failure releases the Idempotency-Key, and every later
 * attempt of the same request (the SDK's own retries and the client's retry with the same key)
 * carries the identical clientRequestToken, so EKS makes exactly one update. A recording proxy
 * between the service process and the emulator captures each attempt's token.
 */
import t from 'tap'
import { startAwsEmulator } from '../../emulator/aws-emulator.ts'
import { associate, idempotencyKey, embeddedStoreEnv, startServiceProcess } from './processes.ts'
import { startRecordingProxy } from './recording-proxy.ts'

const ASSOCIATE = 'eks:AssociateIdentityProviderConfig'
const REQUEST_TIMEOUT_MS = 500
const MAX_ATTEMPTS = 2
const LIST = 'eks:ListIdentityProviderConfigs'
const CLUSTERS = ['slow', 'throttled', 'throttled-once', 'check-throttled']

const emulator = await startAwsEmulator({ port: 0, seed: { clusters: CLUSTERS.map((name) => ({ name })) } })
t.teardown(() => emulator.close())
const proxy = await startRecordingProxy(emulator.url)
t.teardown(() => proxy.close())
const service = await startServiceProcess(t, proxy.url, {
  ...embeddedStoreEnv(t),
  AWS_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
  AWS_MAX_ATTEMPTS: String(MAX_ATTEMPTS)
})

const tokensSentFor = (cluster: string) => proxy.writes.filter((w) => w.cluster === cluster).map((w) => w.clientRequestToken)
const updatesOf = (cluster: string) => emulator.state.clusters.get(cluster)?.updates ?? []

t.test('EKS answers after the request timeout: 504, then the retry re-sends the token and gets the update EKS made', async (t) => {
  emulator.faults.set(ASSOCIATE, { latencyMs: REQUEST_TIMEOUT_MS * 3 })
  t.teardown(() => emulator.faults.clear(ASSOCIATE))
  const key = idempotencyKey()

  const timedOut = await associate(service.url, key, 'slow')
  t.equal(timedOut.status, 504, 'every SDK attempt timed out')
  t.equal(timedOut.body?.code, 'UpstreamTimeout')
  const attempts = tokensSentFor('slow').length
  t.equal(attempts, MAX_ATTEMPTS, 'the SDK retried the timeout')
  // EKS carried on with each attempt the service gave up on.
  await proxy.writesAnswered(proxy.writes.length)
  t.equal(updatesOf('slow').length, 1, 'the timed-out attempts made one update')

  emulator.faults.clear(ASSOCIATE)
  const retried = await associate(service.url, key, 'slow')
  t.equal(retried.status, 202, 'the retry with the same key gets the 202')
  t.equal(retried.headers.get('idempotent-replayed'), 'false', 'the 504 was not stored')
  t.equal(retried.body.update.id, updatesOf('slow')[0]?.id, 'naming the update the timed-out attempt made')
  t.same(tokensSentFor('slow'), Array(attempts + 1).fill(`eks-oidc-api-${retried.body.operationId}`),
    'every attempt carried the operation\'s token')
  t.equal(updatesOf('slow').length, 1, 'still one update')
})

t.test('EKS throttles every SDK attempt: 503 with Retry-After, then the retry re-sends the token and makes the update', async (t) => {
  emulator.faults.set(ASSOCIATE, { failNext: MAX_ATTEMPTS, failNextWith: 'throttle' })
  t.teardown(() => emulator.faults.clear(ASSOCIATE))
  const key = idempotencyKey()

  const throttled = await associate(service.url, key, 'throttled')
  t.equal(throttled.status, 503, 'throttled on every SDK attempt')
  t.ok(Number(throttled.headers.get('retry-after')) >= 1, 'with Retry-After')
  t.equal(updatesOf('throttled').length, 0, 'throttled attempts made nothing')

  const retried = await associate(service.url, key, 'throttled')
  t.equal(retried.status, 202)
  t.equal(retried.headers.get('idempotent-replayed'), 'false', 'the 503 was not stored')
  t.same(tokensSentFor('throttled'), Array(MAX_ATTEMPTS + 1).fill(`eks-oidc-api-${retried.body.operationId}`),
    'the throttled attempts and the retry carried the same token')
  t.equal(updatesOf('throttled').length, 1, 'one update')
  t.equal(retried.body.update.id, updatesOf('throttled')[0]?.id)
})

t.test('EKS throttles the first attempt only: the SDK retry carries the same token and the client gets the 202', async (t) => {
  emulator.faults.set(ASSOCIATE, { failNext: 1, failNextWith: 'throttle' })
  t.teardown(() => emulator.faults.clear(ASSOCIATE))

  const reply = await associate(service.url, idempotencyKey(), 'throttled-once')
  t.equal(reply.status, 202)
  t.same(tokensSentFor('throttled-once'), Array(2).fill(`eks-oidc-api-${reply.body.operationId}`), 'both attempts carried the operation\'s token')
  t.equal(updatesOf('throttled-once').length, 1, 'one update')
  t.equal(reply.body.update.id, updatesOf('throttled-once')[0]?.id)
})

t.test('a check before the write is throttled on every attempt: 503, and the retry runs the checks again before the one write', async (t) => {
  emulator.faults.set(LIST, { failNext: MAX_ATTEMPTS, failNextWith: 'throttle' })
  t.teardown(() => emulator.faults.clear(LIST))
  const key = idempotencyKey()
  const listCalls = () => emulator.calls[LIST] ?? 0

  const throttled = await associate(service.url, key, 'check-throttled')
  t.equal(throttled.status, 503, 'the adoption check was throttled on every SDK attempt')
  t.equal(tokensSentFor('check-throttled').length, 0, 'nothing was written to EKS')

  const listsBefore = listCalls()
  const retried = await associate(service.url, key, 'check-throttled')
  t.equal(retried.status, 202)
  t.equal(retried.headers.get('idempotent-replayed'), 'false')
  t.equal(listCalls(), listsBefore + 1, 'the retry ran the adoption check again: the recovery point was put back')
  t.same(tokensSentFor('check-throttled'), [`eks-oidc-api-${retried.body.operationId}`], 'then wrote once, with the operation\'s token')
  t.equal(updatesOf('check-throttled').length, 1)
})
