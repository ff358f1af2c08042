/**
 * Operation records through the real wire path (real SDK clients against the emulator over
 * HTTP, the real store): an association and a disassociation made with an Idempotency-Key reach
 * `succeeded` once their EKS update is Successful, within the update's duration plus a poll
 * interval, also when the service is restarted in between; a dry run records no change.
 */
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { startAwsEmulator } from '../../emulator/aws-emulator.ts'
import { sandboxServiceEnv } from '../../emulator/sandbox.ts'
import { buildApp } from '../../src/app.ts'
import { loadConfig } from '../../src/config.ts'
import { idempotencyKey, pollUntil } from './support.ts'

const TRANSITION_MS = 1500
const POLL_MS = 200
/** The update's duration, one poll interval, and room for a loaded CI machine. */
const DEADLINE_MS = TRANSITION_MS + POLL_MS + 3000

async function startService (t: Test, emulatorEnv: Record<string, string>, dataDir: string) {
  const env: Record<string, string> = { ...emulatorEnv, DATA_DIR: dataDir, WATCH_POLL_INTERVAL_MS: String(POLL_MS), WATCH_MAX_POLL_INTERVAL_MS: String(POLL_MS), REPLACE_LEASE_SECONDS: '2', MAX_EVENT_LOOP_DELAY_MS: '0' }
  process.env.AWS_ACCESS_KEY_ID = env.AWS_ACCESS_KEY_ID
  process.env.AWS_SECRET_ACCESS_KEY = env.AWS_SECRET_ACCESS_KEY
  const app = await buildApp(loadConfig(env), { logger: false })
  let closed = false
  const close = async () => { if (!closed) { closed = true; await app.close() } }
  t.teardown(close)
  const url = await app.listen({ host: '127.0.0.1', port: 0 })
  const call = async (method: string, path: string, options: { body?: unknown, headers?: Record<string, string> } = {}) => {
    const response = await fetch(url + path, {
      method,
      headers: { ...options.headers, ...(options.body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(15_000)
    })
    const text = await response.text()
    return { status: response.status, headers: response.headers, body: text === '' ? undefined : JSON.parse(text) }
  }
  return { call, close }
}

async function setUp (t: Test, transitionDelayMs = TRANSITION_MS) {
  const emulator = await startAwsEmulator({ port: 0, transitionDelayMs, seed: { clusters: [{ name: 'demo' }] } })
  t.teardown(() => emulator.close())
  const corp = emulator.createIdentityProvider({ name: 'corp' })
  const dir = await mkdtemp(join(tmpdir(), 'eks-oidc-api-operations-'))
  return { emulator, corp, env: sandboxServiceEnv(emulator), dataDir: join(dir, 'store') }
}

const associateBody = (issuerUrl: string) => ({ oidc: { identityProviderConfigName: 'corp', issuerUrl, clientId: 'kubernetes' } })

type Call = Awaited<ReturnType<typeof startService>>['call']

/** Polls the operation until it is no longer in progress; the answer and how long it took. */
async function settledOperation (call: Call, operationId: string) {
  const started = Date.now()
  const operation = await pollUntil(async () => {
    const reply = await call('GET', `/clusters/demo/operations/${operationId}`)
    return reply.body.status === 'in_progress' || reply.body.status === 'pending' ? undefined : reply.body
  }, { timeoutMs: DEADLINE_MS + 5000, intervalMs: 50 })
  return { operation, elapsedMs: Date.now() - started }
}

t.test('associate and disassociate with a key: the operation follows its update to succeeded', async t => {
  const { corp, env, dataDir } = await setUp(t)
  const { call } = await startService(t, env, dataDir)

  const associated = await call('POST', '/clusters/demo/identity-provider-configs', { body: associateBody(corp.issuerUrl), headers: { 'idempotency-key': idempotencyKey() } })
  t.equal(associated.status, 202)
  const { operationId } = associated.body
  const running = (await call('GET', `/clusters/demo/operations/${operationId}`)).body
  t.match(running, { status: 'in_progress', action: 'associateIdentityProviderConfig', resource: 'corp', updateId: associated.body.update.id })
  t.ok(running.awsCalls.some((c: { operation: string }) => c.operation === 'AssociateIdentityProviderConfig'), 'the record lists the AWS write')

  const first = await settledOperation(call, operationId)
  t.match(first.operation, { status: 'succeeded', error: null, details: { update: { status: 'Successful' } } })
  t.ok(first.elapsedMs <= DEADLINE_MS, `succeeded ${first.elapsedMs} ms after the answer (update ${TRANSITION_MS} ms, poll ${POLL_MS} ms)`)

  const disassociated = await call('DELETE', '/clusters/demo/identity-provider-configs/corp', { headers: { 'idempotency-key': idempotencyKey() } })
  t.equal(disassociated.status, 202)
  const second = await settledOperation(call, disassociated.body.operationId)
  t.match(second.operation, { status: 'succeeded', action: 'disassociateIdentityProviderConfig', resource: 'corp', updateId: disassociated.body.update.id })
  t.ok(second.elapsedMs <= DEADLINE_MS, `succeeded ${second.elapsedMs} ms after the answer`)
})

t.test('a restart in between: the next process finishes the operation from the store', async t => {
  // Long enough that the update is still running when the second process has opened the store.
  const transitionMs = 8000
  const { corp, env, dataDir } = await setUp(t, transitionMs)
  const before = await startService(t, env, dataDir)
  const associated = await before.call('POST', '/clusters/demo/identity-provider-configs', { body: associateBody(corp.issuerUrl), headers: { 'idempotency-key': idempotencyKey() } })
  t.equal(associated.status, 202)
  const answeredAt = Date.now()
  const { operationId } = associated.body
  await before.close()

  const after = await startService(t, env, dataDir)
  const resumed = (await after.call('GET', `/clusters/demo/operations/${operationId}`)).body
  t.equal(resumed.status, 'in_progress', `still running when the new process started (${Date.now() - answeredAt} ms after the answer)`)
  const { operation } = await settledOperation(after.call, operationId)
  t.match(operation, { status: 'succeeded', updateId: associated.body.update.id, details: { update: { status: 'Successful' } } })
  const elapsedMs = Date.now() - answeredAt
  t.ok(elapsedMs <= transitionMs + POLL_MS + 3000, `finished by the new process ${elapsedMs} ms after the first one answered`)
})

t.test('a dry run is recorded as a dry run, never as a change', async t => {
  const { env, dataDir } = await setUp(t)
  const { call } = await startService(t, env, dataDir)
  const dry = await call('PUT', '/clusters/demo/oidc-provider?dryRun=true', { body: {}, headers: { 'idempotency-key': idempotencyKey() } })
  t.equal(dry.status, 200)
  t.equal(dry.body.dryRun, true)
  t.same((await call('GET', '/clusters/demo/operations')).body.items, [], 'no operation recorded')
  const audit = (await call('GET', '/audit?cluster=demo')).body.items
  t.match(audit, [{ action: 'putOpenIDConnectProvider', dryRun: true, outcome: 'succeeded' }])
  t.equal(audit[0].operationId, undefined)
  t.notOk(audit[0].awsCalls.some((c: { operation: string }) => c.operation === 'CreateOpenIDConnectProvider'), 'and no write made')
})
