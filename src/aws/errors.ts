/**
 * Maps errors thrown by the AWS SDK to the service's error model (reliability.md §3.2). Only
 * sanitised AWS messages reach clients: never raw bodies, signatures or stack traces.
 */
import { HtmlAnswerError } from './html-answers.ts'
import { isProblemCode, problem, PROBLEMS, ServiceError, type ProblemCode } from '../errors.ts'

interface SdkError {
  name?: string
  message?: string
  code?: string
  $metadata?: { httpStatusCode?: number, requestId?: string, attempts?: number }
  $retryable?: unknown
  /** Set on errors AWS answered (`client` or `server`); absent when the SDK failed to parse the answer. */
  $fault?: string
  /** awsQuery (IAM) errors: the parsed `<Error>` element. */
  Error?: { Code?: string }
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

/** The AWS exceptions answered under their own name, each a catalogue entry with its status. */
export const AWS_EXCEPTIONS: ReadonlySet<ProblemCode> = new Set<ProblemCode>([
  'ResourceNotFoundException', 'NotFoundException', 'NoSuchEntityException',
  'InvalidParameterException', 'InvalidInputException', 'ValidationError', 'BadRequestException', 'OpenIdIdpCommunicationErrorException',
  'InvalidRequestException', 'ResourceInUseException', 'ResourceLimitExceededException', 'LimitExceededException',
  'EntityAlreadyExistsException', 'ConcurrentModificationException',
  'ClientException', 'AccessDeniedException', 'ServerException', 'ServiceFailureException',
  'ServiceUnavailableException', 'ThrottlingException', 'Throttling'
])

/** The catalogue entry of an AWS answer: its exception when known, otherwise by HTTP status. */
function catalogueCodeOf (name: string, status: number): ProblemCode {
  if (isProblemCode(name) && AWS_EXCEPTIONS.has(name)) return name
  if (status === 429) return 'ThrottlingException'
  return status >= 500 ? 'UpstreamFailure' : 'UpstreamClientError'
}

/** What the log keeps of an answer that could not be read; the caller gets none of it. */
export interface UnreadableAnswer {
  httpStatus: number
  awsRequestId?: string
  /** The SDK's message, first line only (the rest is its hint about hidden fields). */
  sdkMessage: string
}

/**
 * Whether AWS (or something in front of it) answered with something the SDK could not read: an
 * HTML page (src/aws/html-answers.ts), a body the SDK failed to parse (truncated JSON or XML: the
 * SDK then throws its parser's error, with no `$fault`), or an error answer carrying no error code
 * (the SDK names it `Unknown`, or for IAM leaves `Error.Code` empty).
 */
export function unreadableAnswer (error: unknown): UnreadableAnswer | undefined {
  if (typeof error !== 'object' || error === null) return undefined
  const err = error as SdkError
  const httpStatus = err.$metadata?.httpStatusCode
  if (typeof httpStatus !== 'number') return undefined
  const notParsed = err.$fault === undefined && '$response' in err
  const noErrorCode = err.$fault !== undefined && (err.name === 'Unknown' || (err.Error !== undefined && err.Error.Code === undefined))
  if (!(error instanceof HtmlAnswerError) && !notParsed && !noErrorCode) return undefined
  return { httpStatus, awsRequestId: err.$metadata?.requestId, sdkMessage: (err.message ?? '').split('\n')[0].slice(0, 500) }
}

const AWS_SERVICE_NAMES = { eks: 'EKS', iam: 'IAM', sts: 'STS' } as const

/** The problem of an unreadable answer to `operation`: what happened and what to do, no SDK internals. */
export function awsResponseUnreadable (service: keyof typeof AWS_SERVICE_NAMES, operation: string, answer: UnreadableAnswer, cause: unknown): ServiceError {
  return problem('AwsResponseUnreadable', {
    detail: `AWS ${AWS_SERVICE_NAMES[service]} answered ${operation} with something that is not an AWS response (HTTP ${answer.httpStatus}), so the service could not read it; AWS, or the network in front of it, may be degraded. ` +
      'A change may or may not have taken effect: retry the request, with the same Idempotency-Key for a change, and the service checks AWS again before writing.',
    awsRequestId: answer.awsRequestId,
    cause
  })
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
    return problem(timedOut ? 'UpstreamTimeout' : 'UpstreamUnreachable', {
      detail: 'The call to AWS failed before an answer arrived; it may or may not have taken effect. Retrying with the same Idempotency-Key is safe.',
      cause: error
    })
  }

  const code = catalogueCodeOf(name, err.$metadata?.httpStatusCode ?? 500)
  return problem(code, {
    code: name,
    detail: sanitise(err.message) || PROBLEMS[code].title,
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
