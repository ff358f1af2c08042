/** Whether an AWS call failed because it was throttled (a rate limit, not a hard quota). */
const THROTTLING_NAMES = new Set([
  'ThrottlingException', 'Throttling', 'ThrottledException', 'TooManyRequestsException',
  'RequestLimitExceeded', 'RequestThrottled', 'RequestThrottledException', 'SlowDown'
])

export function isThrottlingError (error: unknown): boolean {
  const err = error as { name?: string, code?: string, $metadata?: { httpStatusCode?: number } } | undefined
  if (!err) return false
  // IAM LimitExceeded is a quota: never treat it as a rate limit (see retry-strategy.ts).
  if (err.name === 'LimitExceededException') return false
  return THROTTLING_NAMES.has(err.name ?? '') || THROTTLING_NAMES.has(err.code ?? '') || err.$metadata?.httpStatusCode === 429
}
