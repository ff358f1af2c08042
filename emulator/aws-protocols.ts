/**
 * Serves the AWS side of the single emulator port: restJson1 for EKS and awsQuery (`POST /`,
 * form-encoded) for IAM and STS. Each call is counted and passed through fault injection
 * before it reaches its operation. Signatures are accepted without verification.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { EmulatorContext } from './context.ts'
import { resolveEksOperation } from './eks.ts'
import type { FaultKind, Faults } from './faults.ts'
import { resolveQueryOperation } from './query.ts'
import { EksError, QueryError } from './wire-errors.ts'
import { queryErrorResponse, queryResponse } from './xml.ts'

export interface ProtocolDeps {
  ctx: EmulatorContext
  faults: Faults
  countCall: (operation: string) => void
}

export interface RawRequest {
  method: string
  rawPath: string
  query: URLSearchParams
  body: string
  requestId: string
  req: IncomingMessage
}

const SERVICE_FAILURE_MESSAGE = 'The request processing has failed because of an unknown error, exception or failure.'

export function isQueryRequest ({ method, rawPath, req }: RawRequest): boolean {
  return method === 'POST' && rawPath === '/' &&
    (req.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')
}

function send (res: ServerResponse, status: number, contentType: string, body: string, headers: Record<string, string>): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), ...headers })
  res.end(body)
}

function sendEksError (res: ServerResponse, requestId: string, error: EksError): void {
  send(res, error.status, 'application/json', JSON.stringify({ message: error.message, ...error.members }), {
    'x-amzn-errortype': error.type,
    'x-amzn-requestid': requestId
  })
}

function eksFault (kind: FaultKind): EksError {
  return kind === 'throttle'
    ? new EksError('ThrottlingException', 'Rate exceeded')
    : new EksError('ServerException', 'An internal error occurred. Try again.')
}

export async function serveEks (deps: ProtocolDeps, request: RawRequest, res: ServerResponse): Promise<void> {
  const { requestId } = request
  const resolved = resolveEksOperation(request.method, request.rawPath)
  if (!resolved) {
    return sendEksError(res, requestId, new EksError('UnknownOperationException', `No operation matches ${request.method} ${request.rawPath}`))
  }
  const operation = `eks:${resolved.operation}`
  deps.countCall(operation)
  try {
    const fault = await deps.faults.apply(operation)
    if (fault) throw eksFault(fault)
    let body: unknown
    if (request.body.trim() !== '') {
      try {
        body = JSON.parse(request.body)
      } catch {
        throw new EksError('SerializationException', 'Request body is not valid JSON')
      }
    }
    const result = resolved.run(deps.ctx, request.query, body)
    send(res, 200, 'application/json', JSON.stringify(result), { 'x-amzn-requestid': requestId })
  } catch (error) {
    sendEksError(res, requestId, error instanceof EksError ? error : new EksError('ServerException', (error as Error).message))
  }
}

export async function serveQuery (deps: ProtocolDeps, request: RawRequest, res: ServerResponse): Promise<void> {
  const { requestId } = request
  const params = new URLSearchParams(request.body)
  const resolved = resolveQueryOperation(params)
  const sendError = (error: QueryError) => send(res, error.status, 'text/xml',
    queryErrorResponse(resolved.namespace, requestId, { type: error.type, code: error.code, message: error.message }),
    { 'x-amzn-requestid': requestId })
  if (!resolved.operation || !resolved.run) {
    return sendError(new QueryError('InvalidAction',
      `Could not find operation ${resolved.action} for version ${params.get('Version') ?? 'unknown'}`))
  }
  deps.countCall(resolved.operation)
  try {
    const fault = await deps.faults.apply(resolved.operation)
    if (fault === 'throttle') throw new QueryError('Throttling', 'Rate exceeded')
    if (fault === 'error') throw new QueryError('ServiceFailure', SERVICE_FAILURE_MESSAGE)
    const result = resolved.run(deps.ctx)
    send(res, 200, 'text/xml', queryResponse(resolved.action, resolved.namespace, requestId, result), { 'x-amzn-requestid': requestId })
  } catch (error) {
    sendError(error instanceof QueryError ? error : new QueryError('ServiceFailure', SERVICE_FAILURE_MESSAGE))
  }
}
