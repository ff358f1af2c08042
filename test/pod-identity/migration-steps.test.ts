/** From a plan to the stored steps of a run: what runs, what is recorded as skipped, and the tokens. */
import t from 'tap'
import { associationToken, migrationSteps, migrationStepsOf } from '../../src/pod-identity/migration-steps.ts'
import type { MigrationServiceAccount, PodIdentityMigrationPlan } from '../../schemas/pod-identity-migration.ts'

const entry = (serviceAccount: string, association: MigrationServiceAccount['association'], trust: MigrationServiceAccount['trust']): MigrationServiceAccount =>
  ({ namespace: 'payments', serviceAccount, roleArn: `arn:aws:iam::111122223333:role/${serviceAccount}`, association, trust })
const ADD = { action: 'add-statement' as const, reason: 'add it' }
const NONE = { action: 'none' as const, reason: 'already trusts Pod Identity' }

t.test('create entries run; a role that trusts Pod Identity skips its trust step, an existing association keeps only its trust step; the others are recorded with the plan\'s reason', async t => {
  const plan: PodIdentityMigrationPlan = {
    clusterName: 'payments',
    oidcProviderArn: 'arn:aws:iam::111122223333:oidc-provider/x',
    dryRun: true,
    clusterChecks: [],
    skipped: [],
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
