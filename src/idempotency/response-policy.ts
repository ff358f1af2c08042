/**
 * Which responses become the stored answer of an idempotency key (replayed to every retry) and
 * which release the key so a retry runs again with the same operation id and token.
 */

/** Headers kept with a stored response and replayed; everything else is recomputed or dropped. */
export const REPLAYED_HEADERS = ['location', 'content-type'] as const

/** 4xx answers that depend on who asks or when, not on the request: never final. */
const TRANSIENT_CLIENT_ERRORS = new Set([401, 403, 407, 408, 425, 429])

/**
 * Stored: 2xx, and 4xx decided after execution began (not found, conflict, upstream invalid
 * parameter, quota). Not stored: 401/403/429 and kin, anything carrying Retry-After (the server
 * itself says "try again"), 5xx and every other ambiguous outcome.
 */
export function isDefinitiveResponse (status: number, hasRetryAfter: boolean): boolean {
  if (status >= 200 && status < 300) return true
  if (status >= 400 && status < 500) return !hasRetryAfter && !TRANSIENT_CLIENT_ERRORS.has(status)
  return false
}

export function replayedHeaders (headers: Record<string, unknown>): Record<string, string> {
  const kept: Record<string, string> = {}
  for (const name of REPLAYED_HEADERS) {
    const value = headers[name]
    if (typeof value === 'string') kept[name] = value
    else if (typeof value === 'number') kept[name] = String(value)
  }
  return kept
}

/** The payload as text, or undefined when it cannot be stored (a stream). */
export function storableBody (payload: unknown): string | null | undefined {
  if (payload === undefined || payload === null) return null
  if (typeof payload === 'string') return payload
  if (Buffer.isBuffer(payload)) return payload.toString('utf8')
  return undefined
}
