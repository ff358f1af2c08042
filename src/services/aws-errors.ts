/**
 * Maps errors thrown by the AWS SDK to the service's error model (reliability.md §3.2). Only
 * sanitised AWS messages reach clients: never raw bodies, signatures or stack traces.
 */
import { ServiceError } from '../errors.ts'

interface SdkError {
  name?: string
  message?: string
  code?: string
  $metadata?: { httpStatusCode?: number, requestId?: string, attempts?: number }
  $retryable?: unknown
}

const TIMEOUT_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'AbortError'])
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH'])

/** Whether the SDK raised this error for an AWS answer, as opposed to a local or network failure. */
function isAwsAnswer (err: SdkError) {
  return typeof err.$metadata?.httpStatusCode === 'number'
}

/** AWS messages are meant for humans and carry no secrets, but keep them short and single-line. */
function sanitise (message: string | undefined) {
  return (message ?? '').replace(/\s+/g, ' ').trim().slice(0, 500)
}

interface Mapping { status: number, slug: string, title: string, retryAfterSeconds?: number }

const MAPPINGS: Record<string, Mapping> = {
  ResourceNotFoundException: { status: 404, slug: 'not-found', title: 'Resource not found' },
  NotFoundException: { status: 404, slug: 'not-found', title: 'Resource not found' },
  NoSuchEntityException: { status: 404, slug: 'not-found', title: 'Resource not found' },
  InvalidParameterException: { status: 400, slug: 'upstream-invalid-parameter', title: 'AWS refused a parameter' },
  InvalidInputException: { status: 400, slug: 'upstream-invalid-parameter', title: 'AWS refused a parameter' },
  BadRequestException: { status: 400, slug: 'upstream-invalid-parameter', title: 'AWS refused a parameter' },
  OpenIdIdpCommunicationErrorException: { status: 400, slug: 'issuer-unreachable', title: 'IAM could not reach the issuer' },
  InvalidRequestException: { status: 409, slug: 'cluster-state-conflict', title: 'The cluster is not in a state that allows this request' },
  ResourceInUseException: { status: 409, slug: 'resource-in-use', title: 'The cluster is busy with another update', retryAfterSeconds: 60 },
  ResourceLimitExceededException: { status: 409, slug: 'quota-exceeded', title: 'An AWS quota would be exceeded' },
  LimitExceededException: { status: 409, slug: 'quota-exceeded', title: 'An AWS quota would be exceeded' },
  EntityAlreadyExistsException: { status: 409, slug: 'oidc-provider-exists', title: 'The IAM OIDC provider already exists' },
  ConcurrentModificationException: { status: 409, slug: 'concurrent-modification', title: 'Another change to the same resource is in progress', retryAfterSeconds: 5 },
  ClientException: { status: 502, slug: 'upstream-client-error', title: 'AWS refused the service\'s request' },
  AccessDeniedException: { status: 502, slug: 'upstream-access-denied', title: 'The service\'s AWS role lacks a permission' },
  ServerException: { status: 502, slug: 'upstream-failure', title: 'AWS failed to process the request' },
  ServiceFailureException: { status: 502, slug: 'upstream-failure', title: 'AWS failed to process the request' },
  ServiceUnavailableException: { status: 503, slug: 'upstream-unavailable', title: 'AWS is unavailable', retryAfterSeconds: 5 },
  ThrottlingException: { status: 503, slug: 'upstream-throttled', title: 'AWS is throttling the service', retryAfterSeconds: 5 },
  Throttling: { status: 503, slug: 'upstream-throttled', title: 'AWS is throttling the service', retryAfterSeconds: 5 }
}

/** Statuses whose outcome is ambiguous: the change may or may not have happened in AWS. */
export function isAmbiguous (error: ServiceError) {
  return error.status >= 500
}

export function mapAwsError (error: unknown): ServiceError {
  if (error instanceof ServiceError) return error
  const err = (error ?? {}) as SdkError
  const awsRequestId = err.$metadata?.requestId
  const name = err.name ?? 'Error'

  if (TIMEOUT_NAMES.has(name) || NETWORK_CODES.has(err.code ?? '') || !isAwsAnswer(err)) {
    const timedOut = TIMEOUT_NAMES.has(name) || err.code === 'ETIMEDOUT'
    return new ServiceError({
      status: timedOut ? 504 : 502,
      code: timedOut ? 'UpstreamTimeout' : 'UpstreamUnreachable',
      slug: timedOut ? 'upstream-timeout' : 'upstream-unreachable',
      title: timedOut ? 'AWS did not answer in time' : 'AWS could not be reached',
      detail: 'The call to AWS failed before an answer arrived; it may or may not have taken effect. Retrying with the same Idempotency-Key is safe.',
      retryAfterSeconds: 2,
      cause: error
    })
  }

  const status = err.$metadata?.httpStatusCode ?? 500
  const mapping = MAPPINGS[name] ?? (status === 429
    ? MAPPINGS.ThrottlingException
    : status >= 500
      ? { status: 502, slug: 'upstream-failure', title: 'AWS failed to process the request' }
      : { status: 502, slug: 'upstream-client-error', title: 'AWS refused the service\'s request' })

  return new ServiceError({
    ...mapping,
    code: name,
    detail: sanitise(err.message) || mapping.title,
    awsRequestId,
    cause: error
  })
}

/** Runs an AWS call and converts any failure into a ServiceError. */
export async function callAws<T> (call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    throw mapAwsError(error)
  }
}

export function isAwsError (error: unknown, ...names: string[]) {
  const name = (error as { name?: string } | undefined)?.name
  return typeof name === 'string' && names.includes(name)
}
