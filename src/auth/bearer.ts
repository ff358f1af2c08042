/** Reads an `Authorization: Bearer <token>` header (RFC 6750 §2.1). */

export type BearerCredentials =
  | { kind: 'missing' }
  | { kind: 'malformed' }
  | { kind: 'token', token: string }

/** Longer credentials are refused before any hashing or signature work. */
export const MAX_TOKEN_LENGTH = 8192

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i

export function readBearer (header: string | string[] | undefined): BearerCredentials {
  if (header === undefined || header === '') return { kind: 'missing' }
  if (typeof header !== 'string' || header.length > MAX_TOKEN_LENGTH + 16) return { kind: 'malformed' }
  const match = BEARER.exec(header)
  if (match === null) return { kind: 'malformed' }
  return { kind: 'token', token: match[1] }
}
