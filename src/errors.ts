/**
 * The one error model of the service. Services throw these; the error handler renders them as
 * RFC 9457 problem details. `code` is the AWS exception name where one applies, otherwise our own
 * stable name; `type` is a URI under PROBLEM_TYPE_BASE built from `slug`.
 */
export const PROBLEM_TYPE_BASE = 'https://eks-oidc-api.dev/problems/'

export interface FieldError {
  /** JSON pointer to the failing member, e.g. `/body/oidc/issuerUrl`. */
  pointer: string
  /** The rule that failed, in words. */
  detail: string
}

export interface ServiceErrorOptions {
  status: number
  code: string
  slug: string
  title: string
  detail?: string
  errors?: FieldError[]
  /** Seconds the client should wait before retrying (sent as Retry-After). */
  retryAfterSeconds?: number
  /** Extra members rendered into the problem body (e.g. failed checks). */
  extensions?: Record<string, unknown>
  /** AWS request id of the upstream call that failed, if any. */
  awsRequestId?: string
  cause?: unknown
}

export class ServiceError extends Error {
  readonly status: number
  readonly code: string
  readonly slug: string
  readonly title: string
  readonly errors?: FieldError[]
  readonly retryAfterSeconds?: number
  readonly extensions?: Record<string, unknown>
  readonly awsRequestId?: string

  constructor (options: ServiceErrorOptions) {
    super(options.detail ?? options.title, { cause: options.cause })
    this.name = options.code
    this.status = options.status
    this.code = options.code
    this.slug = options.slug
    this.title = options.title
    this.errors = options.errors
    this.retryAfterSeconds = options.retryAfterSeconds
    this.extensions = options.extensions
    this.awsRequestId = options.awsRequestId
  }

  get type (): string {
    return PROBLEM_TYPE_BASE + this.slug
  }
}

type Shortcut = Omit<ServiceErrorOptions, 'status' | 'code' | 'slug' | 'title'> & { detail: string }

export const notFound = (code: string, options: Shortcut) =>
  new ServiceError({ status: 404, code, slug: 'not-found', title: 'Resource not found', ...options })

export const invalidParameter = (options: Shortcut & { code?: string, slug?: string }) =>
  new ServiceError({ status: 400, code: 'InvalidParameterException', slug: 'invalid-parameter', title: 'Invalid parameter', ...options })

export const conflict = (code: string, slug: string, options: Shortcut) =>
  new ServiceError({ status: 409, code, slug, title: 'Conflict with the current state', ...options })
