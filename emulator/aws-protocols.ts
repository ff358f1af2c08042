/**
 * Serves the AWS side of the single emulator port: restJson1 for EKS and awsQuery (`POST /`,
 * form-encoded) for IAM and STS. Each call is counted and passed through fault injection
 * before it reaches its operation, in the scope (account, region) it is signed for (credentials.ts).
 * Signatures are accepted without verification.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { scopedContext, type EmulatorContext } from './context.ts'
import { resolveCaller, signedScope, type CredentialProblem } from './credentials.ts'
import { resolveEksOperation } from './eks.ts'
import type { FaultKind, Faults } from './faults.ts'
import { resolveQueryOperation } from './query.ts'
import { EksError, QueryError } from './wire-errors.ts'
import { queryErrorResponse, queryResponse } from './xml.ts'

export interface ProtocolDeps {
  /** The emulator seen from the default scope; each request is served in its own scope. */
  ctx: EmulatorContext
  faults: Faults
  /** Counts every received attempt, and logs who made it once its credentials are known. */
  countCall: (operation: string, ctx?: EmulatorContext) => void
}

/** The context of the scope the request is signed for, or what is wrong with its credentials. */
function requestContext (deps: ProtocolDeps, request: RawRequest): EmulatorContext | CredentialProblem {
  const resolved = resolveCaller(deps.ctx.accounts, signedScope(request.req, request.query), deps.ctx.clock())
  if (typeof resolved === 'string') return resolved
  return scopedContext(deps.ctx, resolved.caller.accountId, resolved.region, resolved.caller)
}

const CREDENTIAL_MESSAGES: Record<CredentialProblem, string> = {
  invalid: 'The security token included in the request is invalid.',
  expired: 'The security token included in the request is expired'
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

type AwsErrorFault = Extract<FaultKind, 'throttle' | 'error'>
type UnreadableFault = Exclude<FaultKind, AwsErrorFault>

const isAwsErrorFault = (kind: FaultKind): kind is AwsErrorFault => kind === 'throttle' || kind === 'error'

const HTML_STATUS: Record<Exclude<UnreadableFault, 'truncated'>, number> = { 'html-404': 404, 'html-500': 500, 'html-200': 200 }

/** The page a proxy or load balancer in front of AWS answers with (no AWS request id). */
function sendHtmlPage (res: ServerResponse, kind: Exclude<UnreadableFault, 'truncated'>): void {
  const status = HTML_STATUS[kind]
  send(res, status, 'text/html; charset=utf-8', `<!DOCTYPE html>\n<html><head><title>${status}</title></head><body><h1>${status}</h1><p>upstream answered with a page</p></body></html>\n`, {})
}

/** Answers as `fault` says when it is an unreadable answer; `answer` runs the operation and gives its answer. */
function sendUnreadable (res: ServerResponse, fault: UnreadableFault, answer: () => { status: number, contentType: string, body: string, headers: Record<string, string> }): void {
  if (fault !== 'truncated') return sendHtmlPage(res, fault)
  const { status, contentType, body, headers } = answer()
  send(res, status, contentType, body.slice(0, Math.floor(body.length / 2)), headers)
}

function eksFault (kind: AwsErrorFault): EksError {
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
  const ctx = requestContext(deps, request)
  if (typeof ctx === 'string') {
    deps.countCall(operation)
    return sendEksError(res, requestId, new EksError(ctx === 'invalid' ? 'UnrecognizedClientException' : 'ExpiredTokenException', CREDENTIAL_MESSAGES[ctx]))
  }
  deps.countCall(operation, ctx)
  const run = () => {
    let body: unknown
    if (request.body.trim() !== '') {
      try {
        body = JSON.parse(request.body)
      } catch {
        throw new EksError('SerializationException', 'Request body is not valid JSON')
      }
    }
    return resolved.run(ctx, request.query, body)
  }
  const answer = () => ({ status: 200, contentType: 'application/json', body: JSON.stringify(run()), headers: { 'x-amzn-requestid': requestId } })
  try {
    const fault = await deps.faults.apply(operation, ctx)
    if (fault && isAwsErrorFault(fault)) throw eksFault(fault)
    if (fault) return sendUnreadable(res, fault, answer)
    const { status, contentType, body, headers } = answer()
    send(res, status, contentType, body, headers)
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
  const ctx = requestContext(deps, request)
  if (typeof ctx === 'string') {
    deps.countCall(resolved.operation)
    return sendError(new QueryError(ctx === 'invalid' ? 'InvalidClientTokenId' : 'ExpiredToken', CREDENTIAL_MESSAGES[ctx]))
  }
  deps.countCall(resolved.operation, ctx)
  const run = resolved.run
  const answer = () => ({ status: 200, contentType: 'text/xml', body: queryResponse(resolved.action, resolved.namespace, requestId, run(ctx)), headers: { 'x-amzn-requestid': requestId } })
  try {
    const fault = await deps.faults.apply(resolved.operation, ctx)
    if (fault === 'throttle') throw new QueryError('Throttling', 'Rate exceeded')
    if (fault === 'error') throw new QueryError('ServiceFailure', SERVICE_FAILURE_MESSAGE)
    if (fault) return sendUnreadable(res, fault, answer)
    const { status, contentType, body, headers } = answer()
    send(res, status, contentType, body, headers)
  } catch (error) {
    sendError(error instanceof QueryError ? error : new QueryError('ServiceFailure', SERVICE_FAILURE_MESSAGE))
  }
}
