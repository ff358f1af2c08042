/**
 * The composition root: builds every domain object (store, AWS ports, egress guard, caches,
 * services, watchers and runners) from the config, without any framework. `buildApp` hands the
 * services to the routes and ties `start`/`close` to the server's lifetime.
 */
import { AccountService } from './accounts/account-service.ts'
import type { Account } from './accounts/registry.ts'
import type { AimdLimiter } from './fleet/aimd-limiter.ts'
import { FleetAcrossAccounts } from './accounts/fleet-across-accounts.ts'
import { fleetLimiter } from './fleet/fleet-service.ts'
import { accountKey, createClientPool, fixedClientPool, type ClientPool, type ScopePorts } from './accounts/client-pool.ts'
import { buildScopedServices, fleetLimits, type ScopedServices, type SharedParts } from './accounts/scoped-services.ts'
import { withDeadline } from './accounts/deadline.ts'
import { ScopeDirectory, ScopeResolver, type Scope } from './accounts/scopes.ts'
import { createAuthorizer } from './auth/grants.ts'
import type { EksPort, IamPort, StsPort } from './aws/ports.ts'
import { ChangeCoordinator } from './changes/coordinator.ts'
import { OperationFollower } from './changes/operation-follower.ts'
import type { Config } from './config.ts'
import { problem } from './errors.ts'
import { egressGuardOptionsFromConfig } from './egress/config.ts'
import { createEgressGuard, type EgressGuard } from './egress/guard.ts'
import { createIssuerInspector, type IssuerInspector } from './issuers/inspect.ts'
import { createJwksFetcher } from './issuers/jwks.ts'
import { createThumbprintService } from './issuers/thumbprint.ts'
import { instrumentEks, instrumentIam, instrumentSts } from './observability/instrument-aws.ts'
import type { ServiceMetrics } from './observability/metrics.ts'
import type { Logger } from './observability/request-context.ts'
import { MigrationRunner } from './pod-identity/migration-runner.ts'
import { ReplaceRunner } from './replace/index.ts'
import { AuditService } from './services/audit.ts'
import { OperationService } from './services/operations.ts'
import { ReadinessService } from './services/readiness.ts'
import { openSharedRedis, type SharedRedis } from './shared/shared-redis.ts'
import { createStore, type Store } from './store/index.ts'
import type { Timers } from './watch/timers.ts'

export interface ContainerDeps {
  /** Replace the real EKS/IAM clients of every scope (tests pass fakes or clients pointed at the emulator). */
  eks?: EksPort
  iam?: IamPort
  /** With eks and iam: STS for every scope (GetCallerIdentity) and for assuming roles. */
  sts?: StsPort
  /** With eks and iam: the ports of each scope, when tests give scopes different fakes. */
  scopePorts?: (scope: Scope) => ScopePorts
  /** Replace the SSRF guard (tests pass one whose allow-list reaches their loopback issuers). */
  egress?: EgressGuard
  /** Use this store instead of opening one from the config; the caller keeps ownership and closes it. */
  store?: Store
  /** The clock and timers of update watching (polls, long-poll deadlines, SSE heartbeats); tests drive them by hand. */
  watchTimers?: Timers
  metrics: ServiceMetrics
  log: Logger
}

/** The services of every scope, made on first use (src/accounts/scoped-services.ts). */
export interface ScopedServiceDirectory {
  readonly resolver: ScopeResolver
  /** The services of `/clusters/...`: the default account in its default region. */
  readonly default: ScopedServices
  of (scope: Scope): ScopedServices
}

/** What the routes reach, through `app.services`; AWS-reaching services live per scope. */
export interface AppServices {
  scopes: ScopedServiceDirectory
  accounts: AccountService
  /** The fleet view of every account and region (GET /fleet). */
  fleet: FleetAcrossAccounts
  issuers: IssuerInspector
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
  /** Ends every update watch (open event streams would otherwise hold the server's close). */
  closeWatchers (): void
  /** Stops background work, then closes what the container opened, in dependency order. */
  close (): Promise<void>
}

function createPool (config: Config, deps: ContainerDeps): ClientPool {
  const { metrics, log } = deps
  if (!(deps.eks && deps.iam)) return createClientPool({ config, metrics, log, sts: deps.sts })
  const fixed: ScopePorts = {
    eks: instrumentEks(deps.eks, metrics, log),
    iam: instrumentIam(deps.iam, metrics, log),
    sts: instrumentSts(deps.sts ?? unavailableSts, metrics, log)
  }
  const { scopePorts } = deps
  return fixedClientPool(scopePorts
    ? (scope) => {
        const ports = scopePorts(scope)
        const account = accountKey(scope.account)
        return {
          eks: instrumentEks(ports.eks, metrics, log, { account, region: scope.region }),
          iam: instrumentIam(ports.iam, metrics, log, { account, region: 'global' }),
          sts: instrumentSts(ports.sts, metrics, log, { account, region: scope.account.defaultRegion })
        }
      }
    : () => fixed)
}

/** Tests on fake EKS and IAM ports that pass no STS: calls to it fail as an unreachable AWS would. */
const unavailableSts: StsPort = {
  assumeRole: () => Promise.reject(Object.assign(new Error('no STS in this test'), { name: 'UnknownEndpoint' })),
  getCallerIdentity: () => Promise.reject(Object.assign(new Error('no STS in this test'), { name: 'UnknownEndpoint' }))
}

export async function createContainer (config: Config, deps: ContainerDeps): Promise<Container> {
  const { metrics, log } = deps
  const store = deps.store ?? await openStore(config)
  const pool = createPool(config, deps)
  const egress = deps.egress ?? createConfiguredEgress(config, log)
  const sharedRedis = config.REDIS_URL === undefined
    ? undefined
    : await openSharedRedis({ url: config.REDIS_URL, keyPrefix: config.REDIS_KEY_PREFIX, timeoutMs: config.REDIS_TIMEOUT_MS }, log, metrics)

  const thumbprints = createThumbprintService({ egress, ttlSeconds: config.THUMBPRINT_CACHE_TTL_SECONDS })
  const issuers = createIssuerInspector({ egress, thumbprints })
  const resolver: ScopeResolver = new ScopeResolver({
    registry: config.accounts,
    ownAccountId: () => learnOwnAccountId(pool.portsOf(resolver.defaultScope).sts, config.ACCOUNT_CREDENTIALS_TIMEOUT_MS)
  })
  // The runner is one per process; each operation it drives runs in the scope it was recorded in.
  const replaceRunner = new ReplaceRunner({
    operations: store.operations,
    configsOf: (record) => directory.of(resolver.ofRecord(record)).identityProviderConfigs,
    pollIntervalMs: config.REPLACE_POLL_INTERVAL_MS,
    maxPollIntervalMs: config.REPLACE_MAX_POLL_INTERVAL_MS,
    leaseMs: config.REPLACE_LEASE_SECONDS * 1000,
    log
  })
  const migrationRunner = new MigrationRunner({
    operations: store.operations,
    actionsOf: (record) => directory.of(resolver.ofRecord(record)).podIdentityMigrationSteps,
    retryIntervalMs: config.REPLACE_POLL_INTERVAL_MS,
    leaseMs: config.REPLACE_LEASE_SECONDS * 1000,
    log
  })
  // IAM is global in an account: the sweeps of all its regions share one limiter.
  const fleetIamLimiters = new Map<string, AimdLimiter>()
  const fleetIamLimiterOf = (account: Account) => {
    const key = accountKey(account)
    let limiter = fleetIamLimiters.get(key)
    if (limiter === undefined) {
      limiter = fleetLimiter(fleetLimits(config, sharedRedis, { account, region: account.defaultRegion }), 'iam')
      fleetIamLimiters.set(key, limiter)
    }
    return limiter
  }
  const shared: SharedParts = {
    config,
    metrics,
    log,
    operations: store.operations,
    thumbprints,
    issuers,
    fetchJwks: createJwksFetcher(egress),
    replaceRunner,
    migrationRunner,
    sharedRedis,
    watchTimers: deps.watchTimers,
    iamOfAccount: (accountId) => {
      const account = config.accounts.find(accountId)
      return account && pool.portsOf({ account, region: account.defaultRegion }).iam
    },
    fleetIamLimiterOf
  }
  const directory = new ScopeDirectory<ScopedServices>((scope) => buildScopedServices(scope, pool.portsOf(scope), shared))
  const scopes: ScopedServiceDirectory = {
    resolver,
    get default () { return directory.of(resolver.defaultScope) },
    of: (scope) => directory.of(scope)
  }
  const fleet = new FleetAcrossAccounts({
    registry: config.accounts,
    sweepOf: (scope) => directory.of(scope).fleet,
    iamOf: (account) => {
      const { iam } = pool.portsOf({ account, region: account.defaultRegion })
      return { listOpenIDConnectProviders: (input) => fleetIamLimiterOf(account).run(() => iam.listOpenIDConnectProviders(input)) }
    },
    scopeConcurrency: config.FLEET_SCOPE_CONCURRENCY
  })
  const follower = new OperationFollower({
    operations: store.operations,
    watcherOf: (record) => directory.of(resolver.ofRecord(record)).watcher,
    leaseMs: config.REPLACE_LEASE_SECONDS * 1000,
    log
  })
  const changes = new ChangeCoordinator({
    store,
    log,
    retentionSeconds: config.IDEMPOTENCY_TTL_SECONDS,
    leaseSeconds: config.IDEMPOTENCY_LEASE_SECONDS,
    onIdempotency: metrics.countIdempotency,
    continuations: {
      'follow-update': ({ id, cluster, updateId }) => { if (updateId) follower.follow({ id, cluster, updateId }) },
      'run-steps': ({ id }) => replaceRunner.kick(id),
      'run-migration': ({ id }) => migrationRunner.kick(id)
    }
  })
  const readiness = new ReadinessService()
  readiness.add('store', () => store.ping())

  const services: AppServices = {
    scopes,
    fleet,
    accounts: new AccountService({ registry: config.accounts, stsOf: (account) => pool.portsOf({ account, region: account.defaultRegion }).sts, timeoutMs: config.ACCOUNT_CREDENTIALS_TIMEOUT_MS }),
    issuers,
    operations: new OperationService({ operations: store.operations, authorizer: config.auth.disabled ? undefined : createAuthorizer(config.auth.grants) }),
    audit: new AuditService({ store }),
    readiness
  }

  const closeWatchers = () => { for (const scoped of directory.values()) scoped.watcher.close() }
  return {
    services,
    changes,
    store,
    sharedRedis,
    async start () {
      changes.start()
      await Promise.all([replaceRunner.start(), migrationRunner.start(), follower.start()])
    },
    closeWatchers,
    async close () {
      closeWatchers()
      await Promise.all([replaceRunner.close(), migrationRunner.close(), follower.close()])
      await egress.close()
      pool.destroy()
      await sharedRedis?.close()
      if (!deps.store) await store.close()
    }
  }
}

/** The implicit account's id, from STS GetCallerIdentity with the service's own credentials, bounded in time. */
async function learnOwnAccountId (sts: StsPort, timeoutMs: number): Promise<string> {
  let answer
  try {
    answer = await withDeadline(sts.getCallerIdentity({}), timeoutMs, 'GetCallerIdentity')
  } catch (error) {
    throw problem('AccountUnreachable', { detail: `The account of the service's own credentials could not be learned (${(error as Error).name}).`, cause: error })
  }
  if (answer.Account === undefined) throw problem('AccountUnreachable', { detail: 'GetCallerIdentity answered no account.' })
  return answer.Account
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
