/**
 * Verifies bearer JWTs from one operator-configured OIDC issuer with `jose`: signature against
 * the issuer's JWKS, pinned algorithms, `iss`, `aud`, `exp` (required) and `nbf`, with a small
 * clock tolerance. Unsigned tokens (`alg: none`) never pass: the algorithm list cannot hold them.
 */
import { createRemoteJWKSet, customFetch, errors, jwtVerify } from 'jose'
import type { JWTVerifyGetKey } from 'jose'
import { createIssuerFetcher, IdentityProviderUnavailableError } from './issuer-fetch.ts'

export interface JwtSettings {
  /** Exact `iss` value, also the base of discovery. */
  issuer: string
  /** Accepted `aud` values (the token must carry at least one). */
  audiences: string[]
  /** JWKS location; when absent, `jwks_uri` of `<issuer>/.well-known/openid-configuration`. */
  jwksUrl?: string
  /** Claim that names the principal (`sub` by default). */
  principalClaim: string
  algorithms: string[]
  clockToleranceSeconds: number
  /** Extra CA (PEM) trusted for discovery and JWKS fetches. */
  caPem?: string
  /** Per-fetch budget for discovery and JWKS. */
  fetchTimeoutMs: number
}

export type JwtVerdict =
  | { ok: true, subject: string }
  /** `reason` is a jose error code or our own short phrase; safe to log, never the token. */
  | { ok: false, reason: string }

export interface JwtVerifier {
  /** Resolves a verdict; throws IdentityProviderUnavailableError when keys cannot be had. */
  verify (token: string): Promise<JwtVerdict>
  close (): Promise<void>
}

export const SUPPORTED_JWT_ALGORITHMS = [
  'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'
] as const

const MAX_PRINCIPAL_LENGTH = 256
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/

/** Errors from key lookup that are the token's fault rather than the issuer's. */
const TOKEN_KEY_ERRORS = [errors.JWKSNoMatchingKey, errors.JWKSMultipleMatchingKeys, errors.JOSEAlgNotAllowed, errors.JOSENotSupported]

export function discoveryUrl (issuer: string): string {
  return issuer.replace(/\/+$/, '') + '/.well-known/openid-configuration'
}

export function createJwtVerifier (settings: JwtSettings): JwtVerifier {
  const fetcher = createIssuerFetcher({ caPem: settings.caPem, timeoutMs: settings.fetchTimeoutMs })
  let keySet: Promise<JWTVerifyGetKey> | undefined

  async function resolveJwksUrl (): Promise<string> {
    if (settings.jwksUrl !== undefined) return settings.jwksUrl
    const document = await fetcher.getJson(discoveryUrl(settings.issuer)) as { issuer?: unknown, jwks_uri?: unknown } | null
    if (document?.issuer !== settings.issuer) {
      throw new IdentityProviderUnavailableError(`discovery document names issuer ${JSON.stringify(document?.issuer)}, expected ${settings.issuer}`)
    }
    if (typeof document.jwks_uri !== 'string' || !document.jwks_uri.startsWith('https://')) {
      throw new IdentityProviderUnavailableError('discovery document has no https jwks_uri')
    }
    return document.jwks_uri
  }

  async function buildKeySet (): Promise<JWTVerifyGetKey> {
    const url = await resolveJwksUrl()
    const remote = createRemoteJWKSet(new URL(url), {
      timeoutDuration: settings.fetchTimeoutMs,
      [customFetch]: async (href: string, init: { signal?: AbortSignal }) =>
        Response.json(await fetcher.getJson(href, init.signal))
    })
    return async (header, token) => {
      try {
        return await remote(header, token)
      } catch (error) {
        if (TOKEN_KEY_ERRORS.some(type => error instanceof type)) throw error
        if (error instanceof IdentityProviderUnavailableError) throw error
        throw new IdentityProviderUnavailableError(`JWKS unusable: ${(error as Error).message}`, { cause: error })
      }
    }
  }

  /** Shares one discovery among concurrent requests; a failure is forgotten so the next call retries. */
  function keys (): Promise<JWTVerifyGetKey> {
    keySet ??= buildKeySet().catch((error: unknown) => {
      keySet = undefined
      throw error
    })
    return keySet
  }

  async function verify (token: string): Promise<JwtVerdict> {
    const getKey = await keys()
    try {
      const { payload } = await jwtVerify(token, getKey, {
        issuer: settings.issuer,
        audience: settings.audiences,
        algorithms: settings.algorithms,
        clockTolerance: settings.clockToleranceSeconds,
        requiredClaims: ['exp']
      })
      const subject = payload[settings.principalClaim]
      if (typeof subject !== 'string' || subject === '' || subject.length > MAX_PRINCIPAL_LENGTH || CONTROL_CHARACTERS.test(subject)) {
        return { ok: false, reason: `claim "${settings.principalClaim}" missing or not a usable name` }
      }
      return { ok: true, subject }
    } catch (error) {
      // Anything else (IdentityProviderUnavailableError from the key lookup) is not the token's fault.
      if (error instanceof errors.JOSEError) return { ok: false, reason: error.code }
      throw error
    }
  }

  return {
    verify,
    close: () => fetcher.close()
  }
}
