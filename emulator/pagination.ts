/**
 * Opaque `nextToken` paging shared by the EKS list operations. The token names the last key of
 * the previous page, so deleting items between pages neither repeats nor skips the others.
 */
import { EksError } from './wire-errors.ts'

export const MAX_RESULTS_LIMIT = 100

export function parseMaxResults (raw: string | null, clusterName?: string): number {
  if (raw === null) return MAX_RESULTS_LIMIT
  const value = Number(raw)
  if (!/^-?\d+$/.test(raw) || value < 1 || value > MAX_RESULTS_LIMIT) {
    throw new EksError('InvalidParameterException',
      `1 validation error detected: Value '${raw}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and ${MAX_RESULTS_LIMIT}`,
      { clusterName })
  }
  return value
}

const encodeToken = (afterKey: string) => Buffer.from(JSON.stringify({ v: 1, after: afterKey })).toString('base64url')

function decodeToken (token: string, clusterName?: string): string {
  try {
    const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v?: unknown, after?: unknown }
    if (decoded.v === 1 && typeof decoded.after === 'string') return decoded.after
  } catch {}
  throw new EksError('InvalidParameterException', 'The nextToken provided is invalid.', { clusterName })
}

export interface Page<T> { items: T[], nextToken?: string }

/** `items` must be sorted by `keyOf` ascending. */
export function paginate<T> (
  items: T[], keyOf: (item: T) => string, maxResults: number, nextToken: string | null, clusterName?: string
): Page<T> {
  const after = nextToken === null || nextToken === '' ? undefined : decodeToken(nextToken, clusterName)
  const remaining = after === undefined ? items : items.filter(item => keyOf(item) > after)
  const page = remaining.slice(0, maxResults)
  const last = page.at(-1)
  return remaining.length > maxResults && last !== undefined
    ? { items: page, nextToken: encodeToken(keyOf(last)) }
    : { items: page }
}
