/** Rate-limit settings from RATE_LIMIT_MAX and RATE_LIMIT_WINDOW, validated at start. */

export interface RateLimitConfig {
  /** Requests allowed per window and key (principal, or IP when unauthenticated). */
  max: number
  windowMs: number
}

export const DEFAULT_RATE_LIMIT: RateLimitConfig = Object.freeze({ max: 300, windowMs: 60_000 })

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/** `60000`, `500ms`, `30s`, `1m`, `1h` → milliseconds; undefined when malformed. */
export function parseDuration (text: string): number | undefined {
  const match = /^(\d+)\s*(ms|s|m|h)?$/.exec(text.trim())
  if (match === null) return undefined
  const value = Number(match[1]) * UNIT_MS[match[2] ?? 'ms']
  return Number.isSafeInteger(value) && value > 0 ? value : undefined
}

export function rateLimitConfigFromEnv (env: Record<string, string | undefined>): RateLimitConfig {
  const problems: string[] = []
  let { max, windowMs } = DEFAULT_RATE_LIMIT
  if (env.RATE_LIMIT_MAX !== undefined && env.RATE_LIMIT_MAX.trim() !== '') {
    max = Number(env.RATE_LIMIT_MAX)
    if (!Number.isInteger(max) || max < 1 || max > 1_000_000) problems.push('RATE_LIMIT_MAX must be an integer from 1 to 1000000')
  }
  if (env.RATE_LIMIT_WINDOW !== undefined && env.RATE_LIMIT_WINDOW.trim() !== '') {
    const parsed = parseDuration(env.RATE_LIMIT_WINDOW)
    if (parsed === undefined || parsed > 86_400_000) problems.push('RATE_LIMIT_WINDOW must be a duration such as 60000, 30s, 1m or 1h (at most 24h)')
    else windowMs = parsed
  }
  if (problems.length > 0) throw new Error(`Invalid rate-limit configuration:\n  - ${problems.join('\n  - ')}`)
  return Object.freeze({ max, windowMs })
}
