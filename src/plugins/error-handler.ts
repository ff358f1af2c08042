/**
 * Renders every error as an RFC 9457 problem (application/problem+json): service errors with
 * their code, schema violations with a JSON pointer per failing field, and anything unexpected
 * as an opaque 500 whose details stay in the log.
 */
import { randomUUID } from 'node:crypto'
import { STATUS_CODES } from 'node:http'
import type { Duplex } from 'node:stream'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { isProblemCode, PROBLEM_TYPE_BASE, problem, ServiceError, type FieldError } from '../errors.ts'
import { REQUEST_ID_HEADER } from './security.ts'

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8'

interface ValidationItem {
  keyword: string
  instancePath: string
  message?: string
  params: Record<string, unknown>
}

function pointerOf (context: string | undefined, item: ValidationItem) {
  const base = `/${context ?? 'body'}${item.instancePath}`
  const extra = item.params.missingProperty ?? item.params.additionalProperty ?? item.params.propertyName
  return typeof extra === 'string' ? `${base}/${extra.replaceAll('~', '~0').replaceAll('/', '~1')}` : base
}

function ruleOf (item: ValidationItem) {
  switch (item.keyword) {
    case 'additionalProperties': return 'is not a known field (unknown fields are rejected)'
    case 'required': return 'is required'
    case 'pattern': return `must match the pattern ${String(item.params.pattern)}`
    default: return item.message ?? `fails the ${item.keyword} rule`
  }
}

export function validationErrors (error: FastifyError): FieldError[] {
  return (error.validation as unknown as ValidationItem[]).map(item => ({
    pointer: pointerOf(error.validationContext, item),
    detail: ruleOf(item)
  }))
}

/** The RFC 9457 body of a service error; also used for errors inside event streams. */
export function problemBody (request: FastifyRequest, error: ServiceError) {
  return {
    type: error.type,
    title: error.title,
    status: error.status,
    detail: error.message,
    instance: request.url.split('?')[0],
    code: error.code,
    requestId: request.id,
    ...(error.awsRequestId ? { awsRequestId: error.awsRequestId } : {}),
    ...(error.errors ? { errors: error.errors } : {}),
    ...error.extensions
  }
}

export function sendProblem (request: FastifyRequest, reply: FastifyReply, error: ServiceError) {
  if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds))
  return reply.code(error.status).type(PROBLEM_CONTENT_TYPE).send(problemBody(request, error))
}

/**
 * Client errors of Fastify and its plugins (bad JSON, body too large, unsupported media type...):
 * Fastify's known ones by their code, any other as BadRequest keeping its code and status.
 */
function frameworkError (error: FastifyError): ServiceError {
  const code = error.code
  if (code?.startsWith('FST_') && isProblemCode(code)) return problem(code, { detail: error.message })
  return problem('BadRequest', { code: code ?? 'BadRequest', status: error.statusCode, detail: error.message })
}

export function toServiceError (error: FastifyError | ServiceError): ServiceError {
  if (error instanceof ServiceError) return error
  if (error.validation) {
    const errors = validationErrors(error)
    return problem('ValidationException', { detail: errors.map(e => `${e.pointer} ${e.detail}`).join('; '), errors })
  }
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) return frameworkError(error)
  return problem('InternalError', { detail: 'The service failed unexpectedly. Quote the request id when reporting it.' })
}

/**
 * Fastify's `frameworkErrors` server option: errors raised before routing (a malformed URL, a path
 * parameter over `maxParamLength`) are answered as problems too, instead of Fastify's plain JSON.
 * No route hook runs for them, so the request id header is set here.
 */
export function frameworkErrors (error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  reply.header(REQUEST_ID_HEADER, request.id)
  return sendProblem(request, reply, toServiceError(error))
}

/** What the HTTP parser's error means for the client: its problem, by Node's error code. */
function parserProblem (error: NodeJS.ErrnoException): ServiceError {
  if (error.code === 'HPE_HEADER_OVERFLOW') return problem('HPE_HEADER_OVERFLOW', { detail: 'The request line and headers are larger than the service reads.' })
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return problem('ERR_HTTP_REQUEST_TIMEOUT', { detail: 'The request did not arrive in time.' })
  return problem('BadRequest', { code: error.code ?? 'BadRequest', status: 400, detail: 'The HTTP request could not be parsed.' })
}

/**
 * Fastify's `clientErrorHandler` server option: errors of Node's HTTP parser, before any request
 * exists (headers over the size limit, a malformed request line, headers too slow to arrive), are
 * answered as problems too, with a fresh request id. The parser cannot go on reading the
 * connection, so the answer says `Connection: close` and the socket is closed after it; without
 * that, a keep-alive client sends its next request into a closed socket.
 */
export function clientErrors (this: FastifyInstance, error: NodeJS.ErrnoException, socket: Duplex) {
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  const failure = parserProblem(error)
  const requestId = randomUUID()
  this.log.info({ code: failure.code, status: failure.status, requestId }, failure.message)
  if (!socket.writable) {
    socket.destroy()
    return
  }
  const body = JSON.stringify({ type: failure.type, title: failure.title, status: failure.status, detail: failure.message, code: failure.code, requestId })
  socket.end([
    `HTTP/1.1 ${failure.status} ${STATUS_CODES[failure.status] ?? ''}`,
    `content-type: ${PROBLEM_CONTENT_TYPE}`,
    `content-length: ${Buffer.byteLength(body)}`,
    `${REQUEST_ID_HEADER}: ${requestId}`,
    'cache-control: no-store',
    'connection: close',
    '',
    body
  ].join('\r\n'))
}

async function errorHandler (app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const problem = toServiceError(error)
    // What the client sent is often why a request failed; the logger's redaction removes its credentials.
    request.log.debug({ headers: request.headers }, 'headers of the failed request')
    if (problem.status >= 500) {
      request.log.error({ err: error, code: problem.code }, 'request failed')
    } else {
      request.log.info({ code: problem.code, status: problem.status }, problem.message)
    }
    return sendProblem(request, reply, problem)
  })

  app.setNotFoundHandler((request, reply) => sendProblem(request, reply, problem('RouteNotFound', {
    detail: `${request.method} ${request.url.split('?')[0]} is not a route of this API; see /docs.`
  })))
}

export default fp(errorHandler, { name: 'error-handler' })
export { PROBLEM_TYPE_BASE }
