/** The IRSA → Pod Identity migration plan end to end: roles seeded with IRSA trust, read through ListRoles. */
import t from 'tap'
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam'
import { assertProblem, callsOf, startHarness, writeCalls } from './support.ts'

const { emulator, call } = await startHarness(t, {
  emulator: {
    seed: {
      clusters: [{ name: 'payments', addons: [{ name: 'eks-pod-identity-agent', status: 'ACTIVE' }] }, { name: 'other' }],
      iamOidcProviders: [{ cluster: 'payments' }, { cluster: 'other' }],
      roles: [
        { roleName: 'payments-api', irsa: { cluster: 'payments', serviceAccounts: ['payments:api'] } },
        { roleName: 'payments-worker', irsa: { cluster: 'payments', serviceAccounts: ['payments:worker', 'payments:reconciler'] } },
        { roleName: 'payments-reconciler-too', irsa: { cluster: 'payments', serviceAccounts: ['payments:reconciler'] } },
        { roleName: 'other-cluster', irsa: { cluster: 'other', serviceAccounts: ['payments:api'] } }
      ]
    }
  }
})
const account = emulator.accountId
const roleArn = (name: string) => `arn:aws:iam::${account}:role/${name}`
const issuer = new URL(emulator.state.clusters.get('payments')!.issuer)
const issuerKey = `${issuer.hostname}${issuer.pathname}`
const providerArn = `arn:aws:iam::${account}:oidc-provider/${issuerKey}`

const iam = new IAMClient({ endpoint: emulator.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 })
t.teardown(() => iam.destroy())
// A role trusting both IRSA (by wildcard) and Pod Identity already.
await iam.send(new CreateRoleCommand({
  RoleName: 'payments-batch',
  AssumeRolePolicyDocument: JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { Federated: providerArn }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringLike: { [`${issuerKey}:sub`]: 'system:serviceaccount:batch:*' } } },
      { Effect: 'Allow', Principal: { Federated: providerArn }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { [`${issuerKey}:sub`]: 'system:serviceaccount:batch:nightly' } } },
      { Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'] }
    ]
  })
}))

t.test('the dry-run plan lists each IRSA service account with its association and trust statement, and writes nothing', async t => {
  // The worker already has an association with another role.
  await call('POST', '/clusters/payments/pod-identity-associations?force=true', {
    headers: { 'idempotency-key': `e2e-${crypto.randomUUID()}` },
    body: { namespace: 'payments', serviceAccount: 'worker', roleArn: roleArn('payments-batch') }
  })
  const eksWrites = writeCalls(emulator, 'eks')
  const iamWrites = writeCalls(emulator, 'iam')
  const reply = await call('POST', '/clusters/payments/pod-identity-migration?dryRun=true')
  t.equal(reply.status, 200, JSON.stringify(reply.body))
  const plan = reply.body
  t.equal(plan.oidcProviderArn, providerArn)
  t.same(plan.clusterChecks.map((c: { name: string, status: string }) => `${c.name}:${c.status}`), ['agent-addon:passed', 'platform:passed'])
  const rows = plan.serviceAccounts.map((sa: any) => `${sa.namespace}/${sa.serviceAccount} ${sa.roleArn.split('/').pop()} ${sa.association.action} ${sa.trust.action}`)
  t.same(rows, [
    'batch/nightly payments-batch create none',
    'payments/api payments-api create add-statement',
    'payments/reconciler payments-reconciler-too ambiguous add-statement',
    'payments/reconciler payments-worker ambiguous add-statement',
    'payments/worker payments-worker conflict add-statement'
  ], 'by service account, then roles as ListRoles orders them; the other cluster\'s trust is not this cluster\'s')
  const api = plan.serviceAccounts.find((sa: any) => sa.serviceAccount === 'api')
  t.same(api.trust.statementToAdd, { Sid: 'AllowEksAuthToAssumeRoleForPodIdentity', Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'] })
  t.match(plan.serviceAccounts.find((sa: any) => sa.serviceAccount === 'worker').association, { action: 'conflict', associationId: /^a-/ })
  t.same(plan.skipped.map((s: any) => s.subject), ['system:serviceaccount:batch:*'])
  t.same({ eks: writeCalls(emulator, 'eks'), iam: writeCalls(emulator, 'iam') }, { eks: eksWrites, iam: iamWrites }, 'the plan wrote nothing')
  t.ok(callsOf(emulator, 'iam:ListRoles')['iam:ListRoles'] >= 1)
})

t.test('an unknown cluster is a 404, for the plan and for the run; a dryRun that is no boolean is a 400', async t => {
  assertProblem(t, await call('POST', '/clusters/nope/pod-identity-migration?dryRun=true'), 404, 'ResourceNotFoundException')
  assertProblem(t, await call('POST', '/clusters/nope/pod-identity-migration'), 404, 'ResourceNotFoundException')
  const refused = assertProblem(t, await call('POST', '/clusters/payments/pod-identity-migration?dryRun=maybe'), 400, 'ValidationException')
  t.match(JSON.stringify(refused.errors), '/querystring/dryRun')
})
