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
import errorHandler from './plugins/error-handler.ts'
import swagger from './plugins/swagger.ts'
import type { EksPort, IamPort } from './services/aws-ports.ts'
import { createServices } from './services/index.ts'

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }

export interface AppDeps {
  /** Replace the real EKS/IAM clients (tests pass fakes or clients pointed at the emulator). */
  eks?: EksPort
  iam?: IamPort
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
  app.decorate('services', createServices({ eks, iam }))

  const readinessChecks: Record<string, ReadinessCheck> = {}
  await app.register(healthRoutes, { readinessChecks })
  await app.register(clusterRoutes)
  await app.register(oidcProviderRoutes)
  await app.register(identityProviderConfigRoutes)
  await app.register(updateRoutes, { config })
  return app
}

export type App = Awaited<ReturnType<typeof buildApp>>
