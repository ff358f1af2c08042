/**
 * IRSA across accounts through the real wire path: the service (SDK, assumed role) against the
 * emulator with two accounts. Cluster `alpha` is in the service's own account; its provider is
 * created in account B only, converged, retried with the same Idempotency-Key without a second
 * write, deleted idempotently; at IAM's quota of 100 providers in B the create is refused.
 */
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts'
import { IAMClient, ListOpenIDConnectProvidersCommand } from '@aws-sdk/client-iam'
import t from 'tap'
import type { AwsEmulator } from '../../emulator/aws-emulator.ts'
import { assertProblem, callsOf, startHarness, writeCalls } from './support.ts'

const OWN = '111122223333'
const B = '444455556666'
const ROLE_B = `arn:aws:iam::${B}:role/eks-oidc-api`
const ACCOUNTS = JSON.stringify({
  accounts: [
    { accountId: OWN, regions: ['us-east-1'] },
    { accountId: B, roleArn: ROLE_B, externalId: 'e2e-external', regions: ['us-east-1'] }
  ]
})
const trustingOwn = {
  Version: '2012-10-17',
  Statement: [{
    Effect: 'Allow',
    Principal: { AWS: `arn:aws:iam::${OWN}:root` },
    Action: ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'],
    Condition: { StringEquals: { 'sts:ExternalId': 'e2e-external' } }
  }]
}
const seedWith = (providersInB: number) => ({
  clusters: [{ name: 'alpha' }],
  accounts: [{
    accountId: B,
    roles: [{ roleName: 'eks-oidc-api', assumeRolePolicyDocument: trustingOwn }],
    regions: [{ region: 'us-east-1', iamOidcProviders: Array.from({ length: providersInB }, (_, i) => ({ url: `https://idp${i}.example.com` })) }]
  }]
})
const URL_IN_B = `/clusters/alpha/oidc-provider/accounts/${B}`

/** The provider ARNs of an account, read with the SDK: the own account's test credentials, or B's through its role. */
async function providersOf (emulator: AwsEmulator, account: 'own' | 'B'): Promise<string[]> {
  const base = { endpoint: emulator.url, region: emulator.region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }
  let credentials = base.credentials
  if (account === 'B') {
    const sts = new STSClient(base)
    const assumed = (await sts.send(new AssumeRoleCommand({ RoleArn: ROLE_B, RoleSessionName: 'e2e-check', ExternalId: 'e2e-external' }))).Credentials!
    sts.destroy()
    credentials = { accessKeyId: assumed.AccessKeyId!, secretAccessKey: assumed.SecretAccessKey!, sessionToken: assumed.SessionToken! } as typeof credentials
  }
  const iam = new IAMClient({ ...base, credentials })
  try {
    return ((await iam.send(new ListOpenIDConnectProvidersCommand({}))).OpenIDConnectProviderList ?? []).map((p) => p.Arn!)
  } finally {
    iam.destroy()
  }
}

t.test('the provider for the own cluster\'s issuer is created in B only, converged, replayed, deleted idempotently', async t => {
  const { call, emulator } = await startHarness(t, { emulator: { seed: seedWith(0) }, env: { ACCOUNTS } })
  const issuer = (await call('GET', '/clusters/alpha')).body.cluster.identity.oidc.issuer as string
  const arnInB = `arn:aws:iam::${B}:oidc-provider/${new URL(issuer).hostname}${new URL(issuer).pathname}`

  const absent = await call('GET', URL_IN_B)
  t.equal(absent.status, 200)
  t.match(absent.body, { accountId: B, exists: false, OpenIDConnectProviderArn: arnInB, oidcProviders: { count: 0, quota: 100 } })

  const key = `cross-account-e2e-${Date.now()}`
  const put = () => call('PUT', URL_IN_B, { body: { Tags: [{ Key: 'team', Value: 'platform' }] }, headers: { 'idempotency-key': key } })
  const created = await put()
  t.equal(created.status, 201)
  t.equal(created.headers.get('location'), URL_IN_B)
  t.equal(created.body.OpenIDConnectProviderArn, arnInB)
  t.same(await providersOf(emulator, 'B'), [arnInB], 'the provider is in B')
  t.same(await providersOf(emulator, 'own'), [], 'and not in the cluster\'s own account')

  const writesAfterCreate = writeCalls(emulator, 'iam')
  const replay = await put()
  t.equal(replay.status, 201)
  t.equal(replay.headers.get('idempotent-replayed'), 'true')
  t.same(writeCalls(emulator, 'iam'), writesAfterCreate, 'the retry with the same key made no write')
  t.equal(callsOf(emulator, 'iam:CreateOpenIDConnectProvider')['iam:CreateOpenIDConnectProvider'], 1)

  const converged = await call('PUT', URL_IN_B, { body: { Tags: [{ Key: 'team', Value: 'identity' }], ClientIDList: ['sts.amazonaws.com', 'extra'] } })
  t.equal(converged.status, 200)
  t.same(converged.body.changes.map((c: { operation: string }) => c.operation).sort(), ['AddClientIDToOpenIDConnectProvider', 'TagOpenIDConnectProvider'])
  const shown = await call('GET', URL_IN_B)
  t.match(shown.body, { exists: true, provider: { ClientIDList: ['sts.amazonaws.com', 'extra'], Tags: [{ Key: 'team', Value: 'identity' }] }, oidcProviders: { count: 1, quota: 100 } })
  t.equal((await call('GET', '/clusters/alpha/oidc-provider')).body.exists, false, 'the cluster\'s own provider is still absent')

  t.equal((await call('DELETE', URL_IN_B)).status, 204)
  t.equal((await call('DELETE', URL_IN_B)).status, 204, 'already gone: still 204')
  t.same(await providersOf(emulator, 'B'), [])
  t.same(await providersOf(emulator, 'own'), [])

  const audit = await call('GET', '/audit?cluster=alpha')
  t.ok(audit.body.items.some((r: { action: string, resource: string }) => r.action === 'putCrossAccountOpenIDConnectProvider' && r.resource === arnInB), 'the audit record names B\'s provider')
})

t.test('with 100 providers in B the create is refused with 409 naming the quota and the count', async t => {
  const { call, emulator } = await startHarness(t, { emulator: { seed: seedWith(100) }, env: { ACCOUNTS } })
  const refused = assertProblem(t, await call('PUT', URL_IN_B, { body: {} }), 409, 'OidcProviderQuotaReached')
  t.match(refused, { count: 100, quota: 100, detail: /Account 444455556666 has 100 IAM OIDC providers/ })
  t.same(writeCalls(emulator, 'iam'), {}, 'no create was sent')
  t.equal((await providersOf(emulator, 'B')).length, 100)
  t.match((await call('GET', URL_IN_B)).body, { exists: false, oidcProviders: { count: 100, quota: 100 } })
  assertProblem(t, await call('GET', '/clusters/alpha/oidc-provider/accounts/999999999999'), 404, 'AccountNotFound')
})
