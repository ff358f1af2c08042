/**
 * A real OIDC issuer on loopback: HTTPS with a generated root → intermediate → leaf chain,
 * serving a discovery document and a JWKS for a freshly generated ES256 key.
 */
import { createServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import type { CryptoKey, JWTPayload } from 'jose'
import { generateChain } from '../../../emulator/pki.ts'

export interface TestIssuer {
  issuer: string
  caPem: string
  /** Requests served, by path. */
  hits: Record<string, number>
  /** Signs with the published key unless `key` is given. */
  sign (claims: JWTPayload, options?: { key?: CryptoKey, kid?: string, /** `null` leaves `exp` out. */ expiresIn?: string | number | null, notBefore?: string | number, issuer?: string, audience?: string }): Promise<string>
  /** The next this-many requests are answered 503. */
  failNext: number
  /** Replaces the discovery document or the JWKS served (a hostile or broken issuer). */
  serve: { discovery?: unknown, keys?: unknown }
  /** A key the issuer does not publish. */
  rogueKey: CryptoKey
  close (): Promise<void>
}

export async function startOidcIssuer (audience: string): Promise<TestIssuer> {
  const chain = await generateChain({ name: 'test issuer' })
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
  const rogue = await generateKeyPair('ES256')
  const jwk = { ...await exportJWK(publicKey), kid: 'k1', alg: 'ES256', use: 'sig' }
  const hits: Record<string, number> = {}
  let issuer = ''

  const state = { failNext: 0 }
  const serve: TestIssuer['serve'] = {}
  const server = createServer({ key: chain.leaf.keyPem, cert: chain.serverChainPem }, (request, response) => {
    const path = request.url ?? ''
    hits[path] = (hits[path] ?? 0) + 1
    if (state.failNext > 0) {
      state.failNext--
      response.writeHead(503).end()
      return
    }
    const body = path.endsWith('/.well-known/openid-configuration')
      ? serve.discovery ?? { issuer, jwks_uri: `${issuer}/keys`, id_token_signing_alg_values_supported: ['ES256'] }
      : path === '/keys' ? serve.keys ?? { keys: [jwk] } : undefined
    response.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json' })
    response.end(JSON.stringify(body ?? {}))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  issuer = `https://127.0.0.1:${(server.address() as AddressInfo).port}`

  return {
    issuer,
    caPem: chain.caPem,
    hits,
    get failNext () { return state.failNext },
    set failNext (count: number) { state.failNext = count },
    serve,
    rogueKey: rogue.privateKey,
    async sign (claims, options = {}) {
      const jwt = new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', kid: options.kid ?? 'k1', typ: 'JWT' })
        .setIssuer(options.issuer ?? issuer)
        .setAudience(options.audience ?? audience)
        .setIssuedAt()
      if (options.expiresIn !== null) jwt.setExpirationTime(options.expiresIn ?? '5m')
      if (options.notBefore !== undefined) jwt.setNotBefore(options.notBefore)
      return jwt.sign(options.key ?? privateKey)
    },
    close: () => new Promise<void>(resolve => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  }
}
