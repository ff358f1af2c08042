/**
 * Response headers declared identically on many responses (X-Request-Id is on every one) are
 * written once under `components.headers` and referenced, which keeps openapi.yaml readable.
 * A header name declared in more than one way (Retry-After, Location) stays inline.
 */
type Header = Record<string, unknown>
interface Response { headers?: Record<string, Header> }
interface Document {
  paths?: Record<string, Record<string, { responses?: Record<string, Response> }>>
  components?: { headers?: Record<string, Header> }
}

function responsesOf (document: Document): Response[] {
  return Object.values(document.paths ?? {})
    .flatMap(path => Object.values(path))
    .flatMap(operation => Object.values(operation.responses ?? {}))
}

export function shareRepeatedHeaders<T extends object> (document: T): T {
  const doc = document as Document
  const responses = responsesOf(doc)
  const definitions = new Map<string, Set<string>>()
  const uses = new Map<string, number>()
  for (const [name, header] of responses.flatMap(response => Object.entries(response.headers ?? {}))) {
    definitions.set(name, (definitions.get(name) ?? new Set()).add(JSON.stringify(header)))
    uses.set(name, (uses.get(name) ?? 0) + 1)
  }
  const shared = [...definitions].filter(([name, forms]) => forms.size === 1 && (uses.get(name) ?? 0) > 1).map(([name]) => name)
  if (shared.length === 0) return document

  const components: Record<string, Header> = { ...doc.components?.headers }
  for (const response of responses) {
    for (const name of shared) {
      const header = response.headers?.[name]
      if (header === undefined) continue
      components[name] = header
      response.headers = { ...response.headers, [name]: { $ref: `#/components/headers/${name}` } }
    }
  }
  doc.components = { ...doc.components, headers: components }
  return document
}
