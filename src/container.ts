/**
 * The composition root: builds every domain object (store, AWS ports, egress guard, caches,
 * services, watchers and runners) from the config, without any framework. `buildApp` hands the
 * services to the routes and ties `start`/`close` to the server's lifetime.
 */
import type { OidcIdentityProviderConfig } from '@aws-sdk/client-eks'
import { createAuthorizer } from './auth/grants.ts'
import { createAwsClients } from './aws/clients.ts'
import { ChangeCoordinator } from './changes/coordinator.ts'
import { OperationFollower } from './changes/operation-follower.ts'
import { ReadThroughCache } from './cache/read-through.ts'
import type { Config } from './config.ts'
import { egressGuardOptionsFromConfig } from './egress/config.ts'
import { createEgressGuard, type EgressGuard } from './egress/guard.ts'
import { systemClock } from './fleet/clock.ts'
import { FleetService } from './fleet/fleet-service.ts'
import { SharedPace, sharedPaceKey } from './fleet/shared-pace.ts'
import { createIssuerInspector, type IssuerInspector } from './issuers/inspect.ts'
import { createJwksFetcher } from './issuers/jwks.ts'
import { createThumbprintService } from './issuers/thumbprint.ts'
import { instrumentEks, instrumentIam } from './observability/instrument-aws.ts'
import type { ServiceMetrics } from './observability/metrics.ts'
import type { Logger } from './observability/request-context.ts'
import { createReplacements, type ReplaceService } from './replace/index.ts'
import { AuditService } from './services/audit.ts'
import type { EksPort, IamPort } from './aws/ports.ts'
import { ClusterCache, ClusterService } from './services/clusters.ts'
import { CONFIG_READ_CACHE, IdentityProviderConfigService, isSettledConfig } from './services/identity-provider-configs.ts'
import { OidcProviderService } from './services/oidc-provider.ts'
import { OperationService } from './services/operations.ts'
import { PodIdentityAssociationService } from './services/pod-identity-associations.ts'
import { PodIdentityMigrationPlanner } from './pod-identity/migration-plan.ts'
import { PodIdentityPreflightChecks } from './pod-identity/preflight.ts'
import { RoleTrustCheck } from './pod-identity/trust.ts'
import { ReadinessService } from './services/readiness.ts'
import { TokenReviewService } from './services/token-reviews.ts'
import { UpdateService } from './services/updates.ts'
import { createStore, type Store } from './store/index.ts'
import type { Timers } from './watch/timers.ts'
import { UpdateWatcher } from './watch/update-watcher.ts'
import { openSharedRedis, type SharedRedis } from './shared/shared-redis.ts'

export interface ContainerDeps {
  /** Replace the real EKS/IAM clients (tests pass fakes or clients pointed at the emulator). */
  eks?: EksPort
  iam?: IamPort
  /** Replace the SSRF guard (tests pass one whose allow-list reaches their loopback issuers). */
  egress?: EgressGuard
  /** Use this store instead of opening one from the config; the caller keeps ownership and closes it. */
  store?: Store
  /** The clock and timers of update watching (polls, long-poll deadlines, SSE heartbeats); tests drive them by hand. */
  watchTimers?: Timers
  metrics: ServiceMetrics
  log: Logger
}

/** What the routes reach, through `app.services`. */
export interface AppServices {
  clusters: ClusterService
  fleet: FleetService
  oidcProvider: OidcProviderService
  identityProviderConfigs: IdentityProviderConfigService
  podIdentityAssociations: PodIdentityAssociationService
  podIdentityMigration: PodIdentityMigrationPlanner
  replacements: ReplaceService
  updates: UpdateService
  issuers: IssuerInspector
  tokenReviews: TokenReviewService
  operations: OperationService
  audit: AuditService
  readiness: ReadinessService
}

export interface Container {
  services: AppServices
  /** Every mutating request's claim, records and audit (the changes plugin adapts it to HTTP). */
  changes: ChangeCoordinator
  store: Store
  /** The Redis the replicas share (REDIS_URL), when configured. */
  sharedRedis?: SharedRedis
  /** Starts background work (resuming unfinished operations). */
  start (): Promise<void>
  /** Stops background work, then closes what the container opened, in dependency order. */
  close (): Promise<void>
}

export async function createContainer (config: Config, deps: ContainerDeps): Promise<Container> {
  const { metrics, log } = deps
  const store = deps.store ?? await openStore(config)
  const aws = deps.eks && deps.iam ? undefined : createAwsClients(config)
  const eks = instrumentEks(deps.eks ?? aws!.eks, metrics, log)
  const iam = instrumentIam(deps.iam ?? aws!.iam, metrics, log)
  const egress = deps.egress ?? createConfiguredEgress(config, log)
  const sharedRedis = config.REDIS_URL === undefined
    ? undefined
    : await openSharedRedis({ url: config.REDIS_URL, keyPrefix: config.REDIS_KEY_PREFIX, timeoutMs: config.REDIS_TIMEOUT_MS }, log, metrics)

  const thumbprints = createThumbprintService({ egress, ttlSeconds: config.THUMBPRINT_CACHE_TTL_SECONDS })
  const issuers = createIssuerInspector({ egress, thumbprints })
  const clusterCache = new ClusterCache({ ttlMs: config.CLUSTER_CACHE_TTL_SECONDS * 1000, max: config.CLUSTER_CACHE_MAX, onEvent: metrics.countCacheEvent })
  const configReadCache = new ReadThroughCache<OidcIdentityProviderConfig>({
    name: CONFIG_READ_CACHE, ttlMs: config.CONFIG_CACHE_TTL_MS, max: config.CONFIG_CACHE_MAX, reusable: isSettledConfig, onEvent: metrics.countCacheEvent
  })

  const clusters = new ClusterService({ eks, cache: clusterCache })
  const identityProviderConfigs = new IdentityProviderConfigService({ eks, clusters, issuers, readCache: configReadCache })
  const oidcProvider = new OidcProviderService({ iam, clusters, thumbprints })
  const podIdentityPreflight = new PodIdentityPreflightChecks({ eks, clusters, trust: new RoleTrustCheck({ iam }) })
  const podIdentityAssociations = new PodIdentityAssociationService({ eks, clusters, preflight: podIdentityPreflight })
  const podIdentityMigration = new PodIdentityMigrationPlanner({ iam, clusters, associations: podIdentityAssociations, preflight: podIdentityPreflight })
  const fleet = new FleetService({
    eks,
    iam,
    clusterCache,
    limits: {
      concurrency: config.FLEET_CONCURRENCY,
      initialRate: config.FLEET_RATE_PER_SECOND,
      maxRate: config.FLEET_MAX_RATE_PER_SECOND,
      pace: sharedRedis && ((service, options) => new SharedPace(options, { ...sharedRedis, key: sharedPaceKey(sharedRedis.keyPrefix, service, config.AWS_REGION) }, systemClock))
    },
    thumbprints,
    issuers,
    thumbprintDrift: (cluster, registered) => oidcProvider.driftOf(cluster.issuerUrl, registered),
    onCacheEvent: metrics.countCacheEvent
  })
  const replacements = createReplacements({
    operations: store.operations,
    configs: identityProviderConfigs,
    pollIntervalMs: config.REPLACE_POLL_INTERVAL_MS,
    maxPollIntervalMs: config.REPLACE_MAX_POLL_INTERVAL_MS,
    leaseMs: config.REPLACE_LEASE_SECONDS * 1000,
    log
  })
  const updateWatcher = new UpdateWatcher({
    describeUpdate: (clusterName, updateId) => identityProviderConfigs.describeUpdate(clusterName, updateId),
    initialIntervalMs: config.WATCH_POLL_INTERVAL_MS,
    maxIntervalMs: config.WATCH_MAX_POLL_INTERVAL_MS,
    timers: deps.watchTimers,
    onError: (err) => log.error({ err }, 'update watch listener failed')
  })
  const follower = new OperationFollower({ operations: store.operations, watcher: updateWatcher, leaseMs: config.REPLACE_LEASE_SECONDS * 1000, log })
  const changes = new ChangeCoordinator({
    store,
    log,
    retentionSeconds: config.IDEMPOTENCY_TTL_SECONDS,
    leaseSeconds: config.IDEMPOTENCY_LEASE_SECONDS,
    onIdempotency: metrics.countIdempotency,
    continuations: {
      'follow-update': ({ id, cluster, updateId }) => { if (updateId) follower.follow({ id, cluster, updateId }) },
      'run-steps': ({ id }) => replacements.begin(id)
    }
  })
  const readiness = new ReadinessService()
  readiness.add('store', () => store.ping())

  const services: AppServices = {
    clusters,
    fleet,
    oidcProvider,
    identityProviderConfigs,
    podIdentityAssociations,
    podIdentityMigration,
    replacements,
    updates: new UpdateService({
      configs: identityProviderConfigs,
      watcher: updateWatcher,
      timers: deps.watchTimers,
      stream: { heartbeatMs: config.WATCH_HEARTBEAT_MS, maxDurationMs: config.WATCH_MAX_SECONDS * 1000, retryMs: config.WATCH_POLL_INTERVAL_MS }
    }),
    issuers,
    tokenReviews: new TokenReviewService({ configs: identityProviderConfigs, fetchJwks: createJwksFetcher(egress) }),
    operations: new OperationService({ operations: store.operations, authorizer: config.auth.disabled ? undefined : createAuthorizer(config.auth.grants) }),
    audit: new AuditService({ store }),
    readiness
  }

  return {
    services,
    changes,
    store,
    sharedRedis,
    async start () {
      changes.start()
      await Promise.all([replacements.runner.start(), follower.start()])
    },
    async close () {
      updateWatcher.close()
      await Promise.all([replacements.runner.close(), follower.close()])
      await egress.close()
      aws?.destroy()
      await sharedRedis?.close()
      if (!deps.store) await store.close()
    }
  }
}

function openStore (config: Config) {
  return createStore(config.DATABASE_URL ? { databaseUrl: config.DATABASE_URL } : { dataDir: config.DATA_DIR })
}

function createConfiguredEgress (config: Config, log: { warn (obj: object, msg: string): void }) {
  const { options, warnings } = egressGuardOptionsFromConfig({
    EGRESS_ALLOW_LIST: config.EGRESS_ALLOW_LIST.join(','),
    EGRESS_ALLOWED_PORTS: config.EGRESS_ALLOWED_PORTS.join(','),
    EGRESS_CA_FILE: config.EGRESS_CA_FILE,
    EGRESS_TIMEOUT_MS: config.EGRESS_TIMEOUT_MS,
    EGRESS_MAX_BODY_BYTES: config.EGRESS_MAX_BODY_BYTES
  })
  for (const warning of warnings) log.warn({}, warning)
  return createEgressGuard(options)
}
