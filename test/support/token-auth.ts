/** The environment of an app with static-token authentication: a fresh token for each principal the grants name. */
import { generateToken, hashToken } from '../../src/auth/static-tokens.ts'
import type { Grant } from '../../src/auth/grants.ts'

export interface TokenAuth {
  env: { AUTH_MODE: string, AUTH_API_TOKENS: string, AUTH_GRANTS: string }
  /** The bearer token of each principal. */
  tokens: Record<string, string>
}

export function tokenAuthEnv (grants: Grant[]): TokenAuth {
  const tokens = Object.fromEntries([...new Set(grants.map(grant => grant.principal))].map(principal => [principal, generateToken()]))
  return {
    env: {
      AUTH_MODE: 'tokens',
      AUTH_API_TOKENS: Object.entries(tokens).map(([principal, token]) => `${principal}:${hashToken(token)}`).join(','),
      AUTH_GRANTS: JSON.stringify({ grants })
    },
    tokens
  }
}
