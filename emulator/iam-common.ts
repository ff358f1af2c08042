/**
 * What the IAM operations of the emulator share: reading a parameter, IAM's own checks of a
 * request's tags, the awsQuery renderings of tags and dates, and Marker/MaxItems paging.
 */
import type { ModelValidation } from './iam-input.ts'
import { isReservedTagKey, reservedTagKeyMessage } from './reserved-tags.ts'
import type { TagMap } from './state.ts'
import { QueryError } from './wire-errors.ts'

export interface Tag { Key: string, Value: string }

export const param = (params: URLSearchParams, name: string) => params.get(name) ?? undefined

/**
 * IAM's own checks of a request's tags, after the model's. Whether keys are case sensitive depends
 * on the resource (IAM User Guide, "Tagging IAM resources" → "Case sensitivity": users and roles
 * are not, OpenID Connect providers are). For case-insensitive resources IAM adds "Please note
 * that Tag keys are case insensitive." to the duplicate message; for the others it stops after the
 * first sentence.
 */
export function checkTags (tags: Tag[], caseSensitive: boolean): TagMap {
  const keys = new Set<string>()
  for (const { Key } of tags) {
    const key = caseSensitive ? Key : Key.toLowerCase()
    if (keys.has(key)) {
      throw new QueryError('InvalidInput', caseSensitive ? 'Duplicate tag keys found.' : 'Duplicate tag keys found. Please note that Tag keys are case insensitive.')
    }
    keys.add(key)
    if (isReservedTagKey(Key)) throw new QueryError('InvalidInput', reservedTagKeyMessage(Key))
  }
  return Object.fromEntries(tags.map(({ Key, Value }) => [Key, Value]))
}

export const sortedTags = (tags: TagMap) =>
  Object.keys(tags).sort().map(Key => ({ Key, Value: tags[Key] }))

export const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')

export interface MarkerInput { maxItems: number, after?: string }

/** Adds the model checks of MaxItems (1–1000) and Marker to the request's validation. */
export function readPaging (params: URLSearchParams, validation: ModelValidation, markerShape: Parameters<ModelValidation['optional']>[2]): () => MarkerInput {
  const maxItemsRaw = params.get('MaxItems')
  const marker = param(params, 'Marker')
  validation.integer(maxItemsRaw, 'maxItems', 1, 1000)
  validation.optional(marker, 'marker', markerShape)
  // Decoded after validation.check(), so model errors come before IAM's own `Invalid Marker.`
  return () => {
    const maxItems = maxItemsRaw === null ? 100 : Number(maxItemsRaw)
    if (marker === undefined) return { maxItems }
    const after = Buffer.from(marker, 'base64url').toString('utf8')
    if (Buffer.from(after).toString('base64url') !== marker) throw new QueryError('InvalidInput', 'Invalid Marker.')
    return { maxItems, after }
  }
}

/** One page of `items` (sorted by `keyOf`) after the Marker's key. */
export function markerPage<T> (items: T[], keyOf: (item: T) => string, { maxItems, after }: MarkerInput) {
  const remaining = items.filter(item => after === undefined || keyOf(item) > after)
  const page = remaining.slice(0, maxItems)
  const truncated = remaining.length > maxItems
  return {
    page,
    IsTruncated: truncated,
    Marker: truncated ? Buffer.from(keyOf(page[page.length - 1])).toString('base64url') : undefined
  }
}
