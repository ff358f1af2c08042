/**
 * The error responses of every route, generated from the catalogue of problems (src/errors.ts).
 *
 * A route declares only the problems that are its own, by catalogue code or group:
 *   config: { auth: { action: 'read' }, problems: [EKS_CALL, 'ResourceNotFoundException'] }
 * `documentProblems`, an onRoute hook registered in routes/index.ts, adds those that follow from
 * the route's config and schema (authentication, rate limit, load shedding, inputs, body,
 * idempotency) to `schema.response`, one response per status described by the codes that come
 * with it, and the headers every answer of a kind carries.
 */
import type { HTTPMethods, RouteOptions } from 'fastify'
import { Problem, Ref } from '../../schemas/common.ts'
import { entryOf, PROBLEMS, wireCodeOf, type ProblemCode } from '../../src/errors.ts'
import type { ChangeDeclaration } from '../../src/changes/declaration.ts'
import { PROBE_ROUTES } from '../../src/plugins/probe-routes.ts'
import { isClusterScoped, namesScope } from '../../src/plugins/scope.ts'
import { MAX_PATH_PARAM_LENGTH } from '../../src/plugins/security.ts'
import { IDEMPOTENT_REPLAYED, REQUEST_ID, retryAfter, withHeaders, WWW_AUTHENTICATE, type Headers } from './headers.ts'

export type DeclaredProblems = ReadonlyArray<ProblemCode | readonly ProblemCode[]>

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The problems only this route answers, by catalogue code or group (see routes/support/problems.ts). */
    problems?: DeclaredProblems
  }
}

/** The calls to EKS fail like this, whatever the operation. */
export const EKS_CALL = [
  'InvalidParameterException', 'ClientException', 'AccessDeniedException', 'ServerException', 'ServiceUnavailableException',
  'ThrottlingException', 'UpstreamClientError', 'UpstreamFailure', 'UpstreamInvalidResponse', 'AwsResponseUnreadable', 'UpstreamUnreachable', 'UpstreamTimeout'
] as const satisfies readonly ProblemCode[]

/** The calls to IAM fail like this, whatever the operation. */
export const IAM_CALL = [
  'InvalidInputException', 'ValidationError', 'AccessDeniedException', 'ServiceFailureException', 'Throttling',
  'UpstreamClientError', 'UpstreamFailure', 'AwsResponseUnreadable', 'UpstreamUnreachable', 'UpstreamTimeout'
] as const satisfies readonly ProblemCode[]

/** Reading an issuer (TLS chain, discovery, keys) through the egress guard. */
export const ISSUER_FETCH = [
  'IssuerUrlInvalid', 'IssuerAddressForbidden', 'IssuerRedirect', 'IssuerResponseInvalid', 'IssuerCertificateInvalid',
  'IssuerUnreachable', 'IssuerTimeout'
] as const satisfies readonly ProblemCode[]

/** An association refused before any write because the issuer failed its pre-flight checks. */
export const ISSUER_PREFLIGHT = [
  ...ISSUER_FETCH, 'IssuerMismatch', 'IssuerIsClusterIssuer', 'IssuerPreflightFailed'
] as const satisfies readonly ProblemCode[]

/** A Pod Identity write refused before it is sent: a pre-flight check failed (reading the role's trust policy is an IAM call). */
export const POD_IDENTITY_PREFLIGHT = [...IAM_CALL, 'PodIdentityPreflightFailed'] as const satisfies readonly ProblemCode[]

const AUTHENTICATED = ['UnauthorizedException', 'AccessDenied', 'IdentityProviderUnavailable'] as const satisfies readonly ProblemCode[]
const SHED = ['ServiceShuttingDown', 'ServiceOverloaded'] as const satisfies readonly ProblemCode[]
/** What Node's HTTP parser refuses before any route sees the request (the error handler's clientErrors). */
const TRANSPORT = ['BadRequest', 'ERR_HTTP_REQUEST_TIMEOUT', 'HPE_HEADER_OVERFLOW'] as const satisfies readonly ProblemCode[]
const PATH_PARAMS = ['FST_ERR_MAX_PARAM_LENGTH', 'FST_ERR_BAD_URL'] as const satisfies readonly ProblemCode[]
const BODY = [
  'FST_ERR_CTP_BODY_TOO_LARGE', 'FST_ERR_CTP_INVALID_MEDIA_TYPE', 'FST_ERR_CTP_INVALID_JSON_BODY', 'FST_ERR_CTP_EMPTY_JSON_BODY',
  'FST_ERR_CTP_INVALID_CONTENT_LENGTH', 'BadRequest'
] as const satisfies readonly ProblemCode[]
/** What the change pipeline itself can answer on a mutating route (src/plugins/changes.ts). */
const CHANGE = [
  'IdempotencyKeyInvalidException', 'IdempotencyRequestInProgressException', 'IdempotencyKeyReusedException', 'IdempotencyStoreUnavailable',
  'AuditUnavailable'
] as const satisfies readonly ProblemCode[]

/** A scope's credentials: the role of the account could not be assumed (src/accounts/credentials.ts). */
const ACCOUNT_CREDENTIALS = ['AccountAccessDenied', 'AccountUnreachable'] as const satisfies readonly ProblemCode[]
/** `/accounts/{accountId}/regions/{region}/...`: an account or region the registry does not have (src/plugins/scope.ts). */
const SCOPE_PARAMS = ['AccountNotFound', 'RegionNotAllowed'] as const satisfies readonly ProblemCode[]

const SUMMARIES: Record<number, string> = {
  400: 'The request is invalid or cannot be read; `errors` names the failing members.',
  401: 'Credentials are missing or invalid.',
  403: 'The caller has no grant for this action on this cluster.',
  404: 'The cluster or resource does not exist.',
  408: 'The request headers did not arrive in time (Node\'s `headersTimeout`); the connection is closed.',
  409: 'The request conflicts with the current state.',
  413: 'The request body is larger than the service accepts (`BODY_LIMIT_BYTES`).',
  414: `A path parameter is longer than ${MAX_PATH_PARAM_LENGTH} characters.`,
  415: 'The request body has a content type the service does not read (send `application/json`).',
  422: 'The request cannot be carried out as it stands: the Idempotency-Key was already used with a different request, or a pre-flight check failed.',
  429: 'Too many requests from this caller (per principal, or per IP address without credentials).',
  431: 'The request line and headers are larger than the service reads (Node\'s `maxHeaderSize`, 16 KiB by default); the connection is closed.',
  500: 'The service failed unexpectedly; quote the request id when reporting it.',
  502: 'AWS or the issuer failed, or refused the service\'s call.',
  503: 'The service instance or a dependency is unavailable, or AWS throttles the service.',
  504: 'AWS or the issuer did not answer in time; retrying with the same Idempotency-Key is safe.'
}

const CATALOGUE_ORDER = new Map(Object.keys(PROBLEMS).map((code, index) => [code, index]))
const PROBLEM_MEDIA_TYPE = 'application/problem+json'

const isBodyless = (method: string) => method === 'GET' || method === 'HEAD'

function describe (status: number, codes: readonly ProblemCode[]): string {
  const named = (code: ProblemCode) => entryOf(code).passedThroughCode ?? `\`${wireCodeOf(code)}\``
  const lines = new Set(codes.map(code => `- ${named(code)} (\`${entryOf(code).slug}\`): ${entryOf(code).title}.`))
  return [SUMMARIES[status] ?? 'Problem details.', '', ...lines].join('\n')
}

function headersOf (status: number, codes: readonly ProblemCode[]): Headers {
  const retrying = codes.filter(code => entryOf(code).retryAfterSeconds !== undefined).map(wireCodeOf)
  return {
    ...(status === 401 ? WWW_AUTHENTICATE : {}),
    ...(retrying.length > 0 ? retryAfter(`Seconds to wait before retrying; sent with ${[...new Set(retrying)].map(c => `\`${c}\``).join(', ')}.`) : {})
  }
}

const problemResponse = (status: number, codes: readonly ProblemCode[]) => ({
  description: describe(status, codes),
  headers: headersOf(status, codes),
  content: { [PROBLEM_MEDIA_TYPE]: { schema: Ref(Problem) } }
})

/** A problem response, which the generated one for its status replaces. */
const isProblemResponse = (response: object) => {
  const content = (response as { content?: object }).content
  return content !== undefined && Object.keys(content).join() === PROBLEM_MEDIA_TYPE
}

/** The catalogue codes by status, statuses ascending and codes in catalogue order. */
function byStatus (codes: readonly ProblemCode[]): Map<number, ProblemCode[]> {
  const grouped = new Map<number, ProblemCode[]>()
  const ordered = [...new Set(codes)].sort((a, b) => (CATALOGUE_ORDER.get(a) ?? 0) - (CATALOGUE_ORDER.get(b) ?? 0))
  for (const code of ordered) {
    const { status } = entryOf(code)
    grouped.set(status, [...grouped.get(status) ?? [], code])
  }
  return new Map([...grouped].sort(([a], [b]) => a - b))
}

interface RouteLike {
  method: HTTPMethods | HTTPMethods[]
  url: string
  config?: { public?: boolean, auth?: unknown, change?: ChangeDeclaration, problems?: DeclaredProblems }
  schema?: { params?: unknown, querystring?: unknown, body?: unknown, headers?: unknown }
}

/** The problems a route can answer: those implied by its config and schema, and its own. */
function routeProblems (route: RouteLike): ProblemCode[] {
  return [...impliedProblems(route), ...(route.config?.problems ?? []).flat()]
}

/** The problems every route like this one can answer, whatever its handler does. */
function impliedProblems (route: RouteLike): ProblemCode[] {
  const config = route.config ?? {}
  const schema = route.schema ?? {}
  const methods = [route.method].flat()
  const hasInput = [schema.params, schema.querystring, schema.body, schema.headers].some(part => part !== undefined)
  return [
    'InternalError',
    ...TRANSPORT,
    // Probes are never rate-limited nor shed (src/plugins/probe-routes.ts).
    ...(PROBE_ROUTES.has(route.url) ? [] : ['TooManyRequestsException' as const, ...SHED]),
    ...(config.auth === undefined && config.change === undefined ? [] : AUTHENTICATED),
    ...(hasInput ? ['ValidationException' as const] : []),
    ...(route.url.includes(':') ? PATH_PARAMS : []),
    ...(methods.every(isBodyless) ? [] : BODY),
    ...(config.change === undefined ? [] : CHANGE),
    ...(config.change?.idempotency === 'required' ? ['IdempotencyKeyMissingException' as const] : []),
    ...(isClusterScoped(route.url) ? ACCOUNT_CREDENTIALS : []),
    ...(namesScope(route.url) ? SCOPE_PARAMS : [])
  ]
}

/** Statuses whose answer may be the stored one of an earlier request with the same Idempotency-Key. */
const replayable = (status: number) => (status >= 200 && status < 300) || [400, 404, 409].includes(status)

/**
 * onRoute hook: writes the route's problems into `schema.response` (a status the route documents
 * with another body, like the readiness 503, keeps it), adds the common headers, and marks public
 * routes `security: []`. Hidden routes are left alone.
 */
export function documentProblems (route: RouteOptions): void {
  const schema = route.schema
  if (schema === undefined || schema.hide === true) return
  const config = route.config as RouteLike['config']
  const response: Record<string, object> = { ...schema.response as Record<string, object> | undefined }
  for (const [status, codes] of byStatus(routeProblems(route as RouteLike))) {
    const existing = response[status]
    if (existing === undefined || isProblemResponse(existing)) response[status] = problemResponse(status, codes)
  }
  for (const [status, entry] of Object.entries(response)) {
    const replayed = config?.change !== undefined && replayable(Number(status)) ? IDEMPOTENT_REPLAYED : {}
    response[status] = withHeaders(entry, REQUEST_ID, replayed)
  }
  route.schema = { ...schema, response, ...(config?.public === true ? { security: [] } : {}) }
}
