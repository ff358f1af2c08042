/**
 * The services of one scope (account and region): everything that calls AWS, built on the scope's
 * ports from the client pool, each with caches of its own, so that cluster `prod` of one account
 * never answers for `prod` of another. What no AWS call depends on (issuers, thumbprints, the
 * store, the replacement runner) is shared and handed in.
 */
import type { OidcIdentityProviderConfig } from '@aws-sdk/client-eks'
import { ReadThroughCache } from '../cache/read-through.ts'
import { systemClock } from '../fleet/clock.ts'
import type { AimdLimiter } from '../fleet/aimd-limiter.ts'
import { FleetService, type FleetLimits } from '../fleet/fleet-service.ts'
import { SharedPace, sharedPaceKey } from '../fleet/shared-pace.ts'
import type { IssuerInspector } from '../issuers/inspect.ts'
import type { ThumbprintService } from '../issuers/thumbprint.ts'
import type { ServiceMetrics } from '../observability/metrics.ts'
import type { Logger } from '../observability/request-context.ts'
import { ReplaceService, type ReplaceRunner } from '../replace/index.ts'
import { AccessEntryService } from '../services/access-entries.ts'
import { AuthenticationModeService } from '../services/authentication-mode.ts'
import { ClusterCache, ClusterService } from '../services/clusters.ts'
import { CONFIG_READ_CACHE, IdentityProviderConfigService, isSettledConfig } from '../services/identity-provider-configs.ts'
import { CrossAccountOidcProviderService } from '../services/cross-account-oidc-provider.ts'
import { OidcProviderService } from '../services/oidc-provider.ts'
import { PodIdentityAssociationService } from '../pod-identity/associations.ts'
import { PodIdentityMigrationPlanner } from '../pod-identity/migration-plan.ts'
import { PodIdentityMigrationService } from '../pod-identity/migration-run.ts'
import type { MigrationRunner } from '../pod-identity/migration-runner.ts'
import { MigrationStepActions } from '../pod-identity/migration-steps.ts'
import { PodIdentityPreflightChecks } from '../pod-identity/preflight.ts'
import { RoleTrustCheck } from '../pod-identity/trust.ts'
import { PrincipalReviewService } from '../services/principal-review.ts'
import { TokenReviewService } from '../services/token-reviews.ts'
import { TrustPolicyService } from '../services/trust-policy.ts'
import { UpdateService } from '../services/updates.ts'
import type { SharedRedis } from '../shared/shared-redis.ts'
import type { OperationStore } from '../store/index.ts'
import type { FetchJwks } from '../token-review/types.ts'
import type { Timers } from '../watch/timers.ts'
import { UpdateWatcher } from '../watch/update-watcher.ts'
import type { IamPort } from '../aws/ports.ts'
import { accountKey, type ScopePorts } from './client-pool.ts'
import type { Account } from './registry.ts'
import type { Scope } from './scopes.ts'

/** What the cluster routes reach, per scope, through `scopedServices(request)` (routes/support/scope.ts). */
export interface ScopedServices {
  clusters: ClusterService
  fleet: FleetService
  oidcProvider: OidcProviderService
  /** The cluster's IAM OIDC provider in other accounts (IRSA across accounts). */
  crossAccountOidcProviders: CrossAccountOidcProviderService
  trustPolicies: TrustPolicyService
  identityProviderConfigs: IdentityProviderConfigService
  podIdentityAssociations: PodIdentityAssociationService
  podIdentityMigration: PodIdentityMigrationService
  /** The AWS side of migration steps, for the MigrationRunner (one per process). */
  podIdentityMigrationSteps: MigrationStepActions
  replacements: ReplaceService
  updates: UpdateService
  tokenReviews: TokenReviewService
  accessEntries: AccessEntryService
  authenticationMode: AuthenticationModeService
  principalReviews: PrincipalReviewService
  /** The one DescribeUpdate loop per update of this scope (the operation follower subscribes to it). */
  watcher: UpdateWatcher
}

/** The settings the services of a scope are built with: this part of the service's config (src/config.ts). */
export interface ScopeSettings {
  CLUSTER_CACHE_TTL_SECONDS: number
  CLUSTER_CACHE_MAX: number
  CONFIG_CACHE_TTL_MS: number
  CONFIG_CACHE_MAX: number
  FLEET_CONCURRENCY: number
  FLEET_RATE_PER_SECOND: number
  FLEET_MAX_RATE_PER_SECOND: number
  TRUST_POLICY_SIZE_LIMIT: number
  WATCH_POLL_INTERVAL_MS: number
  WATCH_MAX_POLL_INTERVAL_MS: number
  WATCH_HEARTBEAT_MS: number
  WATCH_MAX_SECONDS: number
}

/** What every scope shares. */
export interface SharedParts {
  config: ScopeSettings
  metrics: ServiceMetrics
  log: Logger
  operations: OperationStore
  thumbprints: ThumbprintService
  issuers: IssuerInspector
  fetchJwks: FetchJwks
  replaceRunner: ReplaceRunner
  migrationRunner: MigrationRunner
  sharedRedis?: SharedRedis
  watchTimers?: Timers
  /** IAM of a registry account by id (IAM is global: any of its regions), for roles in another account. */
  iamOfAccount: (accountId: string) => IamPort | undefined
  /** The fleet's IAM limiter of an account, shared by the sweeps of all its regions. */
  fleetIamLimiterOf?: (account: Account) => AimdLimiter
}

/** The fleet's limits of a scope's account; with Redis its pace is shared by the replicas (one IAM budget per account, one EKS budget per account and region). */
export function fleetLimits (config: ScopeSettings, sharedRedis: SharedRedis | undefined, scope: Scope): FleetLimits {
  const account = scope.account.accountId === undefined ? undefined : accountKey(scope.account)
  return {
    concurrency: config.FLEET_CONCURRENCY,
    initialRate: config.FLEET_RATE_PER_SECOND,
    maxRate: config.FLEET_MAX_RATE_PER_SECOND,
    pace: sharedRedis && ((service, options) => new SharedPace(options, { ...sharedRedis, key: sharedPaceKey(sharedRedis.keyPrefix, service, scope.region, account) }, systemClock))
  }
}

export function buildScopedServices (scope: Scope, ports: Pick<ScopePorts, 'eks' | 'iam'>, shared: SharedParts): ScopedServices {
  const { config, metrics, log, sharedRedis } = shared
  const { eks, iam } = ports
  const clusterCache = new ClusterCache({ ttlMs: config.CLUSTER_CACHE_TTL_SECONDS * 1000, max: config.CLUSTER_CACHE_MAX, onEvent: metrics.countCacheEvent })
  const readCache = new ReadThroughCache<OidcIdentityProviderConfig>({
    name: CONFIG_READ_CACHE, ttlMs: config.CONFIG_CACHE_TTL_MS, max: config.CONFIG_CACHE_MAX, reusable: isSettledConfig, onEvent: metrics.countCacheEvent
  })
  const clusters = new ClusterService({ eks, cache: clusterCache })
  const identityProviderConfigs = new IdentityProviderConfigService({ eks, clusters, issuers: shared.issuers, readCache })
  const oidcProvider = new OidcProviderService({ iam, clusters, thumbprints: shared.thumbprints })
  const podIdentityPreflight = new PodIdentityPreflightChecks({ eks, clusters, trust: new RoleTrustCheck({ iam }) })
  const podIdentityAssociations = new PodIdentityAssociationService({ eks, clusters, preflight: podIdentityPreflight })
  const fleet = new FleetService({
    eks,
    iam,
    clusterCache,
    limits: fleetLimits(config, sharedRedis, scope),
    iamLimiter: shared.fleetIamLimiterOf?.(scope.account),
    thumbprints: shared.thumbprints,
    issuers: shared.issuers,
    thumbprintDrift: (cluster, registered) => oidcProvider.driftOf(cluster.issuerUrl, registered),
    onCacheEvent: metrics.countCacheEvent
  })
  const watcher = new UpdateWatcher({
    describeUpdate: (clusterName, updateId) => identityProviderConfigs.describeUpdate(clusterName, updateId),
    initialIntervalMs: config.WATCH_POLL_INTERVAL_MS,
    maxIntervalMs: config.WATCH_MAX_POLL_INTERVAL_MS,
    timers: shared.watchTimers,
    onError: (err) => log.error({ err }, 'update watch listener failed')
  })
  const accessEntries = new AccessEntryService({ eks })
  const authenticationMode = new AuthenticationModeService({ eks, clusters })
  return {
    clusters,
    fleet,
    oidcProvider,
    crossAccountOidcProviders: new CrossAccountOidcProviderService({ clusters, thumbprints: shared.thumbprints, clusterIam: iam, iamOfAccount: shared.iamOfAccount }),
    trustPolicies: new TrustPolicyService({ iam, oidcProvider, iamForAccount: shared.iamOfAccount, sizeLimit: config.TRUST_POLICY_SIZE_LIMIT }),
    identityProviderConfigs,
    podIdentityAssociations,
    podIdentityMigration: new PodIdentityMigrationService({
      planner: new PodIdentityMigrationPlanner({ iam, clusters, associations: podIdentityAssociations, preflight: podIdentityPreflight }),
      operations: shared.operations,
      runner: shared.migrationRunner
    }),
    podIdentityMigrationSteps: new MigrationStepActions({ iam, associations: podIdentityAssociations }),
    replacements: new ReplaceService({ configs: identityProviderConfigs, operations: shared.operations, runner: shared.replaceRunner }),
    updates: new UpdateService({
      configs: identityProviderConfigs,
      watcher,
      timers: shared.watchTimers,
      stream: { heartbeatMs: config.WATCH_HEARTBEAT_MS, maxDurationMs: config.WATCH_MAX_SECONDS * 1000, retryMs: config.WATCH_POLL_INTERVAL_MS }
    }),
    tokenReviews: new TokenReviewService({ configs: identityProviderConfigs, fetchJwks: shared.fetchJwks }),
    accessEntries,
    authenticationMode,
    principalReviews: new PrincipalReviewService({ entries: accessEntries, modes: authenticationMode }),
    watcher
  }
}
