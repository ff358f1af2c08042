/**
 * Test support: a real HTTPS OIDC issuer on loopback (discovery + JWKS) with a generated
 * certificate chain, and a `fetchJwks` that reaches it over TLS trusting only that chain's root,
 * the way the service's SSRF-guarded fetch reaches real issuers.
 */
import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { Agent, fetch } from 'undici'
import type { Test } from 'tap'
import { generateChain, type CertificateChain } from '../../../emulator/pki.ts'
import type { FetchJwks } from '../../../src/token-review/types.ts'

const FETCH_TIMEOUT_MS = 5000

export interface JwksIssuer {
  issuerUrl: string
  chain: CertificateChain
  /** Replaces the served key set. */
  setJwks (jwks: unknown): void
  /** Paths requested so far, to prove what was (not) fetched. */
  requests: string[]
}

async function listen (server: Server): Promise<number> {
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return (server.address() as AddressInfo).port
}

export async function startHttpsServer (
  t: Test, handler: Parameters<typeof createServer>[1], chain?: CertificateChain
): Promise<{ url: string, chain: CertificateChain, server: Server }> {
  const certificates = chain ?? await generateChain({ name: 'token-review issuer' })
  const server = createServer({ cert: certificates.serverChainPem, key: certificates.leaf.keyPem }, handler)
  const port = await listen(server)
  t.teardown(() => new Promise<void>(resolve => {
    server.closeAllConnections()
    server.close(() => resolve())
  }))
  return { url: `https://127.0.0.1:${port}`, chain: certificates, server }
}

/** An issuer serving `/.well-known/openid-configuration` and `/keys`. */
export async function startJwksIssuer (t: Test, initialJwks: unknown): Promise<JwksIssuer> {
  let jwks = initialJwks
  const requests: string[] = []
  let issuerUrl = ''
  const { url, chain } = await startHttpsServer(t, (req, res) => {
    requests.push(req.url ?? '')
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    if (req.url === '/.well-known/openid-configuration') {
      send(200, { issuer: issuerUrl, jwks_uri: `${issuerUrl}/keys`, id_token_signing_alg_values_supported: ['RS256'] })
    } else if (req.url === '/keys') {
      send(200, jwks)
    } else {
      send(404, { error: 'not found' })
    }
  })
  issuerUrl = url
  return { issuerUrl, chain, setJwks: next => { jwks = next }, requests }
}

async function getJson (url: string, dispatcher: Agent): Promise<unknown> {
  const response = await fetch(url, { dispatcher, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) })
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`)
  return response.json()
}

/** OIDC discovery then JWKS, over TLS that trusts only `caPem`. */
export function fetchJwksOverTls (t: Test, caPem: string): FetchJwks {
  const dispatcher = new Agent({ connect: { ca: caPem } })
  t.teardown(() => dispatcher.close())
  return async (issuerUrl: string) => {
    const discovery = await getJson(`${issuerUrl.replace(/\/+$/, '')}/.well-known/openid-configuration`, dispatcher) as { issuer?: string, jwks_uri?: string }
    if (discovery.issuer !== issuerUrl) throw new Error(`discovery names issuer ${String(discovery.issuer)}, not ${issuerUrl}`)
    if (!discovery.jwks_uri?.startsWith('https://')) throw new Error('discovery has no https jwks_uri')
    return getJson(discovery.jwks_uri, dispatcher)
  }
}
