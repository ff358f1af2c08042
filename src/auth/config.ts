/**
 * Authentication and authorization settings from environment variables, validated at start.
 * Every problem is collected and reported at once, one line each, and no message ever echoes a
 * secret. Plugins receive the resulting frozen object; they never read the environment.
 */
import { readFileSync } from 'node:fs'
import { parse as parseYaml } from 'yaml'
import { validateGrants } from './grants.ts'
import type { Grant } from './grants.ts'
import { SUPPORTED_JWT_ALGORITHMS } from './jwt-verifier.ts'
import type { JwtSettings } from './jwt-verifier.ts'
import { JWT_PRINCIPAL_PREFIX } from './principal.ts'
import { parseApiTokens } from './static-tokens.ts'
import type { StaticToken } from './static-tokens.ts'

export const AuthMode = { NONE: 'none', TOKENS: 'tokens', JWT: 'jwt' } as const
export type AuthMode = typeof AuthMode[keyof typeof AuthMode]

export interface AuthConfig {
  /** True only with AUTH_MODE=none: every request is the `anonymous` principal, allowed everything. */
  disabled: boolean
  tokens: StaticToken[]
  jwt?: JwtSettings
  grants: Grant[]
}

export class AuthConfigError extends Error {
  readonly problems: string[]
  constructor (problems: string[]) {
    super(`Invalid authentication configuration:\n  - ${problems.join('\n  - ')}`)
    this.name = 'AuthConfigError'
    this.problems = problems
  }
}

type Env = Record<string, string | undefined>

export interface AuthConfigSources {
  readFile?: (path: string) => string
}

const DEFAULT_ALGORITHMS = ['RS256', 'ES256']
const DEFAULT_CLOCK_TOLERANCE_SECONDS = 30
const DEFAULT_JWKS_TIMEOUT_MS = 5000

const present = (value: string | undefined): value is string => value !== undefined && value.trim() !== ''
const list = (value: string) => value.split(',').map(item => item.trim()).filter(item => item !== '')

function readModes (env: Env, problems: string[]): Set<AuthMode> {
  if (!present(env.AUTH_MODE)) {
    const inferred = new Set<AuthMode>()
    if (present(env.AUTH_API_TOKENS)) inferred.add(AuthMode.TOKENS)
    if (present(env.AUTH_JWT_ISSUER)) inferred.add(AuthMode.JWT)
    if (inferred.size === 0) {
      problems.push('no authentication configured: set AUTH_API_TOKENS and/or AUTH_JWT_ISSUER, or AUTH_MODE=none to disable authentication (loopback only)')
    }
    return inferred
  }
  const modes = new Set<AuthMode>()
  for (const mode of list(env.AUTH_MODE)) {
    if (mode === AuthMode.NONE || mode === AuthMode.TOKENS || mode === AuthMode.JWT) modes.add(mode)
    else problems.push(`AUTH_MODE: unknown mode "${mode}" (expected "none", or "tokens", "jwt" or "tokens,jwt")`)
  }
  if (modes.has(AuthMode.NONE) && modes.size > 1) problems.push('AUTH_MODE: "none" cannot be combined with other modes')
  return modes
}

function httpsUrl (name: string, value: string, problems: string[]): string | undefined {
  try {
    const url = new URL(value)
    if (url.protocol !== 'https:') problems.push(`${name} must be an https URL`)
    else return value
  } catch {
    problems.push(`${name} is not a valid URL`)
  }
  return undefined
}

function readJwt (env: Env, sources: Required<AuthConfigSources>, problems: string[]): JwtSettings | undefined {
  const before = problems.length
  if (!present(env.AUTH_JWT_ISSUER)) problems.push('AUTH_JWT_ISSUER is required when AUTH_MODE includes "jwt"')
  if (!present(env.AUTH_JWT_AUDIENCE)) problems.push('AUTH_JWT_AUDIENCE is required when AUTH_MODE includes "jwt"')
  const issuer = present(env.AUTH_JWT_ISSUER) ? httpsUrl('AUTH_JWT_ISSUER', env.AUTH_JWT_ISSUER.trim(), problems) : undefined
  const jwksUrl = present(env.AUTH_JWT_JWKS_URL) ? httpsUrl('AUTH_JWT_JWKS_URL', env.AUTH_JWT_JWKS_URL.trim(), problems) : undefined

  const algorithms = present(env.AUTH_JWT_ALGORITHMS) ? list(env.AUTH_JWT_ALGORITHMS) : DEFAULT_ALGORITHMS
  for (const algorithm of algorithms) {
    if (!(SUPPORTED_JWT_ALGORITHMS as readonly string[]).includes(algorithm)) {
      problems.push(`AUTH_JWT_ALGORITHMS: "${algorithm}" is not allowed (choose from ${SUPPORTED_JWT_ALGORITHMS.join(', ')}; "none" and HMAC algorithms are refused)`)
    }
  }
  if (algorithms.length === 0) problems.push('AUTH_JWT_ALGORITHMS is empty')

  const principalClaim = present(env.AUTH_JWT_PRINCIPAL_CLAIM) ? env.AUTH_JWT_PRINCIPAL_CLAIM.trim() : 'sub'

  let clockToleranceSeconds = DEFAULT_CLOCK_TOLERANCE_SECONDS
  if (present(env.AUTH_JWT_CLOCK_TOLERANCE_SECONDS)) {
    clockToleranceSeconds = Number(env.AUTH_JWT_CLOCK_TOLERANCE_SECONDS)
    if (!Number.isInteger(clockToleranceSeconds) || clockToleranceSeconds < 0 || clockToleranceSeconds > 300) {
      problems.push('AUTH_JWT_CLOCK_TOLERANCE_SECONDS must be an integer from 0 to 300')
    }
  }

  let caPem: string | undefined
  if (present(env.AUTH_JWT_CA_FILE)) {
    try {
      caPem = sources.readFile(env.AUTH_JWT_CA_FILE.trim())
      if (!caPem.includes('-----BEGIN CERTIFICATE-----')) problems.push(`AUTH_JWT_CA_FILE ${env.AUTH_JWT_CA_FILE} holds no PEM certificate`)
    } catch (error) {
      problems.push(`AUTH_JWT_CA_FILE ${env.AUTH_JWT_CA_FILE} cannot be read: ${(error as Error).message}`)
    }
  }

  if (problems.length > before || issuer === undefined) return undefined
  return {
    issuer,
    audiences: list(env.AUTH_JWT_AUDIENCE ?? ''),
    jwksUrl,
    principalClaim,
    algorithms,
    clockToleranceSeconds,
    caPem,
    fetchTimeoutMs: DEFAULT_JWKS_TIMEOUT_MS
  }
}

function readGrants (env: Env, sources: Required<AuthConfigSources>, problems: string[]): Grant[] {
  if (present(env.AUTH_GRANTS) && present(env.AUTH_GRANTS_FILE)) {
    problems.push('set either AUTH_GRANTS or AUTH_GRANTS_FILE, not both')
    return []
  }
  let document: unknown
  let label: string
  if (present(env.AUTH_GRANTS_FILE)) {
    label = `AUTH_GRANTS_FILE ${env.AUTH_GRANTS_FILE}`
    try {
      // YAML 1.2 is a superset of JSON, so one parser reads both kinds of file.
      document = parseYaml(sources.readFile(env.AUTH_GRANTS_FILE.trim()))
    } catch (error) {
      problems.push(`${label} cannot be read as YAML or JSON: ${(error as Error).message}`)
      return []
    }
  } else if (present(env.AUTH_GRANTS)) {
    label = 'AUTH_GRANTS'
    try {
      document = JSON.parse(env.AUTH_GRANTS)
    } catch (error) {
      problems.push(`AUTH_GRANTS is not valid JSON: ${(error as Error).message}`)
      return []
    }
  } else {
    return []
  }
  const { grants, errors } = validateGrants(document, label)
  problems.push(...errors)
  return grants
}

function checkGrantPrincipals (grants: Grant[], tokens: StaticToken[] | undefined, jwtEnabled: boolean, problems: string[]): void {
  const tokenNames = tokens === undefined ? undefined : new Set(tokens.map(token => token.name))
  grants.forEach((grant, index) => {
    const where = `grant ${index + 1} (principal "${grant.principal}")`
    if (grant.principal.startsWith(JWT_PRINCIPAL_PREFIX)) {
      if (!jwtEnabled) problems.push(`${where}: JWT principals need AUTH_MODE to include "jwt"`)
      else if (grant.principal.length === JWT_PRINCIPAL_PREFIX.length) problems.push(`${where}: nothing follows "${JWT_PRINCIPAL_PREFIX}"`)
    } else if (tokenNames !== undefined && !tokenNames.has(grant.principal)) {
      problems.push(`${where}: no API token has this name (JWT principals are written "${JWT_PRINCIPAL_PREFIX}<claim value>")`)
    }
  })
}

/** Reads and validates the AUTH_* variables; throws AuthConfigError listing every problem. */
export function authConfigFromEnv (env: Env, sources: AuthConfigSources = {}): AuthConfig {
  const io = { readFile: sources.readFile ?? ((path: string) => readFileSync(path, 'utf8')) }
  const problems: string[] = []
  const modes = readModes(env, problems)

  if (modes.has(AuthMode.NONE)) {
    if (problems.length > 0) throw new AuthConfigError(problems)
    return Object.freeze({ disabled: true, tokens: [], grants: [] })
  }

  let tokens: StaticToken[] = []
  let tokensValid = true
  if (modes.has(AuthMode.TOKENS)) {
    if (!present(env.AUTH_API_TOKENS)) {
      problems.push('AUTH_API_TOKENS is required when AUTH_MODE includes "tokens"')
    } else {
      const parsed = parseApiTokens(env.AUTH_API_TOKENS)
      problems.push(...parsed.errors)
      tokens = parsed.tokens
      tokensValid = parsed.errors.length === 0
    }
  } else if (present(env.AUTH_API_TOKENS)) {
    problems.push('AUTH_API_TOKENS is set but AUTH_MODE does not include "tokens"')
  }

  let jwt: JwtSettings | undefined
  if (modes.has(AuthMode.JWT)) jwt = readJwt(env, io, problems)
  else if (present(env.AUTH_JWT_ISSUER)) problems.push('AUTH_JWT_ISSUER is set but AUTH_MODE does not include "jwt"')

  const grants = readGrants(env, io, problems)
  // With broken token entries, "no token has this name" would only add noise.
  checkGrantPrincipals(grants, tokensValid ? tokens : undefined, modes.has(AuthMode.JWT), problems)

  if (problems.length > 0) throw new AuthConfigError(problems)
  return Object.freeze({ disabled: false, tokens, jwt, grants })
}
