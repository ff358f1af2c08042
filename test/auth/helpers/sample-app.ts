/**
 * The auth plugin in isolation (with the error handler and the security plugin it relies on), in
 * front of a few stub routes shaped like the service's, whose handler calls are counted. Only for
 * tests about that plugin: JWT verification (jwt.test.ts), static tokens (static-tokens.test.ts)
 * and grants (grants.test.ts), where a stub handler proves a refused request never reached it.
 * Product promises (audit, secrecy, request logs, tenancy) are tested on the real app instead.
 */
import Fastify from 'fastify'
import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { authConfigFromEnv } from '../../../src/auth/config.ts'
import { LOG_REDACT_CENSOR, LOG_REDACT_PATHS } from '../../../src/auth/redact.ts'
import { problem } from '../../../src/errors.ts'
import authPlugin from '../../../src/plugins/auth.ts'
import securityPlugin, { SECURITY_SERVER_OPTIONS } from '../../../src/plugins/security.ts'
import errorHandler from '../../../src/plugins/error-handler.ts'
import { capturedLog } from '../../support/captured-log.ts'
import { FieldError, Problem } from '../../../schemas/common.ts'

export const EXISTING_CLUSTERS = new Set(['prod-eu', 'prod-us', 'staging', 'dev-1'])

export interface SampleApp {
  app: FastifyInstance
  /** Every log line written, as raw text. */
  logs: string[]
  /** How many times a handler body ran (proves rejected requests never reach it). */
  handlerCalls: { count: number }
}

export interface SampleAppOptions {
  env: Record<string, string | undefined>
}

interface Tap { teardown (fn: () => unknown): void }

export async function buildSampleApp (t: Tap, options: SampleAppOptions): Promise<SampleApp> {
  const { lines: logs, stream } = capturedLog()
  const app = Fastify({
    ...SECURITY_SERVER_OPTIONS,
    logger: {
      level: 'trace',
      stream,
      redact: { paths: [...LOG_REDACT_PATHS], censor: LOG_REDACT_CENSOR }
    }
  }).withTypeProvider<TypeBoxTypeProvider>()
  t.teardown(() => app.close())

  const handlerCalls = { count: 0 }
  await app.register(errorHandler)
  app.addSchema(FieldError)
  app.addSchema(Problem)
  await app.register(securityPlugin, { rateLimit: false })
  await app.register(authPlugin, { config: authConfigFromEnv(options.env) })

  const ClusterParams = Type.Object({ name: Type.String({ pattern: '^[0-9A-Za-z][A-Za-z0-9_-]*$', maxLength: 100 }) })
  const requireCluster = (name: string) => {
    handlerCalls.count++
    if (!EXISTING_CLUSTERS.has(name)) {
      throw problem('ResourceNotFoundException', { detail: `No cluster found for name: ${name}.`, awsRequestId: 'aws-request-not-found' })
    }
  }

  app.get('/health', { config: { public: true } }, async () => ({ status: 'ok' }))

  app.get('/clusters/:name/oidc-provider', {
    config: { auth: { action: 'read' } },
    schema: { operationId: 'describeOidcProvider', params: ClusterParams }
  }, async (request) => {
    requireCluster(request.params.name)
    return { cluster: request.params.name }
  })

  app.put('/clusters/:name/oidc-provider', {
    config: { auth: { action: 'write' } },
    schema: { operationId: 'putOidcProvider', params: ClusterParams, body: Type.Object({ clientIds: Type.Array(Type.String()) }) }
  }, async (request) => {
    requireCluster(request.params.name)
    return { ok: true }
  })

  app.post('/clusters/:name/identity-provider-configs', {
    config: { auth: { action: 'write' } },
    schema: {
      operationId: 'associateIdentityProviderConfig',
      params: ClusterParams,
      body: Type.Object({ name: Type.String(), clientRequestToken: Type.Optional(Type.String()) })
    }
  }, async (request, reply) => {
    requireCluster(request.params.name)
    if (request.headers['x-test-replay'] === 'yes') reply.header('idempotent-replayed', 'true')
    return reply.code(202).send({ update: { id: 'u-1' } })
  })

  app.delete('/clusters/:name/identity-provider-configs/:configName', {
    config: { auth: { action: 'write' } },
    schema: { operationId: 'disassociateIdentityProviderConfig' }
  }, async (request, reply) => {
    requireCluster((request.params as { name: string }).name)
    return reply.code(202).send({ update: { id: 'u-2' } })
  })

  app.post('/operations/purge', {
    config: { auth: { action: 'admin', cluster: 'none' } },
    schema: { operationId: 'purgeOperations' }
  }, async () => {
    handlerCalls.count++
    return { purged: 0 }
  })

  await app.ready()
  return { app, logs, handlerCalls }
}
