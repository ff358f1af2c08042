/**
 * The app factory: a configured Fastify instance that does not listen. Server options (Ajv
 * included) live here so that tests validate exactly as production does.
 */
import { readFileSync } from 'node:fs'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyServerOptions } from 'fastify'
import clusterRoutes from '../routes/clusters.ts'
import healthRoutes, { type ReadinessCheck } from '../routes/health.ts'
import identityProviderConfigRoutes from '../routes/identity-provider-configs.ts'
import oidcProviderRoutes from '../routes/oidc-provider.ts'
import updateRoutes from '../routes/updates.ts'
import { sharedSchemas } from '../schemas/index.ts'
import { createAwsClients } from './aws/clients.ts'
import type { Config } from './config.ts'
import './fastify-types.ts'
import { FleetService } from './fleet/fleet-service.ts'
import { instrumentEks, instrumentIam } from './observability/instrument-aws.ts'
import { ServiceMetrics } from './observability/metrics.ts'
import errorHandler from './plugins/error-handler.ts'
import lifecycle from './plugins/lifecycle.ts'
import metricsPlugin from './plugins/metrics.ts'
import swagger from './plugins/swagger.ts'
import type { EksPort, IamPort } from './services/aws-ports.ts'
import { ClusterCache } from './services/clusters.ts'
import { createServices } from './services/index.ts'

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }

export interface AppDeps {
  /** Replace the real EKS/IAM clients (tests pass fakes or clients pointed at the emulator). */
  eks?: EksPort
  iam?: IamPort
  logger?: FastifyServerOptions['logger']
  /** Metrics to record into; by default a fresh registry per app. */
  metrics?: ServiceMetrics
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

export async function buildApp (config: Config, deps: AppDeps = {}) {
  const app = Fastify({
    logger: deps.logger ?? { level: config.LOG_LEVEL },
    bodyLimit: config.BODY_LIMIT_BYTES,
    trustProxy: config.TRUST_PROXY,
    // The lifecycle plugin answers requests arriving during shutdown with a 503 problem instead.
    return503OnClosing: false,
    requestIdHeader: false,
    genReqId: (request) => {
      const offered = request.headers['x-request-id']
      return typeof offered === 'string' && REQUEST_ID.test(offered) ? offered : crypto.randomUUID()
    },
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

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id)
  })

  await app.register(swagger, { version })
  for (const schema of sharedSchemas) app.addSchema(schema)
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

  const aws = deps.eks && deps.iam ? undefined : createAwsClients(config)
  const eks = instrumentEks(deps.eks ?? aws!.eks, metrics, app.log)
  const iam = instrumentIam(deps.iam ?? aws!.iam, metrics, app.log)
  if (aws) app.addHook('onClose', async () => aws.destroy())
  const clusterCache = new ClusterCache({ ttlMs: config.CLUSTER_CACHE_TTL_SECONDS * 1000, max: config.CLUSTER_CACHE_MAX, onEvent: metrics.countCacheEvent })
  app.decorate('services', createServices({ eks, iam, clusterCache }))
  const fleet = new FleetService({
    eks,
    iam,
    clusterCache,
    limits: { concurrency: config.FLEET_CONCURRENCY, initialRate: config.FLEET_RATE_PER_SECOND, maxRate: config.FLEET_MAX_RATE_PER_SECOND },
    onCacheEvent: metrics.countCacheEvent
  })

  await app.register(healthRoutes, { readinessChecks })
  await app.register(clusterRoutes, { fleet })
  await app.register(oidcProviderRoutes)
  await app.register(identityProviderConfigRoutes)
  await app.register(updateRoutes)
  return app
}

export type App = Awaited<ReturnType<typeof buildApp>>
