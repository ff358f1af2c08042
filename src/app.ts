/**
 * The app factory: a configured Fastify instance that does not listen. Server options (Ajv
 * included) live here so that tests validate exactly as production does.
 *
 * The container (src/container.ts) builds every domain object; this only registers plugins and
 * routes. Order: error handler → metrics → lifecycle → security (headers, request ids, rate
 * limit) → auth → OpenAPI → shared schemas → scope (account and region) → changes (idempotency, operations, audit) → routes.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyLoggerOptions, type FastifyServerOptions } from 'fastify'
import routes from '../routes/index.ts'
import { sharedSchemas } from '../schemas/index.ts'
import { LOG_REDACT_CENSOR, LOG_REDACT_PATHS } from './auth/redact.ts'
import { sharedRateLimitStore } from './shared/shared-rate-limit-store.ts'
import type { Config } from './config.ts'
import { createContainer, type AppServices, type ContainerDeps } from './container.ts'
import { allowedPortsFrom } from './egress/config.ts'
import { processLoadMonitor, type LoadMonitor } from './load/load-monitor.ts'
import { deferredChildLogger } from './observability/deferred-logger.ts'
import { ServiceMetrics } from './observability/metrics.ts'
import auth from './plugins/auth.ts'
import changes from './plugins/changes.ts'
import scope from './plugins/scope.ts'
import errorHandler, { clientErrors, frameworkErrors } from './plugins/error-handler.ts'
import lifecycle from './plugins/lifecycle.ts'
import metricsPlugin from './plugins/metrics.ts'
import security, { SECURITY_SERVER_OPTIONS } from './plugins/security.ts'
import swagger from './plugins/swagger.ts'
import { AJV_OPTIONS, createValidatorCompiler } from './plugins/validation.ts'
import { compileOnFirstUseFactory } from './plugins/compile-on-first-use.ts'
import wellFormedText from './plugins/well-formed-text.ts'
import { packageVersion } from './version.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** The one way routes reach their dependencies. */
    services: AppServices
  }
}

const version = packageVersion()

export interface AppDeps extends Omit<ContainerDeps, 'metrics' | 'log'> {
  /** Replaces the configured logger altogether (level, redaction and destination). */
  logger?: FastifyServerOptions['logger']
  /** Where the configured logger (level and redaction from the config) writes; stdout by default. */
  logStream?: FastifyLoggerOptions['stream']
  /** Metrics to record into; by default a fresh registry per app. */
  metrics?: ServiceMetrics
  /** Load samples for the overload guard; by default the process's own. */
  loadMonitor?: LoadMonitor
}

export async function buildApp (config: Config, deps: AppDeps = {}) {
  // An issuer URL may name only a port the egress guard may contact: the guard's own, or the configured ones.
  const issuerUrl = { allowedPorts: deps.egress?.allowedPorts ?? allowedPortsFrom(config.EGRESS_ALLOWED_PORTS.join(',')) }
  const app = Fastify({
    ...SECURITY_SERVER_OPTIONS,
    logger: deps.logger ?? { level: config.LOG_LEVEL, redact: { paths: [...LOG_REDACT_PATHS], censor: LOG_REDACT_CENSOR }, ...(deps.logStream ? { stream: deps.logStream } : {}) },
    childLoggerFactory: deferredChildLogger,
    bodyLimit: config.BODY_LIMIT_BYTES,
    trustProxy: config.TRUST_PROXY,
    // The lifecycle plugin answers requests arriving during shutdown with a 503 problem instead.
    return503OnClosing: false,
    schemaController: { compilersFactory: compileOnFirstUseFactory(createValidatorCompiler({ issuerUrl })) },
    frameworkErrors,
    clientErrorHandler: clientErrors,
    ajv: { customOptions: AJV_OPTIONS }
  }).withTypeProvider<TypeBoxTypeProvider>()

  const metrics = deps.metrics ?? new ServiceMetrics()
  const container = await createContainer(config, { ...deps, metrics, log: app.log })
  const { services } = container
  // Registered first, so that it runs last: onClose hooks run in reverse order of registration.
  app.addHook('onClose', () => container.close())
  app.addHook('onReady', () => container.start())
  // Open event streams would otherwise hold server.close() until their max duration.
  app.addHook('preClose', async () => container.closeWatchers())

  await app.register(errorHandler)
  await app.register(metricsPlugin, { metrics })
  await app.register(lifecycle, {
    readiness: services.readiness,
    drainMs: Math.min(config.SHUTDOWN_DRAIN_MS, config.SHUTDOWN_DELAY_MS / 2),
    overload: { maxEventLoopDelayMs: config.MAX_EVENT_LOOP_DELAY_MS, maxHeapBytes: config.MAX_HEAP_BYTES, maxRssBytes: config.MAX_RSS_BYTES },
    loadMonitor: deps.loadMonitor ?? processLoadMonitor()
  })
  const { sharedRedis } = container
  await app.register(security, {
    rateLimit: config.rateLimit,
    rateLimitStore: sharedRedis && sharedRateLimitStore({ redis: sharedRedis.client, keyPrefix: sharedRedis.keyPrefix, health: sharedRedis.health }),
    docsPrefix: '/docs'
  })
  const { defaultAccount } = config.accounts
  await app.register(auth, { config: config.auth, publicPrefixes: ['/docs'], defaultScope: { accountId: defaultAccount.accountId, region: defaultAccount.defaultRegion } })
  await app.register(swagger, { version, retentionSeconds: config.IDEMPOTENCY_TTL_SECONDS })
  for (const schema of sharedSchemas) app.addSchema(schema)
  await app.register(wellFormedText)

  // Before the change pipeline: its records carry the scope.
  await app.register(scope, { resolver: services.scopes.resolver })
  await app.register(changes, { coordinator: container.changes })

  app.decorate('services', services)
  await app.register(routes)
  return app
}

export type App = Awaited<ReturnType<typeof buildApp>>
