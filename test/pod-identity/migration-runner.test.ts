/**
 * The migration step runner on fake step actions and the embedded store: each step, resumption at
 * the first unfinished step by a second runner, a conflict recorded on its step, retries of a
 * passing failure.
 */
import { randomUUID } from 'node:crypto'
import t, { type Test } from 'tap'
import { problem } from '../../src/errors.ts'
import { MigrationRunner } from '../../src/pod-identity/migration-runner.ts'
import { associationToken, MIGRATION_ACTION, StepConflict, type MigrationStep } from '../../src/pod-identity/migration-steps.ts'
import { testStore } from '../support/build.ts'
import { eventually } from '../support/eventually.ts'

const silent = { debug () {}, info () {}, warn () {}, error () {} }
const ROLE = 'arn:aws:iam::111122223333:role/api'

interface Calls { trust: string[], create: Array<{ token?: string, sa: string }> }

function fakeActions (behaviour: { createFails?: () => Error | undefined } = {}) {
  const calls: Calls = { trust: [], create: [] }
  const trusted = new Set<string>()
  const actions = {
    async addTrust (roleArn: string) {
      calls.trust.push(roleArn)
      if (trusted.has(roleArn)) return 'already' as const
      trusted.add(roleArn)
      return 'added' as const
    },
    async createAssociation (_cluster: string, step: MigrationStep) {
      const failure = behaviour.createFails?.()
      if (failure) throw failure
      calls.create.push({ token: step.clientRequestToken, sa: `${step.namespace}/${step.serviceAccount}` })
      return `a-${step.serviceAccount}`
    }
  }
  return { actions, calls }
}

function stepsFor (id: string, serviceAccounts: string[]): MigrationStep[] {
  return serviceAccounts.flatMap((sa, i) => [
    { name: 'add-trust' as const, namespace: 'payments', serviceAccount: sa, roleArn: ROLE, status: 'pending' as const },
    { name: 'create-association' as const, namespace: 'payments', serviceAccount: sa, roleArn: ROLE, status: 'pending' as const, clientRequestToken: associationToken(id, 2 * i + 1) }
  ])
}

type Actions = ConstructorParameters<typeof MigrationRunner>[0]['actionsOf']

/** A store with one migration operation holding `steps`, leased to the runner, and the runner. */
async function startOperation (t: Test, actions: ReturnType<Actions>, steps: (id: string) => MigrationStep[]) {
  const store = await testStore()
  const runner = new MigrationRunner({ operations: store.operations, actionsOf: () => actions, retryIntervalMs: 5, leaseMs: 60_000, log: silent })
  t.teardown(() => runner.close())
  const id = randomUUID()
  await store.operations.create({ id, principal: 'test', action: MIGRATION_ACTION, cluster: 'payments', resource: 'payments', now: new Date() })
  await store.operations.startExclusive(id, { action: MIGRATION_ACTION, cluster: 'payments', resource: 'payments', details: { steps: steps(id) }, lease: runner.lease() })
  return { store, runner, id }
}

async function runToEnd (t: Test, actions: ReturnType<Actions>, steps: (id: string) => MigrationStep[]) {
  const { store, runner, id } = await startOperation(t, actions, steps)
  runner.kick(id)
  await runner.idle(id)
  return { id, done: (await store.operations.get(id))! }
}

const statuses = (steps: MigrationStep[]) => steps.map(s => `${s.name} ${s.serviceAccount}:${s.status}`)

t.test('each step runs once in order; the operation succeeds with the association ids recorded', async t => {
  const { actions, calls } = fakeActions()
  const { id, done } = await runToEnd(t, actions, (operationId) => stepsFor(operationId, ['api', 'worker']))
  t.equal(done.status, 'succeeded')
  const steps = done.details.steps as MigrationStep[]
  t.same(statuses(steps), ['add-trust api:succeeded', 'create-association api:succeeded', 'add-trust worker:succeeded', 'create-association worker:succeeded'])
  t.match(steps[0].note, /added/)
  t.match(steps[2].note, /already trusted/, 'the second service account of one role finds the statement there')
  t.same(steps.map(s => s.associationId), [undefined, 'a-api', undefined, 'a-worker'])
  t.same(calls.create, [{ token: associationToken(id, 1), sa: 'payments/api' }, { token: associationToken(id, 3), sa: 'payments/worker' }])
  t.ok(steps.every(s => s.startedAt && s.endedAt))
})

t.test('a second runner resumes at the first unfinished step: finished steps are not run again', async t => {
  const { actions, calls } = fakeActions()
  const { store, runner: first, id } = await startOperation(t, actions, (operationId) => {
    const steps = stepsFor(operationId, ['api', 'worker'])
    steps[0] = { ...steps[0], status: 'succeeded', note: 'done before the restart' }
    return steps
  })
  await store.operations.releaseLease(id, first.owner)
  const second = new MigrationRunner({ operations: store.operations, actionsOf: () => actions, retryIntervalMs: 5, leaseMs: 60_000, log: silent })
  t.teardown(() => second.close())
  await second.start()
  await eventually(async () => (await store.operations.get(id))?.status === 'succeeded' || undefined)
  const steps = (await store.operations.get(id))!.details.steps as MigrationStep[]
  t.same(calls.trust, [ROLE], 'only the worker\'s trust step ran')
  t.same(calls.create.map(c => c.sa), ['payments/api', 'payments/worker'])
  t.equal(steps[0].note, 'done before the restart', 'the finished step is kept as it was')
})

t.test('a conflict is recorded on its step, the other service accounts go on, and the operation fails', async t => {
  let creates = 0
  const { actions } = fakeActions({ createFails: () => ++creates === 1 ? new StepConflict('payments/api already has the association a-1 with another role') : undefined })
  const { done } = await runToEnd(t, actions, (id) => stepsFor(id, ['api', 'worker']))
  t.equal(done.status, 'failed')
  t.match(done.error, { code: 'StepFailed', message: /create-association payments\/api: .*another role/ })
  const steps = done.details.steps as MigrationStep[]
  t.same(statuses(steps), ['add-trust api:succeeded', 'create-association api:failed', 'add-trust worker:succeeded', 'create-association worker:succeeded'])
  t.match(steps[1].note, /another role/)
})

t.test('a failed trust step skips the association of its service account; a passing failure is retried', async t => {
  let trustCalls = 0
  const calls: string[] = []
  const actions = {
    async addTrust (roleArn: string) {
      trustCalls++
      calls.push(`trust ${roleArn}`)
      if (roleArn.endsWith('/gone')) throw problem('ResourceNotFoundException', { detail: 'The role gone does not exist.' })
      if (trustCalls === 2) throw problem('ServiceFailureException', { detail: 'IAM answered 500.' })
      return 'added' as const
    },
    async createAssociation (_cluster: string, step: MigrationStep) {
      calls.push(`create ${step.serviceAccount}`)
      return 'a-1'
    }
  }
  const { done } = await runToEnd(t, actions, (id) => stepsFor(id, ['gone', 'api']).map(s => s.serviceAccount === 'gone' ? { ...s, roleArn: 'arn:aws:iam::111122223333:role/gone' } : s))
  t.equal(done.status, 'failed')
  t.same(statuses(done.details.steps as MigrationStep[]), ['add-trust gone:failed', 'create-association gone:skipped', 'add-trust api:succeeded', 'create-association api:succeeded'])
  t.same(calls, ['trust arn:aws:iam::111122223333:role/gone', `trust ${ROLE}`, `trust ${ROLE}`, 'create api'], 'the 500 was retried, the missing role was not')
})
