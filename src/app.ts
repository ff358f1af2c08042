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
import issuerRoutes from '../routes/issuers.ts'
import oidcProviderRoutes from '../routes/oidc-provider.ts'
import tokenReviewRoutes from '../routes/token-reviews.ts'
import updateRoutes from '../routes/updates.ts'
import { sharedSchemas } from '../schemas/index.ts'
import { createAwsClients } from './aws/clients.ts'
import type { Config } from './config.ts'
import './fastify-types.ts'
import errorHandler from './plugins/error-handler.ts'
import swagger from './plugins/swagger.ts'
import { egressGuardOptionsFromConfig } from './egress/config.ts'
import { createEgressGuard, type EgressGuard } from './egress/guard.ts'
import { createIssuerInspector } from './issuers/inspect.ts'
import { createJwksFetcher } from './issuers/jwks.ts'
import { createThumbprintService } from './issuers/thumbprint.ts'
import type { EksPort, IamPort } from './services/aws-ports.ts'
import { createServices } from './services/index.ts'

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }

export interface AppDeps {
  /** Replace the real EKS/IAM clients (tests pass fakes or clients pointed at the emulator). */
  eks?: EksPort
  iam?: IamPort
  /** Replace the SSRF guard (tests pass one whose allow-list reaches their loopback issuers). */
  egress?: EgressGuard
  logger?: FastifyServerOptions['logger']
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

export async function buildApp (config: Config, deps: AppDeps = {}) {
  const app = Fastify({
    logger: deps.logger ?? { level: config.LOG_LEVEL },
    bodyLimit: config.BODY_LIMIT_BYTES,
    trustProxy: config.TRUST_PROXY,
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

  const aws = deps.eks && deps.iam ? undefined : createAwsClients(config)
  const eks = deps.eks ?? aws!.eks
  const iam = deps.iam ?? aws!.iam
  if (aws) app.addHook('onClose', async () => aws.destroy())
  const egress = deps.egress ?? createConfiguredEgress(config, app.log)
  app.addHook('onClose', async () => egress.close())
  const thumbprints = createThumbprintService({ egress, ttlSeconds: config.THUMBPRINT_CACHE_TTL_SECONDS })
  const issuers = createIssuerInspector({ egress, thumbprints })
  app.decorate('services', createServices({ eks, iam, thumbprints, issuers, fetchJwks: createJwksFetcher(egress) }))

  const readinessChecks: Record<string, ReadinessCheck> = {}
  await app.register(healthRoutes, { readinessChecks })
  await app.register(clusterRoutes)
  await app.register(oidcProviderRoutes)
  await app.register(identityProviderConfigRoutes)
  await app.register(updateRoutes)
  await app.register(issuerRoutes)
  await app.register(tokenReviewRoutes)
  return app
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
