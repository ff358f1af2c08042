/**
 * One audit record per mutating request, written through the AuditStore in onResponse and also
 * logged as one structured line (`msg: "audit"`). A request is audited when its route sets
 * `config.audit`, or when it is a POST/PUT/PATCH/DELETE route with an operationId (unless
 * `config.audit: false`). Denied requests (401/403) are audited too. Records hold names and ids
 * only: never headers, bodies or credentials.
 */
import { randomUUID } from 'node:crypto'
import fp from 'fastify-plugin'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { AWS_REQUEST_ID_HEADER, buildAuditRecord, IDEMPOTENT_REPLAYED_HEADER, isMutatingMethod } from '../auth/audit-record.ts'
import { UNAUTHENTICATED_PRINCIPAL_NAME } from '../auth/principal.ts'
import { routeAuthRequirement } from '../auth/route-requirements.ts'
import type { RouteAccessConfig } from '../auth/route-requirements.ts'
import type { AuditStore } from '../store/audit-contract.ts'

declare module 'fastify' {
  interface FastifyReply {
    /** AWS `$metadata.requestId` of the upstream call, for the audit record. */
    awsRequestId: string | null
    /** Name or ARN of the resource acted on, when no route param names it. */
    auditResource: string | null
  }
}

export interface AuditPluginOptions {
  store: AuditStore
  now?: () => Date
  newId?: () => string
}

const MAX_TOKEN_LENGTH = 128

function param (request: FastifyRequest, source: string | undefined): string | undefined {
  if (source === undefined || !source.startsWith('param:')) return undefined
  return (request.params as Record<string, string | undefined>)[source.slice('param:'.length)]
}

function clusterOf (request: FastifyRequest): string | undefined {
  try {
    const requirement = routeAuthRequirement(request.routeOptions)
    if (requirement.public || requirement.clusterParam === undefined) return undefined
    return (request.params as Record<string, string | undefined>)[requirement.clusterParam]
  } catch {
    return undefined
  }
}

function clientRequestTokenOf (request: FastifyRequest): string | undefined {
  // `request.idempotency` is decorated by the idempotency plugin, when registered.
  const fromIdempotency = (request as { idempotency?: { clientRequestToken?: unknown } }).idempotency?.clientRequestToken
  const fromBody = (request.body as { clientRequestToken?: unknown } | undefined)?.clientRequestToken
  const token = typeof fromIdempotency === 'string' ? fromIdempotency : fromBody
  return typeof token === 'string' && token.length <= MAX_TOKEN_LENGTH ? token : undefined
}

function headerValue (reply: FastifyReply, name: string): string | undefined {
  const value = reply.getHeader(name)
  return typeof value === 'string' ? value : undefined
}

/** The audit action of a request, or undefined when the request is not audited. */
export function auditActionOf (request: FastifyRequest): string | undefined {
  const config = request.routeOptions.config as RouteAccessConfig
  if (config.audit === false) return undefined
  const operationId = (request.routeOptions.schema as { operationId?: string } | undefined)?.operationId
  if (config.audit !== undefined) return config.audit.action ?? operationId ?? `${request.method} ${request.routeOptions.url}`
  return isMutatingMethod(request.method) && operationId !== undefined ? operationId : undefined
}

async function auditPlugin (app: FastifyInstance, options: AuditPluginOptions): Promise<void> {
  const now = options.now ?? (() => new Date())
  const newId = options.newId ?? randomUUID
  const log = app.log.child({ component: 'audit' })

  app.decorateReply('awsRequestId', null)
  app.decorateReply('auditResource', null)

  app.addHook('onError', async (_request, reply, error) => {
    const fromError = (error as { awsRequestId?: unknown }).awsRequestId
    if (reply.awsRequestId === null && typeof fromError === 'string') reply.awsRequestId = fromError
  })

  app.addHook('onResponse', async (request, reply) => {
    const action = auditActionOf(request)
    if (action === undefined) return
    const config = request.routeOptions.config as RouteAccessConfig
    const record = buildAuditRecord({
      id: newId(),
      time: now(),
      principal: request.principal?.name ?? UNAUTHENTICATED_PRINCIPAL_NAME,
      action,
      cluster: clusterOf(request),
      resource: reply.auditResource ?? param(request, config.audit === false ? undefined : config.audit?.resource),
      status: reply.statusCode,
      replayed: headerValue(reply, IDEMPOTENT_REPLAYED_HEADER) === 'true',
      requestId: request.id,
      clientRequestToken: clientRequestTokenOf(request),
      awsRequestId: reply.awsRequestId ?? headerValue(reply, AWS_REQUEST_ID_HEADER)
    })
    log.info({ reqId: request.id, audit: record }, 'audit')
    try {
      await options.store.appendAudit(record)
    } catch (error) {
      log.error({ reqId: request.id, err: error, auditId: record.id }, 'audit record could not be stored')
    }
  })
}

export default fp(auditPlugin, { name: 'eks-oidc-api-audit', fastify: '5.x' })
