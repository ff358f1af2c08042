/** The problems of the change pipeline itself (the idempotency problems are in src/idempotency/errors.ts). */
import { problem } from '../errors.ts'

export const auditUnavailable = (cause: unknown) => problem('AuditUnavailable', {
  detail: 'The request was not answered because its audit record could not be stored; retry it unchanged (with the same Idempotency-Key, if you sent one).',
  retryAfterSeconds: 1,
  cause
})
