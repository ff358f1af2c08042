/**
 * The awsQuery wire format: reading `Name.member.N` form lists and writing the XML documents
 * IAM and STS answer with.
 */
export type XmlValue = string | number | boolean | XmlValue[] | { [member: string]: XmlValue | undefined }

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' }

export const escapeXml = (text: string) => text.replace(/[&<>"']/g, char => ESCAPES[char])

/** Objects become child elements in key order, arrays become `<member>` items, undefined is omitted. */
export function toXml (value: XmlValue): string {
  if (Array.isArray(value)) return value.map(item => `<member>${toXml(item)}</member>`).join('')
  if (typeof value === 'object') {
    return Object.entries(value)
      .filter((entry): entry is [string, XmlValue] => entry[1] !== undefined)
      .map(([name, member]) => `<${name}>${toXml(member)}</${name}>`).join('')
  }
  return escapeXml(String(value))
}

export function queryResponse (action: string, namespace: string, requestId: string, result?: XmlValue): string {
  const body = result === undefined ? '' : `<${action}Result>${toXml(result)}</${action}Result>`
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${namespace}">${body}` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>\n`
}

export function queryErrorResponse (
  namespace: string, requestId: string, error: { type: string, code: string, message: string }
): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${namespace}"><Error>` +
    `<Type>${escapeXml(error.type)}</Type><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message>` +
    `</Error><RequestId>${requestId}</RequestId></ErrorResponse>\n`
}

/** Reads `Name.member.N` (1-based, in N order); `Name=` alone is how clients send an empty list. */
export function readMemberList (params: URLSearchParams, name: string): string[] | undefined {
  const prefix = `${name}.member.`
  const items: Array<[number, string]> = []
  for (const [key, value] of params) {
    if (key.startsWith(prefix) && /^\d+$/.test(key.slice(prefix.length))) items.push([Number(key.slice(prefix.length)), value])
  }
  if (items.length === 0) return params.has(name) ? [] : undefined
  return items.sort((a, b) => a[0] - b[0]).map(([, value]) => value)
}

/** Reads `Tags.member.N.Key` / `.Value` pairs in N order; a member the request omits stays undefined. */
export function readTagList (params: URLSearchParams, name: string): Array<{ Key?: string, Value?: string }> | undefined {
  const prefix = `${name}.member.`
  const byIndex = new Map<number, { Key?: string, Value?: string }>()
  for (const [key, value] of params) {
    const match = key.startsWith(prefix) ? /^(\d+)\.(Key|Value)$/.exec(key.slice(prefix.length)) : null
    if (!match) continue
    const entry = byIndex.get(Number(match[1])) ?? {}
    entry[match[2] as 'Key' | 'Value'] = value
    byIndex.set(Number(match[1]), entry)
  }
  if (byIndex.size === 0) return params.has(name) ? [] : undefined
  return [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, tag]) => tag)
}
