/**
 * The problems the idempotency layer answers with. Thrown as ServiceError; the app's error
 * handler renders them as problem+json.
 */
import { problem } from '../errors.ts'

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key'

export const idempotencyKeyInvalid = (detail: string) => problem('IdempotencyKeyInvalidException', {
  detail,
  errors: [{ pointer: '/headers/idempotency-key', detail }]
})

export const idempotencyKeyMissing = () => problem('IdempotencyKeyMissingException', {
  detail: 'Associating starts a 20 to 40 minute EKS update; to make retries safe it requires an Idempotency-Key header (or a clientRequestToken in the body).',
  errors: [{ pointer: '/headers/idempotency-key', detail: 'is required unless the body has clientRequestToken' }]
})

export const idempotencyRequestInProgress = () => problem('IdempotencyRequestInProgressException', {
  detail: 'The original request has not finished yet; retry the identical request shortly.'
})

export const idempotencyKeyReused = () => problem('IdempotencyKeyReusedException', {
  detail: 'This Idempotency-Key was already used for a request with different parameters; use a new key.'
})

export const idempotencyStoreUnavailable = (cause: unknown) => problem('IdempotencyStoreUnavailable', {
  detail: 'The request was not started because its Idempotency-Key could not be checked; retry it unchanged.',
  cause
})
