/**
 * GET a JSON document through an undici Agent whose connector applies the connect policy: the
 * literal-address and port check before connecting, the guarded lookup for names. No redirects
 * are followed (undici's `request` has none unless an interceptor adds them), the whole exchange
 * has one deadline, and the body is read as a stream under a byte cap.
 */
import { Agent, buildConnector, request } from 'undici'
import type { Dispatcher } from 'undici'
import { ServiceError } from '../errors.ts'
import type { ConnectPolicy } from './connect-policy.ts'
import { egressError, toEgressError } from './errors.ts'
import type { UrlPurpose } from './url-rules.ts'

export interface JsonResponse {
  status: number
  headers: Record<string, string>
  json: unknown
  bytes: number
}

export interface FetchJsonOptions {
  /** `issuer` (default) forbids a query; `resource` (jwks_uri) allows one. */
  purpose?: UrlPurpose
  /**
   * Verify the server certificate (default true). Only the thumbprint flow turns this off, to read
   * `jwks_uri` from an issuer whose private CA we do not trust: that is exactly the case thumbprints
   * exist for. Every address rule still applies.
   */
  verifyTls?: boolean
}

export interface TransportOptions {
  ca?: string[]
  timeoutMs: number
  maxBodyBytes: number
}

const JSON_CONTENT_TYPE = /^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i

export function createGuardedAgent (policy: ConnectPolicy, transport: TransportOptions, verifyTls: boolean): Agent {
  const connectTls = buildConnector({
    ca: transport.ca,
    rejectUnauthorized: verifyTls,
    timeout: transport.timeoutMs,
    lookup: policy.lookup
  })
  return new Agent({
    headersTimeout: transport.timeoutMs,
    bodyTimeout: transport.timeoutMs,
    connect (options, callback) {
      try {
        if (options.protocol !== 'https:') throw egressError('urlInvalid', 'only https connections are made', { rule: 'https' })
        policy.checkTarget(options.hostname, Number(options.port || 443))
      } catch (err) {
        callback(err as Error, null)
        return
      }
      connectTls(options, callback)
    }
  })
}

function headerValue (value: string | string[] | undefined): string {
  return Array.isArray(value) ? value.join(', ') : (value ?? '')
}

async function readCapped (body: Dispatcher.ResponseData['body'], maxBytes: number, target: string): Promise<Buffer> {
  const chunks: Buffer[] = []
  let total = 0
  for await (const chunk of body) {
    total += (chunk as Buffer).length
    if (total > maxBytes) {
      throw egressError('responseInvalid', `${target} sent more than ${maxBytes} bytes`, { target, rule: 'size', maxBytes })
    }
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks)
}

export async function fetchJsonThrough (
  dispatcher: Dispatcher, policy: ConnectPolicy, transport: TransportOptions, raw: string, purpose: UrlPurpose
): Promise<JsonResponse> {
  const url = policy.checkUrl(raw, purpose)
  const target = url.href
  const signal = AbortSignal.timeout(transport.timeoutMs)
  const fail = (err: unknown) => signal.aborted && !(err instanceof ServiceError)
    ? egressError('timeout', `${target} did not answer within ${transport.timeoutMs} ms`, { target, timeoutMs: transport.timeoutMs }, err)
    : toEgressError(err, target, transport.timeoutMs)

  let response: Dispatcher.ResponseData
  try {
    response = await request(url, {
      dispatcher,
      method: 'GET',
      headers: { accept: 'application/json', 'user-agent': 'eks-oidc-api' },
      signal
    })
  } catch (err) {
    throw fail(err)
  }

  const { statusCode, body } = response
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(response.headers)) headers[name] = headerValue(value)
  try {
    if (statusCode >= 300 && statusCode < 400) {
      throw egressError('redirect', `${target} answered ${statusCode}; redirects are not followed`, { target, status: statusCode, location: headers.location })
    }
    if (statusCode < 200 || statusCode >= 300) {
      throw egressError('responseInvalid', `${target} answered ${statusCode}`, { target, rule: 'status', status: statusCode })
    }
    if (!JSON_CONTENT_TYPE.test(headers['content-type'] ?? '')) {
      throw egressError('responseInvalid', `${target} answered with content type ${headers['content-type'] || '(none)'}, not JSON`,
        { target, rule: 'content-type', contentType: headers['content-type'] })
    }
    const declared = Number(headers['content-length'])
    if (Number.isFinite(declared) && declared > transport.maxBodyBytes) {
      throw egressError('responseInvalid', `${target} declared ${declared} bytes, more than ${transport.maxBodyBytes}`,
        { target, rule: 'size', maxBytes: transport.maxBodyBytes })
    }
    const bytes = await readCapped(body, transport.maxBodyBytes, target)
    let json: unknown
    try {
      json = JSON.parse(bytes.toString('utf8'))
    } catch {
      throw egressError('responseInvalid', `${target} sent a body that is not valid JSON`, { target, rule: 'json' })
    }
    return { status: statusCode, headers, json, bytes: bytes.length }
  } catch (err) {
    throw fail(err)
  } finally {
    // An unread remainder (refused or oversized) is dropped with its connection; destroying a
    // body emits an abort error, which nobody else listens to.
    if (!body.destroyed) {
      body.on('error', () => {})
      body.destroy()
    }
  }
}
