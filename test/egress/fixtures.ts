/**
 * Loopback fixtures shared by the egress and issuer tests: real HTTPS servers with real chains from
 * generateChain(), and a plain TCP listener that counts the connections that reach it.
 */
import { createServer as createHttpsServer } from 'node:https'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createServer as createNetServer } from 'node:net'
import type { AddressInfo, Server } from 'node:net'
import { ServiceError } from '../../src/errors.ts'
import { generateJwk } from './jwk.ts'
import { generateChain } from '../../emulator/pki.ts'
import type { CertificateChain, ChainOptions } from '../../emulator/pki.ts'

type Test = { teardown (fn: () => unknown): void }
export type Handler = (req: IncomingMessage, res: ServerResponse) => void

export interface TestServer {
  port: number
  /** https://<host>:<port> */
  origin: string
  /** TCP connections accepted so far. */
  connections (): number
  chain: CertificateChain
  /** Serves another chain from now on (new handshakes only). */
  rotate (chain: CertificateChain): void
}

async function listen (t: Test, server: Server): Promise<number> {
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>(resolve => {
    (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.()
    server.close(() => resolve())
  }))
  return (server.address() as AddressInfo).port
}

export function sendJson (res: ServerResponse, body: unknown, status = 200, contentType = 'application/json'): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

export interface HttpsServerOptions {
  chain?: CertificateChain
  chainOptions?: ChainOptions
  /** Host name used in `origin` (the server always listens on 127.0.0.1). */
  host?: string
  handler?: (origin: string) => Handler
}

let serverCount = 0

export async function startHttpsServer (t: Test, options: HttpsServerOptions = {}): Promise<TestServer> {
  // Distinct CA names per server: the chains carry no authority key identifier, so two trusted
  // roots with one name would be confused during verification.
  const chain = options.chain ?? await generateChain({ name: `test server ${++serverCount}`, ...options.chainOptions })
  let connections = 0
  let origin = ''
  let handle: Handler = (_req, res) => { res.writeHead(404).end() }
  const server = createHttpsServer({ cert: chain.serverChainPem, key: chain.leaf.keyPem }, (req, res) => handle(req, res))
  server.on('connection', () => { connections++ })
  const port = await listen(t, server)
  origin = `https://${options.host ?? '127.0.0.1'}:${port}`
  if (options.handler) handle = options.handler(origin)
  return {
    port,
    origin,
    chain,
    connections: () => connections,
    rotate: next => server.setSecureContext({ cert: next.serverChainPem, key: next.leaf.keyPem })
  }
}

export interface IssuerOptions extends HttpsServerOptions {
  /** Path of the issuer below the origin, e.g. `/id/ABC`. Default ''. */
  path?: string
  /** Overrides of the discovery document (e.g. a different `issuer` or `jwks_uri`). */
  discovery?: (issuerUrl: string) => Record<string, unknown>
  /** Replaces the handler of a path (relative to the origin). */
  routes?: (issuerUrl: string) => Record<string, Handler>
}

export interface TestIssuer extends TestServer {
  issuerUrl: string
  jwksUri: string
}

export async function startIssuer (t: Test, options: IssuerOptions = {}): Promise<TestIssuer> {
  const key = await generateJwk()
  let issuerUrl = ''
  let jwksUri = ''
  const server = await startHttpsServer(t, {
    ...options,
    handler: origin => {
      issuerUrl = origin + (options.path ?? '')
      jwksUri = `${issuerUrl}/keys`
      const routes: Record<string, Handler> = {
        [`${options.path ?? ''}/.well-known/openid-configuration`]: (_req, res) => sendJson(res, {
          issuer: issuerUrl,
          jwks_uri: jwksUri,
          authorization_endpoint: `${issuerUrl}/authorize`,
          response_types_supported: ['id_token'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['ES256'],
          ...options.discovery?.(issuerUrl)
        }),
        [`${options.path ?? ''}/keys`]: (_req, res) => sendJson(res, { keys: [key] }),
        ...options.routes?.(issuerUrl)
      }
      return (req, res) => {
        const route = routes[new URL(req.url ?? '/', origin).pathname]
        if (route) route(req, res)
        else res.writeHead(404, { 'content-type': 'text/plain' }).end('not found')
      }
    }
  })
  return { ...server, issuerUrl, jwksUri }
}

/** A plain TCP listener on loopback that only counts the connections reaching it. */
export async function startCountingListener (t: Test): Promise<{ port: number, connections (): number }> {
  let connections = 0
  const server = createNetServer(socket => {
    connections++
    socket.destroy()
  })
  const port = await listen(t, server)
  return { port, connections: () => connections }
}

/** The ServiceError a promise rejects with; anything else (or resolving) fails the test. */
export async function rejection (promise: Promise<unknown>): Promise<ServiceError> {
  try {
    await promise
  } catch (err) {
    if (err instanceof ServiceError) return err
    throw err
  }
  throw new Error('expected a ServiceError, but the promise resolved')
}

/** The ServiceError a function throws synchronously. */
export function thrown (fn: () => unknown): ServiceError {
  try {
    fn()
  } catch (err) {
    if (err instanceof ServiceError) return err
    throw err
  }
  throw new Error('expected a ServiceError, but nothing was thrown')
}
