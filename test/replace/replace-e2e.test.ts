/**
 * Config replacement end to end: the service built from plain config values (real SDK clients over
 * HTTP to the emulator, real HTTPS issuer for the pre-flight, the embedded store persisted in a temporary
 * directory), and a restart in the middle: the first process is closed while the disassociation
 * runs, a second one on the same store finishes the job with one EKS update per step.
 */
import t from 'tap'
import { startAwsEmulator } from '../../emulator/aws-emulator.ts'
import { callsOf, idempotencyKey, pollUntil, serviceOnDisk, writeCalls } from '../e2e/support.ts'

const TRANSITION_MS = 200
const WRITES = ['eks:AssociateIdentityProviderConfig', 'eks:DisassociateIdentityProviderConfig']

t.test('replace over real HTTP: unchanged, dry run, and a replacement that survives a restart', async t => {
  // Emulator time that can stand still, so an update is surely still running across the restart.
  let pausedAt: number | undefined
  let offset = 0
  const clock = () => pausedAt ?? Date.now() - offset
  const emulator = await startAwsEmulator({ port: 0, clock, transitionDelayMs: TRANSITION_MS, seed: { clusters: [{ name: 'demo' }] } })
  t.teardown(() => emulator.close())
  const startService = await serviceOnDisk(t, emulator)
  const until = (call: Awaited<ReturnType<typeof startService>>['call'], operationId: string, status: string) =>
    pollUntil(async () => {
      const reply = await call('GET', `/clusters/demo/operations/${operationId}`)
      return reply.body.status === status ? reply.body : undefined
    }, { timeoutMs: 30_000, intervalMs: 50 })

  const corp = emulator.createIdentityProvider({ name: 'corp' })
  const v1 = { identityProviderConfigName: 'corp', issuerUrl: corp.issuerUrl, clientId: 'kubernetes', usernameClaim: 'email' }
  const v2 = { ...v1, clientId: 'kubernetes-v2', groupsClaim: 'groups', groupsPrefix: 'oidc:' }

  const first = await startService()
  t.teardown(() => first.app.close())

  // No config yet: a plain association, through the real issuer pre-flight.
  const associated = await first.call('PUT', '/clusters/demo/identity-provider-configs/corp', { oidc: v1 }, { 'idempotency-key': idempotencyKey() })
  t.equal(associated.status, 202)
  t.match(associated.body, { outcome: 'started', plan: 'associate', issuerChecks: 'passed' })
  t.equal(associated.headers.get('location'), `/clusters/demo/operations/${associated.body.operationId}`)
  await until(first.call, associated.body.operationId, 'succeeded')

  await t.test('the same config again: 200 unchanged, no AWS write', async t => {
    const before = writeCalls(emulator, 'eks')
    const unchanged = await first.call('PUT', '/clusters/demo/identity-provider-configs/corp', { oidc: v1 })
    t.equal(unchanged.status, 200)
    t.match(unchanged.body, { outcome: 'unchanged', identityProviderConfig: { oidc: { clientId: 'kubernetes', status: 'ACTIVE' } } })
    t.same(writeCalls(emulator, 'eks'), before)
  })

  await t.test('dry run: the plan, the downtime window, and no change', async t => {
    const before = writeCalls(emulator, 'eks')
    const plan = await first.call('PUT', '/clusters/demo/identity-provider-configs/corp?dryRun=true', { oidc: v2 })
    t.equal(plan.status, 200)
    t.match(plan.body, { outcome: 'dry-run', plan: 'replace', issuerChecks: 'passed', expectedDowntime: { minMinutes: 20, maxMinutes: 40 } })
    t.same(plan.body.steps.map((s: { name: string }) => s.name), ['disassociate', 'wait-gone', 'associate'])
    t.same(writeCalls(emulator, 'eks'), before)
    const described = await first.call('GET', '/clusters/demo/identity-provider-configs/corp')
    t.match(described.body.identityProviderConfig.oidc, { clientId: 'kubernetes', status: 'ACTIVE' })
  })

  await t.test('replacement with a restart in the middle', async t => {
    const before = callsOf(emulator, ...WRITES)
    const started = await first.call('PUT', '/clusters/demo/identity-provider-configs/corp', { oidc: v2 }, { 'idempotency-key': idempotencyKey() })
    t.equal(started.status, 202)
    const { operationId } = started.body
    t.match(started.body, { outcome: 'started', plan: 'replace', expectedDowntime: { minMinutes: 20, maxMinutes: 40 } })

    // Freeze emulator time once the disassociation is under way, then stop the service.
    await pollUntil(async () => callsOf(emulator, WRITES[1])[WRITES[1]] > before[WRITES[1]] || undefined, { timeoutMs: 10_000, intervalMs: 5 })
    pausedAt = clock()
    const midway = await pollUntil(async () => {
      const reply = await first.call('GET', `/clusters/demo/operations/${operationId}`)
      return reply.body.details.steps[0].updateId ? reply.body : undefined
    }, { timeoutMs: 10_000, intervalMs: 10 })
    t.match(midway.details.steps, [{ name: 'disassociate', status: 'in_progress' }, { status: 'pending' }, { status: 'pending' }])
    await first.app.close()
    t.equal(callsOf(emulator, WRITES[0])[WRITES[0]], before[WRITES[0]], 'nothing associated before the restart')

    const second = await startService()
    t.teardown(() => second.app.close())
    offset = Date.now() - pausedAt
    pausedAt = undefined

    const done = await until(second.call, operationId, 'succeeded')
    t.same(done.details.steps.map((s: { name: string, status: string }) => `${s.name}:${s.status}`), ['disassociate:succeeded', 'wait-gone:succeeded', 'associate:succeeded'])
    t.equal(done.details.steps[0].updateId, midway.details.steps[0].updateId, 'the resumed step followed the same update')
    const after = callsOf(emulator, ...WRITES)
    t.equal(after[WRITES[1]] - before[WRITES[1]], 1, 'exactly one disassociation')
    t.equal(after[WRITES[0]] - before[WRITES[0]], 1, 'exactly one association')
    const described = await second.call('GET', '/clusters/demo/identity-provider-configs/corp')
    t.match(described.body.identityProviderConfig.oidc, { clientId: 'kubernetes-v2', groupsPrefix: 'oidc:', status: 'ACTIVE' })
    const update = await second.call('GET', `/clusters/demo/updates/${done.details.steps[2].updateId}`)
    t.match(update.body.update, { type: 'AssociateIdentityProviderConfig', status: 'Successful' })
  })
})
