/**
 * The problems the idempotency layer answers with. Thrown as ServiceError; the app's error
 * handler renders them as problem+json.
 */
import { ServiceError } from '../errors.ts'

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key'

export const idempotencyKeyInvalid = (detail: string) => new ServiceError({
  status: 400,
  code: 'IdempotencyKeyInvalidException',
  slug: 'idempotency-key-invalid',
  title: 'Invalid Idempotency-Key header',
  detail,
  errors: [{ pointer: '/headers/idempotency-key', detail }]
})

export const idempotencyKeyMissing = () => new ServiceError({
  status: 400,
  code: 'IdempotencyKeyMissingException',
  slug: 'idempotency-key-missing',
  title: 'Idempotency-Key header required',
  detail: 'Associating starts a 20 to 40 minute EKS update; to make retries safe it requires an Idempotency-Key header (or a clientRequestToken in the body).',
  errors: [{ pointer: '/headers/idempotency-key', detail: 'is required unless the body has clientRequestToken' }]
})

export const idempotencyRequestInProgress = () => new ServiceError({
  status: 409,
  code: 'IdempotencyRequestInProgressException',
  slug: 'idempotency-request-in-progress',
  title: 'A request with this Idempotency-Key is still in progress',
  detail: 'The original request has not finished yet; retry the identical request shortly.',
  retryAfterSeconds: 1
})

export const idempotencyKeyReused = () => new ServiceError({
  status: 422,
  code: 'IdempotencyKeyReusedException',
  slug: 'idempotency-key-reused',
  title: 'Idempotency-Key reused with a different request',
  detail: 'This Idempotency-Key was already used for a request with different parameters; use a new key.'
})

export const idempotencyStoreUnavailable = (cause: unknown) => new ServiceError({
  status: 503,
  code: 'ServiceUnavailableException',
  slug: 'store-unavailable',
  title: 'Idempotency store unavailable',
  detail: 'The request was not started because its Idempotency-Key could not be checked; retry it unchanged.',
  retryAfterSeconds: 1,
  cause
})
