/**
 * GET /fleet through the real wire path: the service with an account registry of two accounts
 * and two regions, assuming account B's role over STS, against the emulator over HTTP. The fleet
 * spans both accounts and regions; a provider created in account B (by the SDK, with B's
 * assumed-role credentials) makes B appear in the cluster's trustedInAccounts; a throttled
 * account still completes with no failure; a region the account has not enabled is reported on
 * its scope.
 */
import t from 'tap'
import { CreateOpenIDConnectProviderCommand, IAMClient } from '@aws-sdk/client-iam'
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts'
import type { Seed } from '../../emulator/seed.ts'
import { startHarness } from './support.ts'

const A = '111122223333'
const B = '444455556666'
const ROLE_B = `arn:aws:iam::${B}:role/eks-oidc-api`
const EXTERNAL_ID = 'fleet-e2e-external'
const REGIONS = ['us-east-1', 'eu-west-1']

const serviceRole = {
  roleName: 'eks-oidc-api',
  assumeRolePolicyDocument: {
    Version: '2012-10-17',
    Statement: [{
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${A}:root` },
      Action: ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'],
      Condition: { StringEquals: { 'sts:ExternalId': EXTERNAL_ID } }
    }]
  }
}

const seed: Seed = {
  clusters: [{ name: 'a-east' }],
  accounts: [
    { accountId: A, regions: [{ region: 'eu-west-1', clusters: [{ name: 'a-west' }] }] },
    {
      accountId: B,
      disabledRegions: ['ap-east-1'],
      roles: [serviceRole],
      regions: [{ region: 'us-east-1', clusters: [{ name: 'b-east-1' }, { name: 'b-east-2' }] }, { region: 'eu-west-1', clusters: [{ name: 'b-west' }] }]
    }
  ]
}

const registry = (regionsOfB: string[]) => JSON.stringify({
  accounts: [
    { accountId: A, regions: REGIONS },
    { accountId: B, roleArn: ROLE_B, externalId: EXTERNAL_ID, regions: regionsOfB }
  ]
})

const scopeList = (body: { scopes: Array<{ accountId: string, region: string, clusters?: number, error?: { code: string } }> }) =>
  body.scopes.map(s => `${s.accountId} ${s.region} ${s.error ? s.error.code : s.clusters}`)

t.test('the fleet spans both accounts and regions; B trusts a cluster of A once B has its provider', async t => {
  const { call, emulator } = await startHarness(t, { emulator: { seed }, env: { ACCOUNTS: registry(REGIONS) } })
  const first = await call('GET', '/fleet?include=oidc')
  t.equal(first.status, 200, JSON.stringify(first.body).slice(0, 300))
  t.same(scopeList(first.body), [`${A} us-east-1 1`, `${A} eu-west-1 1`, `${B} us-east-1 2`, `${B} eu-west-1 1`])
  t.same(first.body.fleet.map((c: { accountId: string, region: string, name: string }) => `${c.accountId} ${c.region} ${c.name}`),
    [`${A} us-east-1 a-east`, `${A} eu-west-1 a-west`, `${B} us-east-1 b-east-1`, `${B} us-east-1 b-east-2`, `${B} eu-west-1 b-west`])
  t.match(first.body.fleet[2], { arn: `arn:aws:eks:us-east-1:${B}:cluster/b-east-1`, irsa: { enabled: false }, trustedInAccounts: [] })
  t.equal(first.body.failedClusters, 0)
  t.equal(first.body.failedScopes, 0)
  t.equal(emulator.calls['iam:ListOpenIDConnectProviders'], 2, 'one listing per account, not per scope or cluster')

  // Account B registers the issuer of A's cluster a-east, with B's own credentials over the wire.
  const issuerUrl = first.body.fleet[0].issuerUrl as string
  const sts = new STSClient({ endpoint: emulator.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret' } })
  t.teardown(() => sts.destroy())
  const { Credentials } = await sts.send(new AssumeRoleCommand({ RoleArn: ROLE_B, RoleSessionName: 'fleet-e2e', ExternalId: EXTERNAL_ID }))
  const iamOfB = new IAMClient({
    endpoint: emulator.url,
    region: 'us-east-1',
    credentials: { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken }
  })
  t.teardown(() => iamOfB.destroy())
  await iamOfB.send(new CreateOpenIDConnectProviderCommand({ Url: issuerUrl, ClientIDList: ['sts.amazonaws.com'], ThumbprintList: ['9e99a48a9960b14926bb7f3b02e22da2b0ab7280'] }))

  const second = await call('GET', '/fleet')
  t.equal(second.status, 200)
  const byName = Object.fromEntries(second.body.fleet.map((c: { name: string }) => [c.name, c]))
  t.same(byName['a-east'].trustedInAccounts, [B], 'trusted in B (its provider is in B, not in A)')
  t.same(byName['a-west'].trustedInAccounts, [], 'another issuer of A is trusted nowhere')
  t.notOk('irsa' in byName['a-east'], 'without include, no IRSA part')
})

t.test('one throttled account still completes with no failure; a disabled region is reported on its scope', async t => {
  const { call, emulator } = await startHarness(t, {
    emulator: { seed },
    env: { ACCOUNTS: registry([...REGIONS, 'ap-east-1']), FLEET_RATE_PER_SECOND: '20', FLEET_MAX_RATE_PER_SECOND: '20' }
  })
  // Account B answers EKS at 2 calls a second (a bucket of 2): the service's 20 a second is throttled there.
  emulator.faults.set(`eks@${B}`, { requestsPerSecond: 2, burst: 2 })
  const view = await call('GET', '/fleet?include=oidc,identityProviderConfigs')
  t.equal(view.status, 200)
  t.same(scopeList(view.body), [`${A} us-east-1 1`, `${A} eu-west-1 1`, `${B} us-east-1 2`, `${B} eu-west-1 1`, `${B} ap-east-1 ${view.body.scopes[4].error?.code}`])
  t.match(view.body.scopes[4], { accountId: B, region: 'ap-east-1', error: { status: Number, code: String } }, 'the disabled region is reported on its own scope')
  t.notOk(view.body.scopes[4].clusters)
  t.equal(view.body.failedClusters, 0, 'no cluster failed, throttled or not')
  t.equal(view.body.failedScopes, 1)
  t.equal(view.body.fleet.length, 5)
  // Every attempt is logged, throttled ones too: B's EKS attempts exceed its calls (retried after throttling), A's do not.
  const eksAttempts = (account: string) => emulator.callLog.filter(entry => entry.accountId === account && entry.operation.startsWith('eks:') && entry.region !== 'ap-east-1').length
  const callsPerScope = (clusters: number) => 1 + 2 * clusters // ListClusters, then DescribeCluster and ListIdentityProviderConfigs per cluster
  t.equal(eksAttempts(A), 2 * callsPerScope(1), 'account A was never throttled: one attempt per call')
  t.ok(eksAttempts(B) > callsPerScope(2) + callsPerScope(1), `account B was throttled and retried (${eksAttempts(B)} attempts)`)
})
