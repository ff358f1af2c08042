/**
 * Scenario 7: `GET /fleet?include=oidc` over 2 accounts × 2 regions, the emulator throttling one
 * account only (EKS per region and IAM per account at `throttledRate` requests per second, a token
 * bucket of that size) while the other account is not limited. Each scope's sweep is paced by its
 * own EKS limiter and each account by one IAM limiter, so the answer should take no longer than
 * the throttled account alone needs: its floor is max(its IAM calls, its EKS calls per region),
 * less the bucket's burst (answered at once), ÷ its allowed rate. Target: total within 1.2× that
 * floor, 0 failures.
 */
import type { EmulatorProcess, ServiceProcess } from '../processes.ts'

export const FLEET_ACCOUNTS_TARGET = { maxFloorRatio: 1.2, maxFailures: 0 }

export const FAST_ACCOUNT = '111122223333'
export const THROTTLED_ACCOUNT = '444455556666'
export const FLEET_REGIONS = ['us-east-1', 'eu-west-1']
const EXTERNAL_ID = 'bench-external-id'
const ROLE = `arn:aws:iam::${THROTTLED_ACCOUNT}:role/eks-oidc-api`

export interface FleetAccountsRun {
  clustersPerScope: number
  throttledRate: number
  serviceConfig: Record<string, string>
  clusters: number
  failedClusters: number
  failedScopes: number
  totalSeconds: number
  /** The throttled account's calls: IAM (one GetOpenIDConnectProvider per cluster, one listing) and EKS per region. */
  throttledAccountCalls: { iam: number, eksPerRegion: number }
  floorSeconds: number
  floorRatio: number
  /** Attempts the emulator received from the throttled account beyond the needed calls. */
  throttledAttempts: number
  met: boolean
}

/** The seed: `perScope` clusters in each region of both accounts, and the throttled account's role. */
export function fleetAccountsSeed (perScope: number) {
  const clusters = (account: string, region: string) => Array.from({ length: perScope }, (_, i) => ({ name: `${account.slice(0, 3)}-${region}-${String(i).padStart(3, '0')}` }))
  return {
    clusters: clusters(FAST_ACCOUNT, FLEET_REGIONS[0]),
    accounts: [
      { accountId: FAST_ACCOUNT, regions: [{ region: FLEET_REGIONS[1], clusters: clusters(FAST_ACCOUNT, FLEET_REGIONS[1]) }] },
      {
        accountId: THROTTLED_ACCOUNT,
        roles: [{
          roleName: 'eks-oidc-api',
          assumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${FAST_ACCOUNT}:root` }, Action: ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'], Condition: { StringEquals: { 'sts:ExternalId': EXTERNAL_ID } } }]
          }
        }],
        regions: FLEET_REGIONS.map(region => ({ region, clusters: clusters(THROTTLED_ACCOUNT, region) }))
      }
    ]
  }
}

/** The service's account registry for the seed. */
export const fleetAccountsRegistry = () => JSON.stringify({
  accounts: [
    { accountId: FAST_ACCOUNT, regions: FLEET_REGIONS },
    { accountId: THROTTLED_ACCOUNT, roleArn: ROLE, externalId: EXTERNAL_ID, regions: FLEET_REGIONS }
  ]
})

interface CallLogEntry { operation: string, accountId: string, region: string }

export async function sweepFleetAccounts (emulator: EmulatorProcess, service: ServiceProcess, options: { clustersPerScope: number, throttledRate: number, serviceConfig: Record<string, string> }): Promise<FleetAccountsRun> {
  const { clustersPerScope, throttledRate } = options
  const bucket = { requestsPerSecond: throttledRate, burst: throttledRate }
  await emulator.admin('POST', 'faults', {
    [`iam@${THROTTLED_ACCOUNT}`]: bucket,
    ...Object.fromEntries(FLEET_REGIONS.map(region => [`eks@${THROTTLED_ACCOUNT}/${region}`, bucket]))
  })
  await emulator.admin('DELETE', 'calls')
  const started = performance.now()
  const response = await fetch(`${service.url}/fleet?include=oidc`, { signal: AbortSignal.timeout(600_000) })
  const totalSeconds = (performance.now() - started) / 1000
  if (!response.ok) throw new Error(`GET /fleet answered ${response.status}: ${await response.text()}`)
  const body = await response.json() as { fleet: unknown[], failedClusters: number, failedScopes: number }
  await emulator.admin('DELETE', 'faults')

  // Per region: ListClusters, then DescribeCluster per cluster; IAM: GetOpenIDConnectProvider per cluster, one ListOpenIDConnectProviders.
  const throttledAccountCalls = { iam: FLEET_REGIONS.length * clustersPerScope + 1, eksPerRegion: 1 + clustersPerScope }
  // A full bucket answers `burst` calls at once; the rest come at the rate.
  const floorSeconds = (Math.max(throttledAccountCalls.iam, throttledAccountCalls.eksPerRegion) - bucket.burst) / throttledRate
  const { calls: log } = await emulator.admin<{ calls: CallLogEntry[] }>('GET', 'call-log')
  const attempts = log.filter(entry => entry.accountId === THROTTLED_ACCOUNT && /^(eks|iam):/.test(entry.operation)).length
  const floorRatio = totalSeconds / floorSeconds
  return {
    clustersPerScope,
    throttledRate,
    serviceConfig: options.serviceConfig,
    clusters: body.fleet.length,
    failedClusters: body.failedClusters,
    failedScopes: body.failedScopes,
    totalSeconds,
    throttledAccountCalls,
    floorSeconds,
    floorRatio,
    throttledAttempts: attempts - throttledAccountCalls.iam - FLEET_REGIONS.length * throttledAccountCalls.eksPerRegion,
    met: floorRatio <= FLEET_ACCOUNTS_TARGET.maxFloorRatio && body.failedClusters === 0 && body.failedScopes === 0
  }
}
