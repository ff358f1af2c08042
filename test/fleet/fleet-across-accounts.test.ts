/**
 * The fleet view across accounts and regions on fake ports and the virtual clock: a scope that
 * fails is reported on its own, grants filter scopes and clusters, a throttled account does not
 * slow the others (same virtual finishing time as without it), the regions of one account share
 * its IAM limiter, and trust is read with one ListOpenIDConnectProviders per account.
 */
import t from 'tap'
import { implicitRegistry, parseAccountRegistry, type Account } from '../../src/accounts/registry.ts'
import type { Scope } from '../../src/accounts/scopes.ts'
import { EKS_OPERATIONS, IAM_OPERATIONS, wrapPort } from '../../src/aws/wrap-port.ts'
import type { AimdLimiter } from '../../src/fleet/aimd-limiter.ts'
import { FleetAcrossAccounts, type FleetVisibility } from '../../src/fleet/fleet-across-accounts.ts'
import { fleetLimiter, FleetService, type FleetLimits } from '../../src/fleet/fleet-service.ts'
import { sharedPaceKey } from '../../src/fleet/shared-pace.ts'
import { ClusterCache } from '../../src/services/clusters.ts'
import { problem } from '../../src/errors.ts'
import { awsError, createFakeAws } from '../support/fake-aws.ts'
import { rateLimitedCall, VirtualClock } from './virtual-clock.ts'

const A = '111122223333'
const B = '444455556666'
const REGIONS = ['us-east-1', 'eu-west-1']
const registry = parseAccountRegistry({
  accounts: [
    { accountId: A, regions: REGIONS },
    { accountId: B, roleArn: `arn:aws:iam::${B}:role/eks-oidc-api`, regions: REGIONS }
  ]
}, 'test')
const SEES_ALL: FleetVisibility = { scope: () => true, cluster: () => true }
const issuer = (account: string, region: string, i: number) => `https://oidc.eks.${region}.amazonaws.com/id/${account.slice(0, 4)}${String(i).padStart(28, '0')}`

interface World {
  fleet: FleetAcrossAccounts
  /** The virtual time at which each scope's sweep finished. */
  finishedAt: Map<string, number>
  iamLimiters: Map<string, AimdLimiter>
  awsOf: Map<string, ReturnType<typeof createFakeAws>>
  iamCalls: Map<string, string[]>
}

/**
 * `clustersPerScope` clusters in each of the four scopes; `throttled` names the account whose
 * EKS answers at most `perSecond` calls a second; `failing` a scope whose ListClusters is refused.
 */
function world (options: { clustersPerScope: number, throttled?: { account: string, perSecond: number }, failing?: string, only?: string[] }): World {
  const clock = new VirtualClock()
  const limits: FleetLimits = { concurrency: 4, initialRate: 10, maxRate: 10, limiter: { backoffBaseMs: 100, backoffMaxMs: 1000, random: () => 0.5 } }
  const awsOf = new Map<string, ReturnType<typeof createFakeAws>>()
  const iamAccounts = new Map<string, ReturnType<typeof createFakeAws>>()
  const iamCalls = new Map<string, string[]>()
  const iamLimiters = new Map<string, AimdLimiter>()
  const throttles = new Map<string, ReturnType<typeof rateLimitedCall>>()
  const finishedAt = new Map<string, number>()
  const accountIam = (account: Account) => {
    const id = account.accountId!
    if (!iamAccounts.has(id)) iamAccounts.set(id, createFakeAws([]))
    return iamAccounts.get(id)!.iam
  }
  const iamLimiterOf = (account: Account) => {
    const id = account.accountId!
    if (!iamLimiters.has(id)) iamLimiters.set(id, fleetLimiter(limits, 'iam', clock))
    return iamLimiters.get(id)!
  }
  const recordingIam = (account: Account) => wrapPort(accountIam(account), IAM_OPERATIONS, (operation, call) => {
    iamCalls.set(account.accountId!, [...(iamCalls.get(account.accountId!) ?? []), operation])
    return call()
  })
  const fleets = new Map<string, FleetService>()
  const sweepOf = (scope: Scope) => {
    const key = `${scope.account.accountId} ${scope.region}`
    if (!fleets.has(key)) {
      const aws = createFakeAws(Array.from({ length: options.clustersPerScope }, (_, i) => ({ name: `c${i}`, issuer: issuer(scope.account.accountId!, scope.region, i) })))
      awsOf.set(key, aws)
      const throttled = options.throttled?.account === scope.account.accountId
      if (throttled && !throttles.has(scope.account.accountId!)) throttles.set(scope.account.accountId!, rateLimitedCall(clock, options.throttled!.perSecond))
      const eks = wrapPort(aws.eks, EKS_OPERATIONS, async (operation, call) => {
        // What the client pool throws when the account's role cannot be assumed.
        if (options.failing === key) throw problem('AccountAccessDenied', { detail: `The service cannot assume the role of account ${scope.account.accountId}.` })
        if (throttled) await throttles.get(scope.account.accountId!)!.call()
        return call()
      })
      fleets.set(key, new FleetService({
        eks,
        iam: recordingIam(scope.account),
        clusterCache: new ClusterCache({ ttlMs: 60_000, max: 1000 }),
        thumbprints: { forIssuer: async () => { throw new Error('a sweep never computes thumbprints') } },
        issuers: { preflightIssuer: async () => [] },
        limits,
        clock,
        iamLimiter: iamLimiterOf(scope.account)
      }))
    }
    const fleet = fleets.get(key)!
    return {
      sweep: async (include: Parameters<FleetService['sweep']>[0]) => {
        const view = await fleet.sweep(include)
        finishedAt.set(key, clock.now())
        return view
      }
    }
  }
  const fleet = new FleetAcrossAccounts({
    registry,
    sweepOf,
    iamOf: (account) => ({ listOpenIDConnectProviders: (input) => iamLimiterOf(account).run(() => recordingIam(account).listOpenIDConnectProviders(input)) }),
    scopeConcurrency: 4
  })
  return { fleet, finishedAt, iamLimiters, awsOf, iamCalls }
}

t.test('every account and region in one answer; a failing scope is reported on that scope only', async t => {
  const { fleet } = world({ clustersPerScope: 2, failing: `${B} eu-west-1` })
  const view = await fleet.sweep(['oidc'], SEES_ALL)
  t.same(view.scopes.map(s => [s.accountId, s.region, s.clusters ?? null, s.error?.code ?? null]), [
    [A, 'us-east-1', 2, null], [A, 'eu-west-1', 2, null], [B, 'us-east-1', 2, null], [B, 'eu-west-1', null, 'AccountAccessDenied']
  ])
  t.equal(view.scopes[3].error?.status, 403)
  t.equal(view.failedScopes, 1)
  t.equal(view.failedClusters, 0)
  t.same(view.fleet.map(c => `${c.accountId} ${c.region} ${c.name}`), [
    `${A} us-east-1 c0`, `${A} us-east-1 c1`, `${A} eu-west-1 c0`, `${A} eu-west-1 c1`, `${B} us-east-1 c0`, `${B} us-east-1 c1`
  ])
})

t.test('grants filter: only the scopes and clusters the caller sees are swept and answered', async t => {
  const { fleet, awsOf, iamCalls } = world({ clustersPerScope: 2 })
  const visible: FleetVisibility = {
    scope: (scope) => scope.accountId === B,
    cluster: (name, scope) => scope.region === 'us-east-1' || name === 'c1'
  }
  const view = await fleet.sweep([], visible)
  t.same(view.scopes.map(s => `${s.accountId} ${s.region} ${s.clusters}`), [`${B} us-east-1 2`, `${B} eu-west-1 1`])
  t.same(view.fleet.map(c => `${c.region} ${c.name}`), ['us-east-1 c0', 'us-east-1 c1', 'eu-west-1 c1'])
  t.same([...awsOf.keys()].sort(), [`${B} eu-west-1`, `${B} us-east-1`], 'account A was never swept')
  t.notOk(iamCalls.has(A), 'nor were its providers listed')
})

t.test('trustedInAccounts: the accounts with a provider for the issuer, one ListOpenIDConnectProviders per account', async t => {
  const w = world({ clustersPerScope: 2 })
  const first = await w.fleet.sweep(['oidc'], SEES_ALL)
  t.ok(first.fleet.every(c => c.trustedInAccounts?.length === 0), 'no provider anywhere yet')
  // Account B trusts A's us-east-1 cluster c1 (as IAM stores it: the Url without https://).
  const iamCalls = new Map<string, string[]>()
  const providerOfB = createFakeAws([])
  await providerOfB.iam.createOpenIDConnectProvider({ Url: issuer(A, 'us-east-1', 1), ClientIDList: ['sts.amazonaws.com'] })
  const fleet = new FleetAcrossAccounts({
    registry,
    sweepOf: (scope) => ({ sweep: async () => ({ clusters: ['c1'], failedClusters: 0, fleet: [{ name: 'c1', issuerUrl: issuer(scope.account.accountId!, scope.region, 1) }] }) }),
    iamOf: (account) => ({
      listOpenIDConnectProviders: async (input) => {
        iamCalls.set(account.accountId!, [...(iamCalls.get(account.accountId!) ?? []), 'listOpenIDConnectProviders'])
        return account.accountId === B ? providerOfB.iam.listOpenIDConnectProviders(input) : { OpenIDConnectProviderList: [], $metadata: {} }
      }
    }),
    scopeConcurrency: 2
  })
  const view = await fleet.sweep([], SEES_ALL)
  t.same(view.fleet.map(c => [c.accountId, c.region, c.trustedInAccounts]), [
    [A, 'us-east-1', [B]], [A, 'eu-west-1', []], [B, 'us-east-1', []], [B, 'eu-west-1', []]
  ])
  t.same(Object.fromEntries(iamCalls), { [A]: ['listOpenIDConnectProviders'], [B]: ['listOpenIDConnectProviders'] }, 'one listing per account, not per scope or cluster')
})

t.test('an account whose providers cannot be listed is named in trustErrors; the clusters are answered', async t => {
  const fleet = new FleetAcrossAccounts({
    registry,
    sweepOf: () => ({ sweep: async () => ({ clusters: ['c0'], failedClusters: 0, fleet: [{ name: 'c0', issuerUrl: issuer(A, 'us-east-1', 0) }] }) }),
    iamOf: (account) => ({
      listOpenIDConnectProviders: async () => {
        if (account.accountId === B) throw awsError('AccessDenied', 403, 'not authorized to perform iam:ListOpenIDConnectProviders')
        return { OpenIDConnectProviderList: [{ Arn: `arn:aws:iam::${A}:oidc-provider/${issuer(A, 'us-east-1', 0).slice('https://'.length)}` }], $metadata: {} }
      }
    }),
    scopeConcurrency: 1
  })
  const view = await fleet.sweep([], SEES_ALL)
  t.match(view.trustErrors, [{ accountId: B, error: { status: 502, code: 'AccessDenied', detail: /iam:ListOpenIDConnectProviders/ } }], 'as its own route would answer: the service\'s credentials are refused')
  t.ok(view.fleet.every(c => c.trustedInAccounts?.join() === A))
})

t.test('a throttled account does not slow the others; the regions of one account share its IAM limiter', async t => {
  const include = ['oidc' as const]
  const calm = world({ clustersPerScope: 8 })
  const calmView = await calm.fleet.sweep(include, SEES_ALL)
  const stormy = world({ clustersPerScope: 8, throttled: { account: B, perSecond: 2 } })
  const view = await stormy.fleet.sweep(include, SEES_ALL)

  t.equal(view.failedClusters, 0, 'the throttled account still completes')
  t.equal(view.failedScopes, 0)
  t.equal(view.fleet.length, calmView.fleet.length)
  for (const region of REGIONS) {
    const key = `${A} ${region}`
    t.equal(stormy.finishedAt.get(key), calm.finishedAt.get(key), `${key} finished at the same virtual time as without the throttling`)
    t.ok(stormy.finishedAt.get(`${B} ${region}`)! > stormy.finishedAt.get(key)!, `${B} ${region} finished later`)
  }
  t.same([...stormy.iamLimiters.keys()].sort(), [A, B], 'one IAM limiter per account')
  // Each cluster costs one GetOpenIDConnectProvider; each account one ListOpenIDConnectProviders.
  for (const account of [A, B]) t.equal(stormy.iamLimiters.get(account)!.stats().calls, 2 * 8 + 1, `account ${account}: both regions' IAM calls went through its one limiter`)
})

t.test('the shared pace keys: IAM per account, EKS per account and region; the implicit account keeps its old keys', async t => {
  t.equal(sharedPaceKey('p:', 'iam', 'us-east-1', A), `p:aws-pacing:iam:${A}`)
  t.equal(sharedPaceKey('p:', 'iam', 'eu-west-1', A), `p:aws-pacing:iam:${A}`, 'two regions of one account share one IAM budget')
  t.not(sharedPaceKey('p:', 'iam', 'us-east-1', B), sharedPaceKey('p:', 'iam', 'us-east-1', A), 'two accounts do not')
  t.equal(sharedPaceKey('p:', 'eks', 'eu-west-1', A), `p:aws-pacing:eks:${A}:eu-west-1`)
  t.equal(sharedPaceKey('p:', 'iam', 'us-east-1'), 'p:aws-pacing:iam')
  t.equal(sharedPaceKey('p:', 'eks', 'us-east-1'), 'p:aws-pacing:eks:us-east-1')
})

t.test('without a registry: the implicit account is named by the id its providers\' ARNs carry', async t => {
  const issuerUrl = issuer(A, 'us-east-1', 0)
  const fleet = new FleetAcrossAccounts({
    registry: implicitRegistry('us-east-1'),
    sweepOf: () => ({ sweep: async () => ({ clusters: ['c0', 'c1'], failedClusters: 0, fleet: [{ name: 'c0', issuerUrl }, { name: 'c1', issuerUrl: issuer(A, 'us-east-1', 1) }] }) }),
    iamOf: () => ({ listOpenIDConnectProviders: async () => ({ OpenIDConnectProviderList: [{ Arn: `arn:aws:iam::${A}:oidc-provider/${issuerUrl.slice('https://'.length)}` }], $metadata: {} }) }),
    scopeConcurrency: 1
  })
  const view = await fleet.sweep([], SEES_ALL)
  t.same(view.scopes, [{ region: 'us-east-1', clusters: 2, failedClusters: 0 }], 'the scope has no account id')
  t.same(view.fleet.map(c => c.trustedInAccounts), [[A], []])
})
