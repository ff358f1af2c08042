/**
 * The IRSA → Pod Identity migration run end to end: the service built from plain config values
 * (real SDK clients over HTTP to the emulator, the embedded store in a temporary directory), the
 * plan, the run, and a restart in the middle: the first process is closed while EKS refuses
 * CreatePodIdentityAssociation after the first trust step, a second one on the same store resumes
 * at the first unfinished step, through an association whose answer is lost on the way.
 */
import t from 'tap'
import { startAwsEmulator } from '../../emulator/aws-emulator.ts'
import { callsOf, idempotencyKey, pollUntil, serviceOnDisk } from './support.ts'

const CREATE = 'eks:CreatePodIdentityAssociation'
const TRUST = 'iam:UpdateAssumeRolePolicy'

t.test('migration run over real HTTP: plan, run, restart in the middle, resume to succeeded', async t => {
  const emulator = await startAwsEmulator({
    port: 0,
    seed: {
      clusters: [{ name: 'payments', addons: [{ name: 'eks-pod-identity-agent', status: 'ACTIVE' }] }],
      iamOidcProviders: [{ cluster: 'payments' }],
      roles: [
        { roleName: 'payments-api', irsa: { cluster: 'payments', serviceAccounts: ['payments:api'] } },
        { roleName: 'payments-shared', irsa: { cluster: 'payments', serviceAccounts: ['payments:cron', 'payments:worker'] } },
        { roleName: 'payments-twice-a', irsa: { cluster: 'payments', serviceAccounts: ['payments:ledger'] } },
        { roleName: 'payments-twice-b', irsa: { cluster: 'payments', serviceAccounts: ['payments:ledger'] } }
      ]
    }
  })
  t.teardown(() => emulator.close())
  const startService = await serviceOnDisk(t, emulator)
  const stepsOf = (operation: { details: { steps: Array<{ name: string, serviceAccount: string, status: string }> } }) =>
    operation.details.steps.map(s => `${s.name} ${s.serviceAccount}:${s.status}`)
  const trustOf = (roleName: string) => JSON.parse(emulator.state.roles.get(roleName)!.assumeRolePolicyDocument).Statement as Array<Record<string, any>>

  const first = await startService()
  t.teardown(() => first.app.close())
  const plan = await first.call('POST', '/clusters/payments/pod-identity-migration?dryRun=true')
  t.equal(plan.status, 200)
  t.same(plan.body.serviceAccounts.map((sa: any) => `${sa.namespace}/${sa.serviceAccount} ${sa.association.action}`),
    ['payments/api create', 'payments/cron create', 'payments/ledger ambiguous', 'payments/ledger ambiguous', 'payments/worker create'])
  t.same(callsOf(emulator, CREATE, TRUST), { [CREATE]: 0, [TRUST]: 0 }, 'the plan wrote nothing')

  // EKS fails every association until the restart: the first trust step is done, its association is not.
  emulator.faults.set(CREATE, { errorRate: 1 })
  const key = idempotencyKey()
  const started = await first.call('POST', '/clusters/payments/pod-identity-migration', undefined, { 'idempotency-key': key })
  t.equal(started.status, 202)
  const { operationId } = started.body
  t.equal(started.headers.get('location'), `/clusters/payments/operations/${operationId}`)
  t.same(stepsOf({ details: started.body }).filter(s => s.includes('ledger')), ['add-trust ledger:skipped', 'create-association ledger:skipped', 'add-trust ledger:skipped', 'create-association ledger:skipped'], 'ambiguous entries are recorded, not run')

  const midway = await pollUntil(async () => {
    const reply = await first.call('GET', `/clusters/payments/operations/${operationId}`)
    return reply.body.details.steps[0].status === 'succeeded' && callsOf(emulator, CREATE)[CREATE] > 0 ? reply.body : undefined
  }, { timeoutMs: 10_000, intervalMs: 10 })
  t.equal(midway.status, 'in_progress')
  const retried = await first.call('POST', '/clusters/payments/pod-identity-migration', undefined, { 'idempotency-key': key })
  t.match({ status: retried.status, operationId: retried.body.operationId }, { status: 202, operationId }, 'a retry with the same key answers the same run')
  const concurrent = await first.call('POST', '/clusters/payments/pod-identity-migration')
  t.match({ status: concurrent.status, code: concurrent.body.code, operationId: concurrent.body.operationId }, { status: 409, code: 'MigrationInProgress', operationId }, 'one run of a cluster at a time')
  t.same(stepsOf(midway).slice(0, 2), ['add-trust api:succeeded', 'create-association api:pending'])
  await first.app.close()
  t.equal(emulator.state.podIdentityOf('payments').associations.size, 0, 'no association before the restart')

  // The second process's first association is made, but its answer is cut: the retry sends the same token.
  emulator.faults.clear(CREATE)
  emulator.faults.set(CREATE, { failNext: 1, failNextWith: 'truncated' })
  const createsBefore = callsOf(emulator, CREATE)[CREATE]
  const restarted = await startService()
  t.teardown(() => restarted.app.close())
  const done = await pollUntil(async () => {
    const reply = await restarted.call('GET', `/clusters/payments/operations/${operationId}`)
    return reply.body.status === 'succeeded' ? reply.body : undefined
  }, { timeoutMs: 30_000, intervalMs: 50 })
  t.same(stepsOf(done), [
    'add-trust api:succeeded', 'create-association api:succeeded',
    'add-trust cron:succeeded', 'create-association cron:succeeded',
    'add-trust ledger:skipped', 'create-association ledger:skipped',
    'add-trust ledger:skipped', 'create-association ledger:skipped',
    'add-trust worker:succeeded', 'create-association worker:succeeded'
  ])
  t.equal(done.error, null)
  t.ok(callsOf(emulator, CREATE)[CREATE] - createsBefore > 3, 'the association whose answer was cut was sent again')

  const associations = [...emulator.state.podIdentityOf('payments').associations.values()]
  t.same(associations.map(a => `${a.namespace}/${a.serviceAccount} ${a.roleArn.split('/').pop()}`).sort(),
    ['payments/api payments-api', 'payments/cron payments-shared', 'payments/worker payments-shared'], 'exactly one association per service account')
  for (const role of ['payments-api', 'payments-shared']) {
    const statements = trustOf(role)
    t.equal(statements.filter(s => s.Principal?.Service === 'pods.eks.amazonaws.com').length, 1, `one Pod Identity statement in ${role}`)
    t.ok(statements.some(s => s.Action === 'sts:AssumeRoleWithWebIdentity' || s.Action?.includes?.('sts:AssumeRoleWithWebIdentity')), `the IRSA statement of ${role} is still there`)
  }
  t.equal(trustOf('payments-twice-a').length, 1, 'an ambiguous role is left alone')
  t.equal(callsOf(emulator, TRUST)[TRUST], 2, 'one trust update per role')

  const again = await restarted.call('POST', '/clusters/payments/pod-identity-migration?dryRun=true')
  t.same(again.body.serviceAccounts.filter((sa: any) => sa.association.action !== 'ambiguous').map((sa: any) => `${sa.serviceAccount} ${sa.association.action} ${sa.trust.action}`),
    ['api exists none', 'cron exists none', 'worker exists none'], 'the plan afterwards has nothing left to do')
})
