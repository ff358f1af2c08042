/**
 * Accounts and regions through the real wire path: the SDK against the emulator over HTTP. Both
 * route forms reach the default account; an account the registry does not have, or a region it
 * does not allow, is a 404 problem; GET /accounts checks each account with STS GetCallerIdentity;
 * a role that cannot be assumed is a problem naming the account and role, bounded in time; with
 * two accounts, a request for account B reaches only B's state, and grants scope by account.
 */
import t from 'tap'
import { generateToken, hashToken } from '../../src/auth/static-tokens.ts'
import { assertProblem, startHarness } from './support.ts'

const OWN = '111122223333'
const B = '444455556666'
const ROLE_B = `arn:aws:iam::${B}:role/eks-oidc-api`
const seed = { clusters: [{ name: 'alpha' }] }

t.test('without a registry: both forms reach the service\'s own account, learned from STS', async t => {
  const { call } = await startHarness(t, { emulator: { seed } })
  const plain = await call('GET', '/clusters/alpha')
  t.equal(plain.status, 200)
  const prefixed = await call('GET', `/accounts/${OWN}/regions/us-east-1/clusters/alpha`)
  t.equal(prefixed.status, 200, 'the implicit account answers to the id GetCallerIdentity gives')
  t.same(prefixed.body, plain.body, 'the same cluster in both forms')
  assertProblem(t, await call('GET', `/accounts/${B}/regions/us-east-1/clusters/alpha`), 404, 'AccountNotFound')
  const region = assertProblem(t, await call('GET', `/accounts/${OWN}/regions/eu-west-1/clusters/alpha`), 404, 'RegionNotAllowed')
  t.match(region.detail, new RegExp(`not allowed for account ${OWN}: its regions are us-east-1`))
  const accounts = await call('GET', '/accounts')
  t.match(accounts.body, { accounts: [{ partition: 'aws', regions: ['us-east-1'], default: true, check: { reachable: true, callerAccount: OWN } }] })
})

t.test('with a registry: the own account in both forms, an unassumable role is a clear problem', async t => {
  const ACCOUNTS = JSON.stringify({
    accounts: [
      { accountId: OWN, regions: ['us-east-1', 'eu-west-1'] },
      { accountId: B, roleArn: ROLE_B, externalId: 'e2e-external', regions: ['us-east-1'] }
    ]
  })
  const { call, emulator } = await startHarness(t, { emulator: { seed }, env: { ACCOUNTS, ACCOUNT_CREDENTIALS_TIMEOUT_MS: '3000' } })
  t.equal((await call('GET', '/clusters/alpha')).status, 200)
  t.equal((await call('GET', `/accounts/${OWN}/regions/us-east-1/clusters/alpha`)).status, 200)

  // The emulator's STS does not let the service assume this role (no such role, or no AssumeRole at all).
  const refused = await call('GET', `/accounts/${B}/regions/us-east-1/clusters/alpha`)
  t.ok([403, 502].includes(refused.status), `answered ${refused.status} ${refused.body?.code}: ${refused.body?.detail}`)
  t.match(refused.body, { code: /^Account(AccessDenied|Unreachable)$/, accountId: B, roleArn: ROLE_B, detail: new RegExp(`account ${B} \\(role ${ROLE_B.replace(/[/]/g, '\\/')}\\)`) })
  t.equal(emulator.calls['eks:DescribeCluster'] ?? 0, 2, 'nothing reached EKS for account B')

  const accounts = await call('GET', '/accounts')
  t.equal(accounts.status, 200)
  t.match(accounts.body.accounts, [
    { accountId: OWN, check: { reachable: true, callerAccount: OWN } },
    { accountId: B, roleArn: ROLE_B, hasExternalId: true, check: { reachable: false, problem: { code: /^Account(AccessDenied|Unreachable)$/ } } }
  ])
  t.notMatch(JSON.stringify(accounts.body), /e2e-external/, 'the ExternalId is never shown')
})

const C = '777788889999'
const trusting = (externalId: string) => ({
  Version: '2012-10-17',
  Statement: [{
    Effect: 'Allow',
    Principal: { AWS: `arn:aws:iam::${OWN}:root` },
    Action: ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'],
    Condition: { StringEquals: { 'sts:ExternalId': externalId } }
  }]
})
const twoAccountSeed = {
  clusters: [{ name: 'alpha', version: '1.32' }],
  accounts: [
    {
      accountId: B,
      roles: [{ roleName: 'eks-oidc-api', assumeRolePolicyDocument: trusting('e2e-external') }],
      regions: [
        { region: 'us-east-1', clusters: [{ name: 'alpha', version: '1.31' }, { name: 'beta' }] },
        { region: 'eu-west-1', clusters: [{ name: 'gamma' }] }
      ]
    },
    // The role's trust policy asks for another ExternalId than the registry sends.
    { accountId: C, roles: [{ roleName: 'eks-oidc-api', assumeRolePolicyDocument: trusting('not-the-registry-one') }], regions: [{ region: 'us-east-1', clusters: [{ name: 'delta' }] }] }
  ]
}
const twoAccountRegistry = JSON.stringify({
  accounts: [
    { accountId: OWN, regions: ['us-east-1'] },
    { accountId: B, roleArn: ROLE_B, externalId: 'e2e-external', regions: ['us-east-1', 'eu-west-1'] },
    { accountId: C, roleArn: `arn:aws:iam::${C}:role/eks-oidc-api`, externalId: 'e2e-external', regions: ['us-east-1'] }
  ]
})

t.test('two accounts: a request for account B reaches only B\'s state, through the assumed role', async t => {
  const { call } = await startHarness(t, { emulator: { seed: twoAccountSeed }, env: { ACCOUNTS: twoAccountRegistry } })
  const own = await call('GET', '/clusters/alpha')
  t.equal(own.body.cluster.version, '1.32', '/clusters is the own account')
  t.match(own.body.cluster.arn, new RegExp(`:${OWN}:cluster/alpha$`))
  const inB = await call('GET', `/accounts/${B}/regions/us-east-1/clusters/alpha`)
  t.equal(inB.status, 200)
  t.equal(inB.body.cluster.version, '1.31', 'alpha of account B is B\'s, not the own account\'s (cached or not)')
  t.match(inB.body.cluster.arn, new RegExp(`:${B}:cluster/alpha$`))
  t.same((await call('GET', `/accounts/${B}/regions/us-east-1/clusters`)).body.clusters.sort(), ['alpha', 'beta'])
  t.same((await call('GET', `/accounts/${B}/regions/eu-west-1/clusters`)).body.clusters, ['gamma'], 'and each region its own')
  t.same((await call('GET', '/clusters')).body.clusters, ['alpha'], 'the own account sees none of B\'s clusters')
  assertProblem(t, await call('GET', '/clusters/beta'), 404, 'ResourceNotFoundException')

  // A write in B lands in B: the provider ARN is B's.
  const put = await call('PUT', `/accounts/${B}/regions/us-east-1/clusters/beta/oidc-provider`, { body: {} })
  t.equal(put.status, 201)
  t.match(put.body.OpenIDConnectProviderArn, new RegExp(`^arn:aws:iam::${B}:oidc-provider/`))
  t.equal(put.headers.get('location'), `/accounts/${B}/regions/us-east-1/clusters/beta/oidc-provider`)
  t.equal((await call('GET', `/accounts/${B}/regions/us-east-1/clusters/beta/oidc-provider`)).body.exists, true)

  const accounts = await call('GET', '/accounts')
  t.match(accounts.body.accounts, [
    { accountId: OWN, check: { reachable: true, callerAccount: OWN } },
    { accountId: B, check: { reachable: true, callerAccount: B, callerArn: new RegExp(`^arn:aws:sts::${B}:assumed-role/eks-oidc-api/`) } },
    { accountId: C, check: { reachable: false, problem: { code: 'AccountAccessDenied' } } }
  ], 'GetCallerIdentity through each assumed role says which account the credentials are in')

  const refused = assertProblem(t, await call('GET', `/accounts/${C}/regions/us-east-1/clusters/delta`), 403, 'AccountAccessDenied')
  t.match(refused, { accountId: C, roleArn: `arn:aws:iam::${C}:role/eks-oidc-api`, cause: 'AccessDenied' }, 'an unassumable role is the documented problem, naming account and role')
})

t.test('two accounts: a grant for account B does not reach the own account', async t => {
  const token = generateToken()
  const grants = { grants: [{ principal: 'team-b', clusters: ['*'], accounts: [B], actions: ['write'] }] }
  const { call } = await startHarness(t, {
    emulator: { seed: twoAccountSeed },
    env: { ACCOUNTS: twoAccountRegistry, AUTH_MODE: 'tokens', AUTH_API_TOKENS: `team-b:${hashToken(token)}`, AUTH_GRANTS: JSON.stringify(grants) }
  })
  const headers = { authorization: `Bearer ${token}` }
  t.equal((await call('GET', `/accounts/${B}/regions/us-east-1/clusters/beta`, { headers })).status, 200)
  const denied = assertProblem(t, await call('GET', '/clusters/alpha', { headers }), 403, 'AccessDeniedException')
  t.match(denied.detail, new RegExp(`in account "${OWN}", region "us-east-1"`), '/clusters is the own account, which the grant does not reach')
  assertProblem(t, await call('GET', `/accounts/${OWN}/regions/us-east-1/clusters/alpha`, { headers }), 403, 'AccessDeniedException')
  assertProblem(t, await call('PUT', `/accounts/${OWN}/regions/us-east-1/clusters/alpha/oidc-provider`, { headers, body: {} }), 403, 'AccessDeniedException')
})
