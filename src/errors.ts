/**
 * The one error model of the service. Services throw these; the error handler renders them as
 * RFC 9457 problem details. Every problem the service can answer is an entry of PROBLEMS, and
 * `problem(code)` builds the error from it; `type` is a URI under PROBLEM_TYPE_BASE built from the
 * entry's `slug`.
 */
export const PROBLEM_TYPE_BASE = 'https://eks-oidc-api.dev/problems/'

export interface FieldError {
  /** JSON pointer to the failing member, e.g. `/body/oidc/issuerUrl`. */
  pointer: string
  /** The rule that failed, in words. */
  detail: string
}

export interface ProblemEntry {
  status: number
  slug: string
  title: string
  /**
   * The `code` on the wire when it is not the entry's key: a few problems of different kinds share
   * the AWS exception name a client already handles (e.g. ResourceInUseException).
   */
  code?: string
  /** For entries whose wire code is a name passed through (see ProblemOptions.code): what that name is. */
  passedThroughCode?: string
  /** Sent as Retry-After unless the occurrence gives its own delay. */
  retryAfterSeconds?: number
}

/** Kinds of problem that several catalogue entries share (one slug, one title). */
const UNREADABLE = { slug: 'bad-request', title: 'The request could not be read' } as const
const NOT_FOUND = { status: 404, slug: 'not-found', title: 'Resource not found' } as const
const CLUSTER_STATE_CONFLICT = { status: 409, slug: 'cluster-state-conflict', title: 'The cluster is not in a state that allows this request' } as const
const ISSUER_UNREACHABLE = { slug: 'issuer-unreachable', title: 'The issuer could not be reached' } as const
const AWS_REFUSED_PARAMETER = { status: 400, slug: 'upstream-invalid-parameter', title: 'AWS refused a parameter' } as const
const AWS_QUOTA = { status: 409, slug: 'quota-exceeded', title: 'An AWS quota would be exceeded' } as const
const AWS_REFUSED_REQUEST = { status: 502, slug: 'upstream-client-error', title: 'AWS refused the service\'s request' } as const
const AWS_FAILED = { status: 502, slug: 'upstream-failure', title: 'AWS failed to process the request' } as const
const AWS_THROTTLED = { status: 503, slug: 'upstream-throttled', title: 'AWS is throttling the service', retryAfterSeconds: 5 } as const

/**
 * Every problem the service answers, by catalogue code. The key is the wire `code` unless the entry
 * names another; keys equal to an AWS exception name are that exception passed through from AWS,
 * and the service's own problems sharing such a name carry it in `code`. One slug has one title
 * (RFC 9457: the title of a type does not change between occurrences).
 */
export const PROBLEMS = {
  // The request itself
  ValidationException: { status: 400, slug: 'validation-failed', title: 'The request does not match the API schema' },
  InvalidParameter: { status: 400, code: 'InvalidParameterException', slug: 'invalid-parameter', title: 'Invalid parameter' },
  BadRequest: { status: 400, ...UNREADABLE, passedThroughCode: 'Fastify\'s or Node\'s HTTP parser error code, or `BadRequest`' },
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, ...UNREADABLE },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, ...UNREADABLE },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, ...UNREADABLE },
  FST_ERR_BAD_URL: { status: 400, ...UNREADABLE },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, ...UNREADABLE },
  FST_ERR_MAX_PARAM_LENGTH: { status: 414, ...UNREADABLE },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, ...UNREADABLE },
  HPE_HEADER_OVERFLOW: { status: 431, ...UNREADABLE },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, ...UNREADABLE },
  RouteNotFound: { status: 404, slug: 'route-not-found', title: 'No such route' },

  // Access and load
  UnauthorizedException: { status: 401, slug: 'unauthorized', title: 'Authentication required' },
  AccessDenied: { status: 403, code: 'AccessDeniedException', slug: 'access-denied', title: 'Access denied' },
  TooManyRequestsException: { status: 429, slug: 'too-many-requests', title: 'Too many requests', retryAfterSeconds: 1 },
  IdentityProviderUnavailable: { status: 503, code: 'ServiceUnavailableException', slug: 'identity-provider-unavailable', title: 'Identity provider unavailable', retryAfterSeconds: 5 },
  ServiceShuttingDown: { status: 503, slug: 'shutting-down', title: 'The service instance is shutting down', retryAfterSeconds: 1 },
  ServiceOverloaded: { status: 503, slug: 'overloaded', title: 'The service is overloaded', retryAfterSeconds: 5 },
  ClientClosedRequest: { status: 499, slug: 'client-closed-request', title: 'The client closed the connection before the answer' },
  InternalError: { status: 500, slug: 'internal-error', title: 'Internal error' },

  // Idempotency and the service's own records
  IdempotencyKeyInvalidException: { status: 400, slug: 'idempotency-key-invalid', title: 'Invalid Idempotency-Key header' },
  IdempotencyKeyMissingException: { status: 400, slug: 'idempotency-key-missing', title: 'Idempotency-Key header required' },
  IdempotencyRequestInProgressException: { status: 409, slug: 'idempotency-request-in-progress', title: 'A request with this Idempotency-Key is still in progress', retryAfterSeconds: 1 },
  IdempotencyKeyReusedException: { status: 422, slug: 'idempotency-key-reused', title: 'Idempotency-Key reused with a different request' },
  IdempotencyStoreUnavailable: { status: 503, code: 'ServiceUnavailableException', slug: 'store-unavailable', title: 'Idempotency store unavailable', retryAfterSeconds: 1 },
  AuditUnavailable: { status: 503, slug: 'audit-unavailable', title: 'The audit record could not be stored' },
  OperationNotFound: NOT_FOUND,

  // Accounts and regions of the registry (src/accounts)
  AccountNotFound: { status: 404, slug: 'account-not-found', title: 'No such account in the registry' },
  RegionNotAllowed: { status: 404, slug: 'region-not-allowed', title: 'The region is not allowed for this account' },
  AccountAccessDenied: { status: 403, slug: 'account-access-denied', title: 'The service may not assume the account\'s role' },
  AccountUnreachable: { status: 502, slug: 'account-unreachable', title: 'The account\'s credentials could not be obtained', retryAfterSeconds: 5 },

  // The service's own checks of clusters and configs
  ClusterStateConflict: CLUSTER_STATE_CONFLICT,
  ConfigLimit: { status: 409, code: 'ResourceInUseException', slug: 'config-limit', title: 'Conflict with the current state' },
  ConfigExists: { status: 409, code: 'ResourceInUseException', slug: 'config-exists', title: 'Conflict with the current state' },
  ReplaceInProgress: { status: 409, slug: 'replace-in-progress', title: 'Conflict with the current state' },
  MigrationInProgress: { status: 409, slug: 'migration-in-progress', title: 'Conflict with the current state' },
  TrustPolicyTooLarge: AWS_QUOTA,
  // IAM's quota of OIDC providers per account, counted before a create (src/services/oidc-provider.ts).
  OidcProviderQuotaReached: { status: 409, slug: 'oidc-provider-quota-reached', title: 'The account has as many IAM OIDC providers as IAM allows' },
  AccountNotReachable: { status: 400, slug: 'account-not-reachable', title: 'The service does not reach this AWS account' },

  // Pod Identity associations
  PodIdentityAssociationExists: { status: 409, code: 'ResourceInUseException', slug: 'pod-identity-association-exists', title: 'Conflict with the current state' },
  PodIdentityPreflightFailed: { status: 422, slug: 'pod-identity-preflight-failed', title: 'Pods would not get the role: a pre-flight check failed' },
  // The service's own checks of access entries and the authentication mode
  NodeAccessEntryProtected: { status: 409, slug: 'node-access-entry-protected', title: 'Deleting this access entry would cut nodes off the cluster' },
  AuthenticationModeTransition: { status: 409, slug: 'authentication-mode-transition', title: 'EKS does not allow this authentication mode change' },
  ConfirmationRequired: { status: 400, slug: 'confirmation-required', title: 'The change needs an explicit confirmation' },

  // Issuers, reached through the egress guard
  IssuerUrlInvalid: { status: 400, slug: 'issuer-url-invalid', title: 'The URL breaks an egress rule' },
  IssuerAddressForbidden: { status: 400, slug: 'issuer-address-forbidden', title: 'The host resolves to a forbidden address' },
  IssuerRedirect: { status: 400, slug: 'issuer-redirect', title: 'The issuer answered with a redirect, which is not followed' },
  IssuerResponseInvalid: { status: 400, slug: 'issuer-response-invalid', title: 'The issuer response is not acceptable' },
  IssuerCertificateInvalid: { status: 400, slug: 'issuer-certificate-invalid', title: 'The issuer TLS certificate is not trusted' },
  IssuerMismatch: { status: 400, slug: 'issuer-mismatch', title: 'The discovery document names another issuer' },
  IssuerIsClusterIssuer: { status: 400, code: 'InvalidParameterException', slug: 'issuer-is-cluster-issuer', title: 'The issuer is the cluster\'s own OIDC issuer' },
  IssuerPreflightFailed: { status: 400, slug: 'issuer-preflight-failed', title: 'The issuer failed its pre-flight checks' },
  IssuerUnreachable: { status: 502, ...ISSUER_UNREACHABLE },
  IssuerTimeout: { status: 504, slug: 'issuer-timeout', title: 'The issuer did not answer in time' },

  // AWS: exceptions passed through by name (src/aws/errors.ts)
  ResourceNotFoundException: NOT_FOUND,
  NotFoundException: NOT_FOUND,
  NoSuchEntityException: NOT_FOUND,
  InvalidParameterException: AWS_REFUSED_PARAMETER,
  InvalidInputException: AWS_REFUSED_PARAMETER,
  // awsQuery services (IAM) answer a model constraint violation (length, pattern, list size) with this unmodelled code.
  ValidationError: AWS_REFUSED_PARAMETER,
  BadRequestException: AWS_REFUSED_PARAMETER,
  OpenIdIdpCommunicationErrorException: { status: 400, ...ISSUER_UNREACHABLE },
  InvalidRequestException: CLUSTER_STATE_CONFLICT,
  ResourceInUseException: { status: 409, slug: 'resource-in-use', title: 'The cluster is busy with another update', retryAfterSeconds: 60 },
  ResourceLimitExceededException: AWS_QUOTA,
  LimitExceededException: AWS_QUOTA,
  EntityAlreadyExistsException: { status: 409, slug: 'oidc-provider-exists', title: 'The IAM OIDC provider already exists' },
  ConcurrentModificationException: { status: 409, slug: 'concurrent-modification', title: 'Another change to the same resource is in progress', retryAfterSeconds: 5 },
  ClientException: AWS_REFUSED_REQUEST,
  AccessDeniedException: { status: 502, slug: 'upstream-access-denied', title: 'The service\'s AWS role lacks a permission' },
  ServerException: AWS_FAILED,
  ServiceFailureException: AWS_FAILED,
  ServiceUnavailableException: { status: 503, slug: 'upstream-unavailable', title: 'AWS is unavailable', retryAfterSeconds: 5 },
  ThrottlingException: AWS_THROTTLED,
  Throttling: AWS_THROTTLED,

  // AWS: failures named by the service (an unknown AWS exception keeps its own name as `code`)
  UpstreamClientError: { ...AWS_REFUSED_REQUEST, passedThroughCode: 'another AWS exception name' },
  UpstreamFailure: { ...AWS_FAILED, passedThroughCode: 'another AWS exception name' },
  UpstreamInvalidResponse: { status: 502, slug: 'upstream-invalid-response', title: 'AWS answered with an unexpected or incomplete response' },
  AwsResponseUnreadable: { status: 502, slug: 'aws-response-unreadable', title: 'The answer from AWS could not be read', retryAfterSeconds: 2 },
  UpstreamUnreachable: { status: 502, slug: 'upstream-unreachable', title: 'AWS could not be reached', retryAfterSeconds: 2 },
  UpstreamTimeout: { status: 504, slug: 'upstream-timeout', title: 'AWS did not answer in time', retryAfterSeconds: 2 }
} as const satisfies Record<string, ProblemEntry>

export type ProblemCode = keyof typeof PROBLEMS

export const isProblemCode = (value: unknown): value is ProblemCode => typeof value === 'string' && Object.hasOwn(PROBLEMS, value)

export const entryOf = (code: ProblemCode): ProblemEntry => PROBLEMS[code]

/** The `code` member clients see for a catalogue code. */
export const wireCodeOf = (code: ProblemCode): string => entryOf(code).code ?? code

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
  /** The catalogue entry the error was built from (set by `problem()`). */
  catalogueCode?: ProblemCode
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
  readonly catalogueCode?: ProblemCode

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
    this.catalogueCode = options.catalogueCode
  }

  get type (): string {
    return PROBLEM_TYPE_BASE + this.slug
  }
}

export interface ProblemOptions extends Omit<ServiceErrorOptions, 'status' | 'code' | 'slug' | 'title' | 'catalogueCode'> {
  /** Keeps a name the service passes through (an unknown AWS exception, a Fastify error code) as the wire `code`. */
  code?: string
  /** With a passed-through `code` only: the status its origin gave it, when that is not the entry's. */
  status?: number
}

/** The ServiceError of a catalogue entry, with this occurrence's detail. */
export function problem (code: ProblemCode, options: ProblemOptions = {}): ServiceError {
  const entry = entryOf(code)
  return new ServiceError({
    ...options,
    status: options.code === undefined ? entry.status : options.status ?? entry.status,
    slug: entry.slug,
    title: entry.title,
    code: options.code ?? wireCodeOf(code),
    retryAfterSeconds: options.retryAfterSeconds ?? entry.retryAfterSeconds,
    catalogueCode: code
  })
}
