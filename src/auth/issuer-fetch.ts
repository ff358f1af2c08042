/**
 * Small GET client for the operator-configured identity provider (discovery document and JWKS).
 * The URLs are configuration, not caller input, so no SSRF guard applies; still: HTTPS only,
 * no redirects, bounded size and time, and an optional extra CA for private or loopback issuers.
 */
import { rootCertificates } from 'node:tls'
import { Agent, request } from 'undici'

/** The identity provider could not be reached or answered nonsense. */
export class IdentityProviderUnavailableError extends Error {
  constructor (message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'IdentityProviderUnavailableError'
  }
}

export interface IssuerFetchOptions {
  /** PEM of an extra CA to trust besides the system roots. */
  caPem?: string
  timeoutMs: number
  maxBytes?: number
}

export interface IssuerFetcher {
  getJson (url: string, signal?: AbortSignal): Promise<unknown>
  close (): Promise<void>
}

const DEFAULT_MAX_BYTES = 256 * 1024

export function createIssuerFetcher (options: IssuerFetchOptions): IssuerFetcher {
  const agent = new Agent({
    connect: options.caPem === undefined ? {} : { ca: [...rootCertificates, options.caPem] },
    connectTimeout: options.timeoutMs
  })
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES

  async function getJson (url: string, signal?: AbortSignal): Promise<unknown> {
    if (new URL(url).protocol !== 'https:') throw new IdentityProviderUnavailableError(`refusing non-https URL ${url}`)
    const timeout = AbortSignal.timeout(options.timeoutMs)
    try {
      const response = await request(url, {
        method: 'GET',
        dispatcher: agent,
        headers: { accept: 'application/json, application/jwk-set+json' },
        signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout])
      })
      if (response.statusCode !== 200) {
        await response.body.dump()
        throw new IdentityProviderUnavailableError(`GET ${url} answered ${response.statusCode}`)
      }
      let size = 0
      const chunks: Buffer[] = []
      for await (const chunk of response.body) {
        size += (chunk as Buffer).length
        if (size > maxBytes) {
          response.body.destroy()
          throw new IdentityProviderUnavailableError(`GET ${url} answered more than ${maxBytes} bytes`)
        }
        chunks.push(chunk as Buffer)
      }
      return JSON.parse(Buffer.concat(chunks).toString('utf8'))
    } catch (error) {
      if (error instanceof IdentityProviderUnavailableError) throw error
      throw new IdentityProviderUnavailableError(`GET ${url} failed: ${(error as Error).message}`, { cause: error })
    }
  }

  return { getJson, close: () => agent.close() }
}
