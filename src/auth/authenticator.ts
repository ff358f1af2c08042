/**
 * Turns an Authorization header into a principal, trying the configured modes: static tokens
 * first (a cheap hash compare), then, for JWT-shaped tokens, the OIDC issuer.
 */
import { readBearer } from './bearer.ts'
import type { AuthConfig } from './config.ts'
import { createJwtVerifier } from './jwt-verifier.ts'
import type { JwtVerifier } from './jwt-verifier.ts'
import { ANONYMOUS_PRINCIPAL, JWT_PRINCIPAL_PREFIX } from './principal.ts'
import type { Principal } from './principal.ts'
import { createStaticTokenVerifier } from './static-tokens.ts'

export type AuthFailure =
  /** No credentials at all. */
  | { kind: 'missing' }
  /** An Authorization header that is not `Bearer <token>`. */
  | { kind: 'malformed' }
  /** A token that no mode accepts; `reason` is safe to log. */
  | { kind: 'invalid', reason: string }

export type AuthOutcome = { ok: true, principal: Principal } | { ok: false, failure: AuthFailure }

export interface Authenticator {
  readonly disabled: boolean
  /** May throw IdentityProviderUnavailableError when a JWT cannot be checked right now. */
  authenticate (authorization: string | string[] | undefined): Promise<AuthOutcome>
  close (): Promise<void>
}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/

export interface AuthenticatorDeps {
  /** Replaces the JWT verifier built from `config.jwt` (tests). */
  jwtVerifier?: JwtVerifier
}

export function createAuthenticator (config: AuthConfig, deps: AuthenticatorDeps = {}): Authenticator {
  if (config.disabled) {
    return {
      disabled: true,
      authenticate: async () => ({ ok: true, principal: ANONYMOUS_PRINCIPAL }),
      close: async () => {}
    }
  }
  const matchStatic = config.tokens.length > 0 ? createStaticTokenVerifier(config.tokens) : undefined
  const jwt = deps.jwtVerifier ?? (config.jwt === undefined ? undefined : createJwtVerifier(config.jwt))

  async function authenticate (authorization: string | string[] | undefined): Promise<AuthOutcome> {
    const credentials = readBearer(authorization)
    if (credentials.kind !== 'token') return { ok: false, failure: credentials }
    const { token } = credentials

    const name = matchStatic?.(token)
    if (name !== undefined) return { ok: true, principal: { name, via: 'token' } }

    if (jwt !== undefined && JWT_SHAPE.test(token)) {
      const verdict = await jwt.verify(token)
      if (verdict.ok) return { ok: true, principal: { name: JWT_PRINCIPAL_PREFIX + verdict.subject, via: 'jwt' } }
      return { ok: false, failure: { kind: 'invalid', reason: verdict.reason } }
    }
    return { ok: false, failure: { kind: 'invalid', reason: matchStatic === undefined ? 'not a JWT' : 'unknown token' } }
  }

  return { disabled: false, authenticate, close: async () => { await jwt?.close() } }
}
