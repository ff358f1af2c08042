/**
 * Idempotency-Key header parsing. Accepts the IETF sf-string form (`"…"`) and the bare form.
 * Node joins repeated headers with ", ", which the charset check rejects, so duplicates fail too.
 */
import { createHash } from 'node:crypto'
import { idempotencyKeyInvalid } from './errors.ts'

const KEY = /^[A-Za-z0-9._~:-]{16,255}$/

/** Undefined when the header is absent; throws a 400 problem when it is present but malformed. */
export function parseIdempotencyKey (header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined
  if (Array.isArray(header)) throw idempotencyKeyInvalid('Send exactly one Idempotency-Key header.')
  const key = header.length >= 2 && header.startsWith('"') && header.endsWith('"') ? header.slice(1, -1) : header
  if (!KEY.test(key)) {
    throw idempotencyKeyInvalid('Idempotency-Key must be one value of 16 to 255 characters from A-Z a-z 0-9 . _ ~ : -, optionally in double quotes.')
  }
  return key
}

/** For logs and audit records, which must never carry the key itself. */
export function idempotencyKeyHash (key: string): string {
  return createHash('sha256').update(key).digest('hex')
}
