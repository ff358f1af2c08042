/**
 * EKS `clientRequestToken` derivation. EKS deduplicates Associate and Disassociate by this token,
 * so the same HTTP request retried must always carry the same token, and a different request
 * must never reuse one.
 */
import { createHash, randomUUID } from 'node:crypto'
import canonicalize from 'canonicalize'

export const TOKEN_PREFIX = 'eks-oidc-api-'

export interface RequestFingerprintInput {
  method: string
  route: string
  params: unknown
  body: unknown
}

/** SHA-256 of the RFC 8785 canonical JSON of the validated request: key order and whitespace do not matter. */
export function requestFingerprint (input: RequestFingerprintInput) {
  return createHash('sha256').update(canonicalize(input) ?? '').digest('hex')
}

/** A token bound to the caller's idempotency key and the request: 77 characters, within EKS's 33..126. */
export function tokenFromIdempotencyKey (scope: string, key: string, fingerprint: string) {
  const digest = createHash('sha256').update(`${scope}\n${key}\n${fingerprint}`).digest('hex')
  return TOKEN_PREFIX + digest
}

/** A one-off token for a request with no key: still explicit, so SDK retries of it are deduplicated. */
export function freshToken () {
  return TOKEN_PREFIX + randomUUID()
}
