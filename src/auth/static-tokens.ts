/**
 * Static API tokens. Only SHA-256 hashes are configured, as `name:sha256:<64 hex>` entries
 * separated by commas; presented tokens are hashed and compared in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

export interface StaticToken {
  name: string
  /** SHA-256 digest of the token (32 bytes). */
  sha256: Buffer
}

/** Names may not contain `:`, which keeps them apart from JWT principals (`jwt:<claim>`). */
export const TOKEN_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/
const HASH_PATTERN = /^sha256:[0-9a-f]{64}$/i
const HASH_TOOL = 'npx node scripts/hash-token.ts'
/** Prefix of generated tokens, so a leaked one is recognisable in secret scanners. */
const GENERATED_TOKEN_PREFIX = 'eoa_'

export function sha256 (token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest()
}

/** The configuration form of a token's hash: `sha256:<64 lower-case hex>`. */
export function hashToken (token: string): string {
  return 'sha256:' + sha256(token).toString('hex')
}

/** A new random token: 32 random bytes, base64url, with a recognisable prefix. */
export function generateToken (): string {
  return GENERATED_TOKEN_PREFIX + randomBytes(32).toString('base64url')
}

export interface ParsedTokens {
  tokens: StaticToken[]
  /** One message per bad entry; never contains anything after an entry's name. */
  errors: string[]
}

/**
 * Parses `AUTH_API_TOKENS`. Messages name entries by position and (when well formed) by name,
 * and never echo the hash part, in case someone pasted a plaintext token there.
 */
export function parseApiTokens (spec: string, variable = 'AUTH_API_TOKENS'): ParsedTokens {
  const tokens: StaticToken[] = []
  const errors: string[] = []
  const entries = spec.split(',').map(entry => entry.trim())
  const seenHashes = new Map<string, number>()

  entries.forEach((entry, index) => {
    const position = `${variable} entry ${index + 1}`
    if (entry === '') return // tolerate stray commas
    const colon = entry.indexOf(':')
    if (colon === -1) {
      errors.push(`${position} is not of the form "name:sha256:<64 hex digits>"; plaintext tokens are not accepted (hash one with: ${HASH_TOOL})`)
      return
    }
    const name = entry.slice(0, colon)
    const hash = entry.slice(colon + 1)
    if (!TOKEN_NAME_PATTERN.test(name)) {
      errors.push(`${position}: the name must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit`)
      return
    }
    const named = `${position} (name "${name}")`
    if (!HASH_PATTERN.test(hash)) {
      errors.push(hash.toLowerCase().startsWith('sha256:')
        ? `${named}: the hash must be exactly 64 hexadecimal digits after "sha256:"`
        : `${named}: expected "sha256:<64 hex digits>" after the name; plaintext tokens are not accepted (hash one with: ${HASH_TOOL})`)
      return
    }
    if (tokens.some(token => token.name === name)) {
      errors.push(`${named}: the name is used by an earlier entry`)
      return
    }
    const hex = hash.slice('sha256:'.length).toLowerCase()
    const earlier = seenHashes.get(hex)
    if (earlier !== undefined) {
      errors.push(`${named}: the same hash as entry ${earlier}; each token must be distinct`)
      return
    }
    seenHashes.set(hex, index + 1)
    tokens.push({ name, sha256: Buffer.from(hex, 'hex') })
  })

  if (tokens.length === 0 && errors.length === 0) errors.push(`${variable} has no entries`)
  return { tokens, errors }
}

/**
 * Returns a function that maps a presented token to its configured name. It hashes the token and
 * compares the digest with every configured hash using `timingSafeEqual`, without stopping at a
 * match, so the time taken says nothing about which (or whether a) token matched.
 */
export function createStaticTokenVerifier (tokens: readonly StaticToken[]): (token: string) => string | undefined {
  return (token) => {
    const digest = sha256(token)
    let match: string | undefined
    for (const candidate of tokens) {
      if (timingSafeEqual(digest, candidate.sha256) && match === undefined) match = candidate.name
    }
    return match
  }
}
