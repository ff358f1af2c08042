/**
 * Shape rules for URLs the service connects to, judged on the parsed (WHATWG) URL, never on the
 * raw string. Pure: no DNS, no I/O.
 */
export interface UrlProblem {
  /** Stable rule name: `url`, `https`, `no-userinfo`, `port`, `no-query`, `no-fragment`. */
  rule: string
  detail: string
}

export type UrlPurpose = 'issuer' | 'resource'

export interface UrlShapeOptions {
  allowedPorts?: readonly number[]
  /** Issuer URLs may not carry a query or a fragment; other resources (jwks_uri) may carry a query. */
  purpose?: UrlPurpose
}

export interface UrlShape {
  url?: URL
  problems: UrlProblem[]
}

export function effectivePort (url: URL): number {
  return url.port === '' ? 443 : Number(url.port)
}

/** The `port` rule, for a URL's port and for a bare host and port alike. */
export function portProblem (port: number, allowedPorts: readonly number[]): UrlProblem | undefined {
  if (allowedPorts.includes(port)) return undefined
  return { rule: 'port', detail: `port ${port} is not allowed (allowed: ${allowedPorts.join(', ')})` }
}

export function urlShapeProblems (raw: string, options: UrlShapeOptions = {}): UrlShape {
  const allowedPorts = options.allowedPorts ?? [443]
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return { problems: [{ rule: 'url', detail: 'must be an absolute URL that the WHATWG URL parser accepts' }] }
  }
  const problems: UrlProblem[] = []
  if (url.protocol !== 'https:') problems.push({ rule: 'https', detail: `scheme must be https, not ${url.protocol.slice(0, -1)}` })
  if (url.username !== '' || url.password !== '') problems.push({ rule: 'no-userinfo', detail: 'must not carry a user name or password' })
  const port = url.protocol === 'https:' ? portProblem(effectivePort(url), allowedPorts) : undefined
  if (port) problems.push(port)
  // After parsing, `?` and `#` can only appear in href as the query and fragment delimiters, which
  // also catches an empty query (`https://host/?`) that url.search reports as ''.
  const beforeFragment = url.href.split('#')[0]
  if (options.purpose !== 'resource' && beforeFragment.includes('?')) problems.push({ rule: 'no-query', detail: 'must not carry a query' })
  if (url.href.includes('#')) problems.push({ rule: 'no-fragment', detail: 'must not carry a fragment' })
  return { url, problems }
}
