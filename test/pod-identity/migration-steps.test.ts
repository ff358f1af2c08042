/** From a plan to the stored steps of a run: what runs, what is recorded as skipped, and the tokens. */
import t from 'tap'
import { problem } from '../../src/errors.ts'
import { associationToken, MigrationStepActions, migrationSteps, migrationStepsOf, StepConflict } from '../../src/pod-identity/migration-steps.ts'
import { POD_IDENTITY_TRUST_STATEMENT } from '../../src/pod-identity/trust.ts'
import type { MigrationServiceAccount, PodIdentityMigrationPlan } from '../../schemas/pod-identity-migration.ts'

const entry = (serviceAccount: string, association: MigrationServiceAccount['association'], trust: MigrationServiceAccount['trust']): MigrationServiceAccount =>
  ({ namespace: 'payments', serviceAccount, roleArn: `arn:aws:iam::111122223333:role/${serviceAccount}`, association, trust })
const ADD = { action: 'add-statement' as const, reason: 'add it' }
const NONE = { action: 'none' as const, reason: 'already trusts Pod Identity' }
const EMPTY_PLAN: PodIdentityMigrationPlan = { clusterName: 'payments', oidcProviderArn: 'arn:aws:iam::111122223333:oidc-provider/x', dryRun: true, clusterChecks: [], skipped: [], serviceAccounts: [] }

t.test('create entries run; a role that trusts Pod Identity skips its trust step, an existing association keeps only its trust step; the others are recorded with the plan\'s reason', async t => {
  const plan: PodIdentityMigrationPlan = {
    ...EMPTY_PLAN,
    serviceAccounts: [
      entry('api', { action: 'create', reason: 'none yet' }, ADD),
      entry('batch', { action: 'create', reason: 'none yet' }, NONE),
      entry('worker', { action: 'exists', associationId: 'a-1', reason: 'same role' }, ADD),
      entry('ledger', { action: 'conflict', associationId: 'a-2', reason: 'another role' }, ADD)
    ]
  }
  const id = '0b0c6f8e-6d0e-4d53-9a35-2b1f5b2a9c11'
  const steps = migrationSteps(plan, id)
  t.same(steps.map(s => `${s.name} ${s.serviceAccount}:${s.status}${s.note ? ` (${s.note})` : ''}`), [
    'add-trust api:pending', 'create-association api:pending',
    'add-trust batch:skipped (already trusts Pod Identity)', 'create-association batch:pending',
    'add-trust worker:pending', 'create-association worker:skipped (same role)',
    'add-trust ledger:skipped (another role)', 'create-association ledger:skipped (another role)'
  ])
  t.same(steps.filter(s => s.clientRequestToken).map(s => s.clientRequestToken), [associationToken(id, 1), associationToken(id, 3)], 'one token per create step, by its index')
  t.ok(associationToken(id, 999).length <= 126, 'inside EKS\'s limit of 126 characters')
  t.same(steps.map(s => s.associationId).filter(Boolean), ['a-1', 'a-2'], 'the association in place is named')
  t.same(migrationStepsOf({ steps }), steps)
  t.equal(migrationStepsOf({ steps: [{ name: 'associate', status: 'pending' }] }), undefined, 'a replacement\'s steps are not a migration')
})

t.test('the trust step writes the policy back with one statement more; an association of another role is a conflict', async t => {
  const irsa = { Effect: 'Allow', Principal: { Federated: 'arn:aws:iam::111122223333:oidc-provider/x' }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { 'x:sub': 'system:serviceaccount:payments:api' } } }
  let document = JSON.stringify({ Version: '2012-10-17', Statement: irsa })
  const written: string[] = []
  const iam = {
    getRole: async () => ({ Role: { AssumeRolePolicyDocument: encodeURIComponent(document) } }),
    updateAssumeRolePolicy: async ({ PolicyDocument }: { PolicyDocument: string }) => { written.push(PolicyDocument); document = PolicyDocument; return {} }
  }
  const associations = {
    create: async () => { throw problem('PodIdentityAssociationExists', { detail: 'payments/api already has a-9 with another role' }) }
  }
  const actions = new MigrationStepActions({ iam: iam as never, associations: associations as never })
  t.equal(await actions.addTrust('arn:aws:iam::111122223333:role/api'), 'added')
  t.same(JSON.parse(written[0]), { Version: '2012-10-17', Statement: [irsa, POD_IDENTITY_TRUST_STATEMENT] }, 'a single Statement object becomes a list, unchanged')
  t.equal(await actions.addTrust('arn:aws:iam::111122223333:role/api'), 'already', 'run again, it adds nothing')
  t.equal(written.length, 1)
  const step = migrationSteps({ ...EMPTY_PLAN, serviceAccounts: [entry('api', { action: 'create', reason: '' }, ADD)] }, '0b0c6f8e-6d0e-4d53-9a35-2b1f5b2a9c11')[1]
  const refused = await actions.createAssociation('payments', step).then(() => undefined, (error: unknown) => error)
  t.ok(refused instanceof StepConflict, 'a conflict, which the runner records on its step without retrying')
  t.match((refused as Error).message, /another role/)
})
