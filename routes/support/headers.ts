/**
 * Response headers as the OpenAPI document declares them. Routes add the ones only they send
 * (`withHeaders(Ref(X), location('…'))`); routes/support/problems.ts adds the ones every answer
 * of a kind carries.
 */
export interface HeaderSchema {
  type: 'string' | 'integer'
  description: string
  enum?: readonly string[]
  minimum?: number
}

export type Headers = Record<string, HeaderSchema>

export const REQUEST_ID: Headers = {
  'X-Request-Id': { type: 'string', description: 'Id of the request: the caller\'s own when it sent a well-formed one, otherwise a fresh UUID. Problem bodies repeat it as `requestId`.' }
}

export const WWW_AUTHENTICATE: Headers = {
  'WWW-Authenticate': { type: 'string', description: 'The bearer challenge (RFC 6750), with `error="invalid_token"` or `error="invalid_request"` when a token was sent.' }
}

export const IDEMPOTENT_REPLAYED: Headers = {
  'Idempotent-Replayed': { type: 'string', enum: ['true', 'false'], description: 'With an Idempotency-Key: `true` when this is the stored answer of an earlier request with the same key, `false` when the request ran now.' }
}

export const retryAfter = (description: string): Headers => ({
  'Retry-After': { type: 'integer', minimum: 1, description }
})

export const location = (description: string): Headers => ({
  Location: { type: 'string', description }
})

export const CACHE_STATUS: Headers = {
  'Cache-Status': { type: 'string', description: 'RFC 9211: `eks-oidc-api; hit` when the answer was reused, `fwd=miss` (with `collapsed` when it joined a concurrent read) or `fwd=request` (asked fresh with `Cache-Control: no-cache`) when EKS was read.' }
}

/** A response schema with more declared headers (the ones it already has are kept). */
export function withHeaders<T extends object> (response: T, ...headers: Headers[]): T & { headers: Headers } {
  const existing = (response as { headers?: Headers }).headers
  return { ...response, headers: Object.assign({}, existing, ...headers) }
}
