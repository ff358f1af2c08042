/**
 * Request fingerprint: sha256 (hex) of the RFC 8785 canonical JSON of the validated request, so
 * key order and whitespace never matter and any change of meaning does.
 */
import { createHash } from 'node:crypto'
import canonicalize from 'canonicalize'

export interface FingerprintInput {
  method: string
  /** Route template, e.g. `/clusters/:name/identity-provider-configs`. */
  route: string
  params: unknown
  /** The body after validation and defaults. */
  body: unknown
}

export function fingerprint (input: FingerprintInput): string {
  const canonical = canonicalize({
    method: input.method.toUpperCase(),
    route: input.route,
    params: input.params ?? {},
    body: input.body ?? null
  })
  return createHash('sha256').update(canonical as string).digest('hex')
}
