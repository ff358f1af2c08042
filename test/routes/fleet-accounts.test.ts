/**
 * GET /fleet through the app on fake ports, with static tokens and grants: the caller sees only
 * the accounts, regions and clusters its grants reach; a caller without any read grant is refused.
 */
import t from 'tap'
import type { Scope } from '../../src/accounts/scopes.ts'
import type { StsPort } from '../../src/aws/ports.ts'
import { generateToken, hashToken } from '../../src/auth/static-tokens.ts'
import { assertProblem, build } from '../support/build.ts'
import { createFakeAws, type FakeAws } from '../support/fake-aws.ts'

const A = '111122223333'
const B = '444455556666'
const ACCOUNTS = JSON.stringify({
  accounts: [
    { accountId: A, regions: ['eu-west-1', 'us-east-1'] },
    { accountId: B, roleArn: `arn:aws:iam::${B}:role/eks-oidc-api`, regions: ['eu-west-1'] }
  ]
})
const sts: StsPort = {
  assumeRole: async () => { throw new Error('not used') },
  getCallerIdentity: async () => ({ Account: A, $metadata: {} })
}
const tokens = { admin: generateToken(), teamB: generateToken(), writerOnly: generateToken(), nobody: generateToken() }
const GRANTS = JSON.stringify({
  grants: [
    { principal: 'admin', clusters: ['*'], actions: ['read'] },
    { principal: 'teamB', clusters: ['pay-*'], accounts: [B], actions: ['read'] },
    { principal: 'writerOnly', clusters: ['*'], regions: ['us-east-1'], actions: ['write'] }
  ]
})

t.test('the answer holds only what the caller\'s grants reach', async t => {
  const fakes = new Map<string, FakeAws>([
    [`${A} eu-west-1`, createFakeAws([{ name: 'pay-a', issuer: 'https://oidc.eks.eu-west-1.amazonaws.com/id/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }])],
    [`${A} us-east-1`, createFakeAws([{ name: 'hub', issuer: 'https://oidc.eks.us-east-1.amazonaws.com/id/CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC' }])],
    [`${B} eu-west-1`, createFakeAws([{ name: 'pay-b', issuer: 'https://oidc.eks.eu-west-1.amazonaws.com/id/BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB' }, { name: 'other' }])]
  ])
  const { app } = await build(t, {
    env: {
      ACCOUNTS,
      AUTH_MODE: 'tokens',
      AUTH_API_TOKENS: Object.entries(tokens).map(([name, token]) => `${name}:${hashToken(token)}`).join(','),
      AUTH_GRANTS: GRANTS
    },
    deps: { scopePorts: (scope: Scope) => ({ ...fakes.get(`${scope.account.accountId} ${scope.region}`)!, sts }) }
  })
  const fleetAs = (who: keyof typeof tokens) => app.inject({ url: '/fleet', headers: { authorization: `Bearer ${tokens[who]}` } })

  const all = await fleetAs('admin')
  t.equal(all.statusCode, 200)
  t.same(all.json().fleet.map((c: { accountId: string, region: string, name: string }) => `${c.accountId} ${c.region} ${c.name}`),
    [`${A} eu-west-1 pay-a`, `${A} us-east-1 hub`, `${B} eu-west-1 pay-b`, `${B} eu-west-1 other`])

  const teamB = await fleetAs('teamB')
  t.equal(teamB.statusCode, 200)
  t.same(teamB.json().scopes.map((s: { accountId: string, region: string, clusters: number }) => `${s.accountId} ${s.region} ${s.clusters}`), [`${B} eu-west-1 1`], 'only account B, and only its pay-* clusters')
  t.same(teamB.json().fleet.map((c: { name: string }) => c.name), ['pay-b'])

  // A write grant covers read (admin implies write implies read): us-east-1 of A only, where B has no region.
  const writer = await fleetAs('writerOnly')
  t.same(writer.json().scopes.map((s: { accountId: string, region: string }) => `${s.accountId} ${s.region}`), [`${A} us-east-1`])

  assertProblem(t, await fleetAs('nobody'), 403, 'AccessDenied')
  t.equal((await app.inject({ url: '/fleet' })).statusCode, 401)
})
