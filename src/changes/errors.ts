/** The problems of the change pipeline itself (the idempotency problems are in src/idempotency/errors.ts). */
import { ServiceError } from '../errors.ts'

export const auditUnavailable = (cause: unknown) => new ServiceError({
  status: 503,
  code: 'AuditUnavailable',
  slug: 'audit-unavailable',
  title: 'The audit record could not be stored',
  detail: 'The request was not answered because its audit record could not be stored; retry it unchanged (with the same Idempotency-Key, if you sent one).',
  retryAfterSeconds: 1,
  cause
})
