/**
 * PostgreSQL text and jsonb cannot hold U+0000, and no UTF-8 text can hold a lone UTF-16
 * surrogate, yet a client can put either in a path or a token claim. Such code points are stored
 * as the JSON escape that names them (`\u0000`, `\ud800`), so a record is never refused for them.
 */
// eslint-disable-next-line no-control-regex
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g

const escape = (codePoint: string) => `\\u${codePoint.charCodeAt(0).toString(16).padStart(4, '0')}`

export function storableText<T extends string | null | undefined> (text: T): T {
  return (typeof text === 'string' ? text.replace(UNSTORABLE, escape) : text) as T
}

/** JSON text for a jsonb parameter, with every string made storable. */
export function storableJson (value: unknown): string {
  return JSON.stringify(value, (_key, member: unknown) => typeof member === 'string' ? storableText(member) : member)
}
