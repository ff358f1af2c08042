import type { FastifyRequest } from 'fastify'
import { ServiceError } from '../src/errors.ts'
import { freshToken, requestFingerprint, tokenFromIdempotencyKey } from '../src/services/client-request-token.ts'

const KEY_PATTERN = /^[A-Za-z0-9._~:-]{16,255}$/

export function idempotencyKeyOf (request: FastifyRequest): string | undefined {
  const raw = request.headers['idempotency-key']
  if (raw === undefined) return undefined
  const key = String(raw).replace(/^"(.*)"$/, '$1')
  if (!KEY_PATTERN.test(key)) {
    throw new ServiceError({
      status: 400,
      code: 'InvalidIdempotencyKey',
      slug: 'idempotency-key-invalid',
      title: 'Malformed Idempotency-Key',
      detail: 'Idempotency-Key must be one value of 16 to 255 characters from A-Za-z0-9._~:- (optionally in double quotes).',
      errors: [{ pointer: '/headers/idempotency-key', detail: 'must match ^[A-Za-z0-9._~:-]{16,255}$' }]
    })
  }
  return key
}

/**
 * The EKS token for a mutating request: the caller's own `clientRequestToken`, else one derived
 * from the Idempotency-Key and the request, else (when allowed) a fresh one.
 */
export function clientRequestTokenFor (request: FastifyRequest, options: { required: boolean }): string {
  const body = (request.body ?? {}) as { clientRequestToken?: string }
  if (body.clientRequestToken) return body.clientRequestToken
  const key = idempotencyKeyOf(request)
  if (key) {
    const fingerprint = requestFingerprint({ method: request.method, route: request.routeOptions.url ?? '', params: request.params, body: request.body ?? null })
    return tokenFromIdempotencyKey(request.principal?.name ?? 'anonymous', key, fingerprint)
  }
  if (!options.required) return freshToken()
  throw new ServiceError({
    status: 400,
    code: 'IdempotencyKeyMissing',
    slug: 'idempotency-key-missing',
    title: 'Idempotency-Key or clientRequestToken required',
    detail: 'Associating starts a 20 to 40 minute EKS update; to make retries safe, send an Idempotency-Key header or a body clientRequestToken.',
    errors: [{ pointer: '/headers/idempotency-key', detail: 'is required unless the body has clientRequestToken' }]
  })
}
