/**
 * The HTTP side of the change pipeline (src/changes/coordinator.ts), for routes that declare
 * `config.change`:
 *   preHandler  (after auth and validation) key checks, then begin: a replay answers here
 *   handler     reaches the change through `request.change` (routes/support/current-change.ts)
 *   onError     keeps the problem, for the operation record
 *   onSend      finish: stored answer, operation outcome and audit record before the answer
 *               leaves; requests refused earlier (401, 403, 400, 429) are audited here too
 *   onResponse  safety net for answers that never passed onSend
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { scopeNames } from '../accounts/scopes.ts'
import { namedScope } from './scope.ts'
import { UNAUTHENTICATED_PRINCIPAL_NAME } from '../auth/principal.ts'
import { routeAuthRequirement } from '../auth/route-requirements.ts'
import type { Change, ChangeCoordinator, ChangeSubject } from '../changes/coordinator.ts'
import { checkChangeDeclaration, declaredResource, type ChangeDeclaration } from '../changes/declaration.ts'
import { bodyClientRequestToken } from '../services/write-guard.ts'
import { PROBLEM_TYPE_BASE, ServiceError } from '../errors.ts'
import { IDEMPOTENCY_KEY_HEADER, idempotencyKeyMissing } from '../idempotency/errors.ts'
import { parseIdempotencyKey } from '../idempotency/key.ts'
import { replayedHeaders, storableBody } from '../idempotency/response-policy.ts'
import type { OperationError } from '../store/store.ts'

const REPLAYED_HEADER = 'idempotent-replayed'
const DESCRIBED_BY = `<${PROBLEM_TYPE_BASE}idempotency-key-missing>; rel="describedby"`

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Declares a mutating route: see src/changes/declaration.ts. */
    change?: ChangeDeclaration
  }
  interface FastifyRequest {
    /** The change of a request to a mutating route; set before its handler runs. */
    change: Change | null
  }
}

export interface ChangesPluginOptions {
  coordinator: ChangeCoordinator
}

function clusterOf (request: FastifyRequest): string | undefined {
  const requirement = routeAuthRequirement(request.routeOptions)
  if (requirement.public || requirement.clusterParam === undefined) return undefined
  const value = (request.params as Record<string, unknown> | undefined)?.[requirement.clusterParam]
  return typeof value === 'string' ? value : undefined
}

function subjectOf (request: FastifyRequest, declaration: ChangeDeclaration): ChangeSubject {
  return {
    principal: request.principal?.name ?? UNAUTHENTICATED_PRINCIPAL_NAME,
    action: request.routeOptions.config.recordAs ?? String(request.routeOptions.schema?.operationId),
    cluster: clusterOf(request),
    // A request refused before its scope was resolved is recorded with the scope its path names.
    ...(request.scope ? scopeNames(request.scope) : namedScope(request) ?? {}),
    resource: declaredResource(declaration, request.params),
    requestId: request.id
  }
}

const isDryRun = (request: FastifyRequest) => (request.query as { dryRun?: unknown } | undefined)?.dryRun === true

function errorOf (error: Error): OperationError {
  return error instanceof ServiceError
    ? { code: error.code, message: error.message }
    : { code: 'InternalError', message: 'the request failed unexpectedly' }
}

async function changesPlugin (app: FastifyInstance, options: ChangesPluginOptions): Promise<void> {
  const { coordinator } = options
  const errors = new WeakMap<FastifyRequest, OperationError>()
  const auditLog = app.log.child({ component: 'audit' })
  app.decorateRequest('change', null)

  app.addHook('onRoute', (route) => {
    const declaration = route.config?.change
    if (declaration !== undefined) checkChangeDeclaration(route.url, declaration, route.schema?.operationId)
  })

  app.addHook('preHandler', async (request, reply) => {
    const declaration = request.routeOptions.config.change
    if (declaration === undefined) return
    const change = coordinator.open(subjectOf(request, declaration))
    request.change = change
    const key = parseIdempotencyKey(request.headers[IDEMPOTENCY_KEY_HEADER])
    const bodyToken = bodyClientRequestToken(request.body)
    const dryRun = isDryRun(request)
    if (key === undefined && bodyToken === undefined && !dryRun && declaration.idempotency === 'required') {
      reply.header('link', DESCRIBED_BY)
      throw idempotencyKeyMissing()
    }
    const stored = await change.begin({
      method: request.method, route: request.routeOptions.url ?? request.url, params: request.params, body: request.body, key, bodyToken, dryRun
    })
    if (key !== undefined && !dryRun) reply.header(REPLAYED_HEADER, stored ? 'true' : 'false')
    if (stored) {
      reply.code(stored.status).headers(stored.headers)
      return stored.body === null ? reply.send() : reply.send(stored.body)
    }
  })

  app.addHook('onError', async (request, _reply, error) => {
    if (request.routeOptions.config.change !== undefined) errors.set(request, errorOf(error))
  })

  app.addHook('onSend', async (request, reply, payload) => {
    const declaration = request.routeOptions.config.change
    if (declaration === undefined || request.change?.finished === true) return payload
    const change = request.change ?? coordinator.open(subjectOf(request, declaration))
    request.change = change
    const audit = await change.finish(answerOf(request, reply, payload, errors.get(request)))
    auditLog.info({ reqId: request.id, audit }, 'audit')
    return payload
  })

  app.addHook('onResponse', async (request) => {
    await request.change?.abandon()
  })

  // Registered after the store, so this runs before the store closes (onClose runs in reverse).
  app.addHook('onClose', async () => coordinator.close())
}

function answerOf (request: FastifyRequest, reply: FastifyReply, payload: unknown, error: OperationError | undefined) {
  return {
    status: reply.statusCode,
    headers: replayedHeaders(reply.getHeaders()),
    body: storableBody(payload),
    retryAfter: reply.hasHeader('retry-after'),
    error,
    awsCalls: request.requestContext?.awsCalls ?? []
  }
}

export default fp(changesPlugin, { name: 'changes', fastify: '5.x' })
