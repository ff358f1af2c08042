/**
 * Opaque keyset cursors for newest-first pages: the (time, id) of the last item returned.
 * Clients must treat them as opaque; a tampered or foreign token is a 400.
 */
import { problem } from '../errors.ts'

export interface PagePosition {
  time: Date
  id: string
}

export const DEFAULT_PAGE_SIZE = 50
export const MAX_PAGE_SIZE = 100

export function pageSize (limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE_SIZE
  return Math.min(MAX_PAGE_SIZE, Math.max(1, Math.trunc(limit)))
}

export function encodeCursor (position: PagePosition): string {
  return Buffer.from(JSON.stringify({ t: position.time.toISOString(), i: position.id })).toString('base64url')
}

/** `idPattern` rejects ids of the wrong shape before they reach a typed column. */
export function decodeCursor (token: string | undefined, idPattern = /^.+$/): PagePosition | undefined {
  if (token === undefined) return undefined
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'))
    if (typeof parsed === 'object' && parsed !== null && 't' in parsed && 'i' in parsed) {
      const { t, i } = parsed
      const time = new Date(typeof t === 'string' ? t : NaN)
      if (typeof i === 'string' && idPattern.test(i) && !Number.isNaN(time.getTime())) return { time, id: i }
    }
  } catch {
    // fall through to the 400 below
  }
  throw problem('InvalidParameter', {
    detail: 'nextToken is not a token returned by a previous page.',
    errors: [{ pointer: '/querystring/nextToken', detail: 'must be an unmodified nextToken from a previous response' }]
  })
}

/** Splits a `limit + 1` fetch into the page and the cursor to the next one. */
export function toPage<T> (rows: T[], limit: number, positionOf: (item: T) => PagePosition): { items: T[], nextToken?: string } {
  if (rows.length <= limit) return { items: rows }
  const items = rows.slice(0, limit)
  return { items, nextToken: encodeCursor(positionOf(items[items.length - 1])) }
}
