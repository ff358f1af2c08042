/**
 * Fetches an issuer's JWKS the way an OIDC client does (discovery, then `jwks_uri`), every
 * connection through the SSRF guard. Keys always come from the configured issuer, never from a
 * token's own `iss` claim.
 */
import type { EgressGuard } from '../egress/guard.ts'
import { problem } from '../errors.ts'
import { discoveryUrl } from './issuer-url.ts'

export function createJwksFetcher (egress: EgressGuard) {
  return async function fetchJwks (issuerUrl: string): Promise<unknown> {
    const { json: discovery } = await egress.fetchJson(discoveryUrl(issuerUrl))
    const { issuer, jwks_uri: jwksUri } = (discovery ?? {}) as { issuer?: unknown, jwks_uri?: unknown }
    if (issuer !== issuerUrl) {
      throw problem('IssuerMismatch', { detail: `The discovery document of ${issuerUrl} says issuer "${String(issuer)}"; they must be equal character for character.` })
    }
    if (typeof jwksUri !== 'string') {
      throw problem('IssuerResponseInvalid', { detail: `The discovery document of ${issuerUrl} has no jwks_uri.` })
    }
    return (await egress.fetchJson(jwksUri, { purpose: 'resource' })).json
  }
}
