/**
 * The app factory: a configured Fastify instance that does not listen. Server options (Ajv
 * included) live here so that tests validate exactly as production does.
 *
 * Registration order: error handler → security (headers, request ids, rate limit) → auth →
 * OpenAPI → shared schemas → store, idempotency, operations, audit → services → routes.
 */
import type { OidcIdentityProviderConfig } from '@aws-sdk/client-eks'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyServerOptions } from 'fastify'
import auditRoutes from '../routes/audit.ts'
import clusterRoutes from '../routes/clusters.ts'
import healthRoutes, { type ReadinessCheck } from '../routes/health.ts'
import identityProviderConfigRoutes from '../routes/identity-provider-configs.ts'
import issuerRoutes from '../routes/issuers.ts'
import oidcProviderRoutes from '../routes/oidc-provider.ts'
import operationRoutes from '../routes/operations.ts'
import replaceConfigRoutes from '../routes/replace-config.ts'
import tokenReviewRoutes from '../routes/token-reviews.ts'
import updateRoutes from '../routes/updates.ts'
import { sharedSchemas } from '../schemas/index.ts'
import { createAuthorizer } from './auth/grants.ts'
import { LOG_REDACT_CENSOR, LOG_REDACT_PATHS } from './auth/redact.ts'
import { deferredChildLogger } from './observability/deferred-logger.ts'
import { createAwsClients } from './aws/clients.ts'
import { ReadThroughCache } from './cache/read-through.ts'
import type { Config } from './config.ts'
import { egressGuardOptionsFromConfig } from './egress/config.ts'
import { createEgressGuard, type EgressGuard } from './egress/guard.ts'
import './fastify-types.ts'
import idempotency from './idempotency/plugin.ts'
import { createIssuerInspector } from './issuers/inspect.ts'
import { createJwksFetcher } from './issuers/jwks.ts'
import { createThumbprintService } from './issuers/thumbprint.ts'
import audit from './plugins/audit.ts'
import auth from './plugins/auth.ts'
import operations, { operationOf, operationOutcomeOf, updateIdOf } from './plugins/operations.ts'
import security, { SECURITY_SERVER_OPTIONS } from './plugins/security.ts'
import { FleetService } from './fleet/fleet-service.ts'
import { instrumentEks, instrumentIam } from './observability/instrument-aws.ts'
import { ServiceMetrics } from './observability/metrics.ts'
import errorHandler from './plugins/error-handler.ts'
import lifecycle from './plugins/lifecycle.ts'
import metricsPlugin from './plugins/metrics.ts'
import swagger from './plugins/swagger.ts'
import type { EksPort, IamPort } from './services/aws-ports.ts'
import { ClusterCache } from './services/clusters.ts'
import { createReplacements } from './replace/index.ts'
import { CONFIG_READ_CACHE, isSettledConfig } from './services/identity-provider-configs.ts'
import { createServices } from './services/index.ts'
import { createStore, type Store } from './store/index.ts'
import { packageVersion } from './version.ts'

const version = packageVersion()

export interface AppDeps {
  /** Replace the real EKS/IAM clients (tests pass fakes or clients pointed at the emulator). */
  eks?: EksPort
  iam?: IamPort
  /** Replace the SSRF guard (tests pass one whose allow-list reaches their loopback issuers). */
  egress?: EgressGuard
  /** Use this store instead of opening one from the config; the caller keeps ownership and closes it. */
  store?: Store
  logger?: FastifyServerOptions['logger']
  /** Metrics to record into; by default a fresh registry per app. */
  metrics?: ServiceMetrics
}

export async function buildApp (config: Config, deps: AppDeps = {}) {
  const app = Fastify({
    ...SECURITY_SERVER_OPTIONS,
    logger: deps.logger ?? { level: config.LOG_LEVEL, redact: { paths: [...LOG_REDACT_PATHS], censor: LOG_REDACT_CENSOR } },
    childLoggerFactory: deferredChildLogger,
    bodyLimit: config.BODY_LIMIT_BYTES,
    trustProxy: config.TRUST_PROXY,
    // The lifecycle plugin answers requests arriving during shutdown with a 503 problem instead.
    return503OnClosing: false,
    ajv: {
      customOptions: {
        // Unknown fields are an error (400), never silently dropped.
        removeAdditional: false,
        coerceTypes: 'array',
        useDefaults: true,
        allErrors: true
      }
    }
  }).withTypeProvider<TypeBoxTypeProvider>()

  await app.register(errorHandler)
  const metrics = deps.metrics ?? new ServiceMetrics()
  await app.register(metricsPlugin, { metrics })
  const readinessChecks: Record<string, ReadinessCheck> = {}
  await app.register(lifecycle, {
    readinessChecks,
    drainMs: Math.min(config.SHUTDOWN_DRAIN_MS, config.SHUTDOWN_DELAY_MS / 2),
    maxEventLoopDelayMs: config.MAX_EVENT_LOOP_DELAY_MS,
    maxEventLoopUtilization: config.MAX_EVENT_LOOP_UTILIZATION,
    maxHeapBytes: config.MAX_HEAP_BYTES,
    maxRssBytes: config.MAX_RSS_BYTES
  })
  await app.register(security, { rateLimit: config.rateLimit, docsPrefix: '/docs' })
  await app.register(auth, { config: config.auth, publicPrefixes: ['/docs'] })
  await app.register(swagger, { version, retentionSeconds: config.IDEMPOTENCY_TTL_SECONDS })
  for (const schema of sharedSchemas) app.addSchema(schema)

  const store = deps.store ?? await openStore(config)
  if (!deps.store) app.addHook('onClose', async () => store.close())
  readinessChecks.store = () => store.ping()
  await app.register(idempotency, {
    store,
    retentionSeconds: config.IDEMPOTENCY_TTL_SECONDS,
    leaseSeconds: config.IDEMPOTENCY_LEASE_SECONDS,
    principalOf: (request) => request.principal?.name ?? 'anonymous',
    operationOf,
    operationOutcomeOf: (request, statusCode, payload, now) => operationOutcomeOf(request, statusCode, updateIdOf(payload), now),
    onOutcome: metrics.countIdempotency
  })
  await app.register(operations, { operations: store.operations })
  await app.register(audit, { store })

  const aws = deps.eks && deps.iam ? undefined : createAwsClients(config)
  if (aws) app.addHook('onClose', async () => aws.destroy())
  const eks = instrumentEks(deps.eks ?? aws!.eks, metrics, app.log)
  const iam = instrumentIam(deps.iam ?? aws!.iam, metrics, app.log)
  const egress = deps.egress ?? createConfiguredEgress(config, app.log)
  app.addHook('onClose', async () => egress.close())
  const thumbprints = createThumbprintService({ egress, ttlSeconds: config.THUMBPRINT_CACHE_TTL_SECONDS })
  const issuers = createIssuerInspector({ egress, thumbprints })
  const clusterCache = new ClusterCache({ ttlMs: config.CLUSTER_CACHE_TTL_SECONDS * 1000, max: config.CLUSTER_CACHE_MAX, onEvent: metrics.countCacheEvent })
  const configReadCache = new ReadThroughCache<OidcIdentityProviderConfig>({
    name: CONFIG_READ_CACHE, ttlMs: config.CONFIG_CACHE_TTL_MS, max: config.CONFIG_CACHE_MAX, reusable: isSettledConfig, onEvent: metrics.countCacheEvent
  })
  const services = createServices({ eks, iam, thumbprints, issuers, fetchJwks: createJwksFetcher(egress), clusterCache, configReadCache })
  app.decorate('services', services)
  const fleet = new FleetService({
    eks,
    iam,
    clusterCache,
    limits: { concurrency: config.FLEET_CONCURRENCY, initialRate: config.FLEET_RATE_PER_SECOND, maxRate: config.FLEET_MAX_RATE_PER_SECOND },
    thumbprints,
    issuers,
    thumbprintDrift: (cluster, registered) => services.oidcProvider.driftOf(cluster.issuerUrl, registered),
    onCacheEvent: metrics.countCacheEvent
  })

  const replacements = createReplacements({
    operations: store.operations,
    configs: services.identityProviderConfigs,
    pollIntervalMs: config.REPLACE_POLL_INTERVAL_MS,
    maxPollIntervalMs: config.REPLACE_MAX_POLL_INTERVAL_MS,
    leaseMs: config.REPLACE_LEASE_SECONDS * 1000,
    log: app.log
  })
  // Resumes the replacements a previous process left unfinished. Registered after the store and
  // the AWS clients, so it stops (onClose runs in reverse) before they close.
  app.addHook('onReady', async () => replacements.runner.start())
  app.addHook('onClose', async () => replacements.runner.close())

  await app.register(healthRoutes, { readinessChecks })
  await app.register(clusterRoutes, { fleet })
  await app.register(oidcProviderRoutes)
  await app.register(identityProviderConfigRoutes)
  await app.register(replaceConfigRoutes, { replacements })
  await app.register(updateRoutes, { config })
  await app.register(operationRoutes, { operations: store.operations, authorizer: config.auth.disabled ? undefined : createAuthorizer(config.auth.grants) })
  await app.register(issuerRoutes)
  await app.register(tokenReviewRoutes)
  await app.register(auditRoutes, { store })
  return app
}

function openStore (config: Config) {
  return createStore(config.DATABASE_URL ? { databaseUrl: config.DATABASE_URL } : { dataDir: config.PGLITE_DIR })
}

function createConfiguredEgress (config: Config, log: { warn (msg: string): void }) {
  const { options, warnings } = egressGuardOptionsFromConfig({
    EGRESS_ALLOW_LIST: config.EGRESS_ALLOW_LIST.join(','),
    EGRESS_ALLOWED_PORTS: config.EGRESS_ALLOWED_PORTS.join(','),
    EGRESS_CA_FILE: config.EGRESS_CA_FILE,
    EGRESS_TIMEOUT_MS: config.EGRESS_TIMEOUT_MS,
    EGRESS_MAX_BODY_BYTES: config.EGRESS_MAX_BODY_BYTES
  })
  for (const warning of warnings) log.warn(warning)
  return createEgressGuard(options)
}

export type App = Awaited<ReturnType<typeof buildApp>>
