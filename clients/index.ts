/**
 * The TypeScript client of eks-oidc-api: the SDK functions and types generated into
 * clients/generated/ from openapi.yaml (`npm run client:generate`), and a factory for a client
 * bound to one service URL and token.
 */
import './fetch-globals.ts'
import { createClient, createConfig, type Client } from './generated/client/index.ts'
import type { Problem } from './generated/types.gen.ts'

export * from './generated/index.ts'
export type { Client } from './generated/client/index.ts'

export interface ApiClientOptions {
  /** Where the service listens, e.g. `http://127.0.0.1:3000`. */
  baseUrl: string
  /** Bearer token (static API token or JWT); omit when the service runs with AUTH_MODE=none. */
  token?: string
  /** Replaces globalThis.fetch, e.g. to add a timeout or a proxy. */
  fetch?: typeof fetch
}

/** A client for one service; pass it as `client` to every SDK function. */
export function createApiClient (options: ApiClientOptions): Client {
  return createClient(createConfig({
    baseUrl: options.baseUrl,
    ...(options.token === undefined ? {} : { auth: options.token }),
    ...(options.fetch === undefined ? {} : { fetch: options.fetch })
  }))
}

/**
 * Whether an SDK result's `error` is the service's RFC 9457 problem, rather than a transport
 * failure (connection refused, timeout) that the fetch client hands back in the same field.
 */
export function isProblem (error: unknown): error is Problem {
  if (typeof error !== 'object' || error === null) return false
  const { code, status, title } = error as Record<string, unknown>
  return typeof code === 'string' && typeof status === 'number' && typeof title === 'string'
}
