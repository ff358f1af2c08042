/**
 * The fleet view: for every cluster, whether IRSA is enabled and which OIDC identity provider
 * config is associated. It reuses the API's services over rate-limited ports (one adaptive
 * limiter per AWS service) and the API's cluster cache, so a warm sweep skips DescribeCluster.
 * A failure is reported on its cluster; it never fails the whole answer.
 */
import type { OidcIdentityProviderConfig } from '@aws-sdk/client-eks'
import type { FleetCluster, FleetIrsaStatus, FleetPart, FleetPartError } from '../../schemas/fleet.ts'
import type { ThumbprintDrift } from '../../schemas/issuers.ts'
import type { IssuerInspector } from '../issuers/inspect.ts'
import type { ThumbprintService } from '../issuers/thumbprint.ts'
import { isThrottlingError } from '../aws/throttling.ts'
import { EKS_OPERATIONS, IAM_OPERATIONS, wrapPort } from '../aws/wrap-port.ts'
import { Singleflight } from '../cache/singleflight.ts'
import type { CacheObserver } from '../cache/read-through.ts'
import type { AwsService } from '../observability/metrics.ts'
import type { EksPort, IamPort } from '../aws/ports.ts'
import { mapAwsError } from '../aws/errors.ts'
import { type ClusterCache, type ClusterIdentity, ClusterService } from '../services/clusters.ts'
import { IdentityProviderConfigService, OIDC_CONFIG_TYPE } from '../services/identity-provider-configs.ts'
import { OidcProviderService } from '../services/oidc-provider.ts'
import { AimdLimiter, type AimdLimiterOptions, type AimdLimiterStats } from './aimd-limiter.ts'
import type { Clock } from './clock.ts'
import type { Pace, PaceOptions } from './pace.ts'
import { mapConcurrent } from './map-concurrent.ts'

export interface FleetLimits {
  /** Clusters inspected at once, and AWS calls in flight per service. */
  concurrency: number
  initialRate: number
  maxRate: number
  minRate?: number
  /** Overrides for the limiters (backoff, retries); tests shorten them. */
  limiter?: Partial<AimdLimiterOptions>
  /** Where each service's rate and next slot live (shared by the replicas); this process unless given. */
  pace?: (service: AwsService, options: PaceOptions) => Pace
}

/** Filled by the issuer verification once it exists; until then the slot stays empty. */
export type ThumbprintDriftCheck = (cluster: ClusterIdentity & { issuerUrl: string }, thumbprints: string[]) => Promise<ThumbprintDrift | undefined>

export interface FleetServiceDeps {
  eks: EksPort
  iam: IamPort
  clusterCache: ClusterCache
  limits: FleetLimits
  thumbprintDrift?: ThumbprintDriftCheck
  /** Passed to the services the fleet drives; a sweep itself never computes thumbprints or pre-flights issuers. */
  thumbprints: Pick<ThumbprintService, 'forIssuer'>
  issuers: Pick<IssuerInspector, 'preflightIssuer'>
  onCacheEvent?: CacheObserver
  clock?: Clock
  /**
   * IAM is global in an account: every region's sweep of one account shares this limiter, so the
   * account's IAM budget is paced once. Without it the sweep has an IAM limiter of its own.
   */
  iamLimiter?: AimdLimiter
}

export interface FleetView {
  clusters: string[]
  fleet: FleetCluster[]
  failedClusters: number
}

/** The adaptive limiter of one AWS service for fleet sweeps. */
export function fleetLimiter (limits: FleetLimits, service: AwsService, clock?: Clock): AimdLimiter {
  return new AimdLimiter({
    initialRate: limits.initialRate,
    maxRate: limits.maxRate,
    minRate: limits.minRate ?? 1,
    maxConcurrency: limits.concurrency,
    isThrottle: isThrottlingError,
    clock,
    pace: limits.pace && (options => limits.pace!(service, options)),
    ...limits.limiter
  })
}

export const partError = (part: FleetPartError['part'], error: unknown): FleetPartError => {
  const problem = mapAwsError(error)
  return { part, status: problem.status, code: problem.code, detail: problem.message }
}

export class FleetService {
  readonly limiters: { eks: AimdLimiter, iam: AimdLimiter }
  readonly #clusters: ClusterService
  readonly #oidcProvider: OidcProviderService
  readonly #configs: IdentityProviderConfigService
  readonly #concurrency: number
  readonly #thumbprintDrift?: ThumbprintDriftCheck
  readonly #onCacheEvent: CacheObserver
  readonly #sweeps = new Singleflight<string, FleetView>()

  constructor (deps: FleetServiceDeps) {
    this.limiters = { eks: fleetLimiter(deps.limits, 'eks', deps.clock), iam: deps.iamLimiter ?? fleetLimiter(deps.limits, 'iam', deps.clock) }
    const eks = wrapPort(deps.eks, EKS_OPERATIONS, (_operation, call) => this.limiters.eks.run(call))
    const iam = wrapPort(deps.iam, IAM_OPERATIONS, (_operation, call) => this.limiters.iam.run(call))
    this.#clusters = new ClusterService({ eks, cache: deps.clusterCache })
    this.#oidcProvider = new OidcProviderService({ iam, clusters: this.#clusters, thumbprints: deps.thumbprints })
    this.#configs = new IdentityProviderConfigService({ eks, clusters: this.#clusters, issuers: deps.issuers })
    this.#concurrency = deps.limits.concurrency
    this.#thumbprintDrift = deps.thumbprintDrift
    this.#onCacheEvent = deps.onCacheEvent ?? (() => {})
  }

  limiterStats (): { eks: AimdLimiterStats, iam: AimdLimiterStats } {
    return { eks: this.limiters.eks.stats(), iam: this.limiters.iam.stats() }
  }

  /** Identical sweeps running at the same time share one (a sweep costs calls per cluster). */
  sweep (include: readonly FleetPart[]): Promise<FleetView> {
    const parts = [...new Set(include)].sort()
    const key = parts.join(',')
    this.#onCacheEvent('fleet-sweep', this.#sweeps.has(key) ? 'coalesced' : 'miss')
    return this.#sweeps.run(key, async () => {
      const clusters = await this.#clusters.listAll()
      const fleet = await mapConcurrent(clusters, this.#concurrency, name => this.#inspect(name, parts))
      return { clusters, fleet, failedClusters: fleet.filter(entry => entry.errors).length }
    })
  }

  async #inspect (name: string, include: readonly FleetPart[]): Promise<FleetCluster> {
    let cluster: ClusterIdentity
    try {
      cluster = await this.#clusters.identity(name)
    } catch (error) {
      return { name, errors: [partError('cluster', error)] }
    }
    const entry: FleetCluster = { name, arn: cluster.arn, status: cluster.status, issuerUrl: cluster.issuerUrl }
    const errors: FleetPartError[] = []
    await Promise.all([
      include.includes('oidc') && this.#irsa(cluster).then(
        irsa => { entry.irsa = irsa },
        error => { errors.push(partError('oidc', error)) }),
      include.includes('identityProviderConfigs') && this.#identityProviderConfigs(name).then(
        configs => { entry.identityProviderConfigs = configs },
        error => { errors.push(partError('identityProviderConfigs', error)) })
    ])
    if (errors.length) entry.errors = errors.sort((a, b) => a.part.localeCompare(b.part))
    return entry
  }

  async #irsa (cluster: ClusterIdentity): Promise<FleetIrsaStatus> {
    if (!cluster.issuerUrl) return { enabled: false }
    const status = await this.#oidcProvider.status(cluster.name)
    if (!status.exists) return { enabled: false, OpenIDConnectProviderArn: status.OpenIDConnectProviderArn }
    const thumbprints = status.provider?.ThumbprintList ?? []
    const drift = await this.#thumbprintDrift?.({ ...cluster, issuerUrl: cluster.issuerUrl }, thumbprints)
    return {
      enabled: true,
      OpenIDConnectProviderArn: status.OpenIDConnectProviderArn,
      ClientIDList: status.provider?.ClientIDList ?? [],
      ThumbprintList: thumbprints,
      ...(drift ? { thumbprintDrift: drift } : {})
    }
  }

  async #identityProviderConfigs (name: string): Promise<OidcIdentityProviderConfig[]> {
    const configs: OidcIdentityProviderConfig[] = []
    let nextToken: string | undefined
    do {
      const page = await this.#configs.list(name, { nextToken })
      const oidc = page.identityProviderConfigs.filter(c => c.type === OIDC_CONFIG_TYPE && c.name)
      configs.push(...await Promise.all(oidc.map(c => this.#configs.describe(name, c.name!))))
      nextToken = page.nextToken
    } while (nextToken)
    return configs
  }
}
