import t from 'tap'
import { get as httpsGet } from 'node:https'
import { connect as tlsConnect, type PeerCertificate } from 'node:tls'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createRemoteJWKSet, customFetch, decodeProtectedHeader, jwtVerify, type FetchImplementation } from 'jose'
import { Agent, fetch as undiciFetch } from 'undici'
import { startEmulator } from './helpers.ts'

const emulator = await startEmulator(t, {
  seed: { clusters: [{ name: 'demo' }], identityProviders: [{ name: 'corp' }, { name: 'ec', alg: 'ES256' }] }
})
const clusterIssuer = emulator.state.clusters.get('demo')?.issuer as string

function getJson (url: string, ca?: string): Promise<{ status?: number, body: unknown }> {
  return new Promise((resolve, reject) => {
    httpsGet(url, { ca, agent: false }, response => {
      const chunks: Buffer[] = []
      response.on('data', chunk => chunks.push(chunk))
      response.on('end', () => resolve({ status: response.statusCode, body: JSON.parse(Buffer.concat(chunks).toString()) }))
    }).on('error', reject)
  })
}

/** SHA-1 of the last certificate the server sends (the top intermediate), as IAM computes it. */
function servedTopIntermediate (ca: string): Promise<string> {
  const { port } = new URL(emulator.issuerBaseUrl)
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port: Number(port), ca }, () => {
      const leaf = socket.getPeerCertificate(true)
      const intermediate = leaf.issuerCertificate as PeerCertificate
      socket.end()
      resolve(createHash('sha1').update(intermediate.raw).digest('hex'))
    })
    socket.on('error', reject)
  })
}

function jwksTrusting (issuerUrl: string, ca: string) {
  const dispatcher = new Agent({ connect: { ca } })
  t.teardown(() => dispatcher.close())
  const fetchWithCa = ((url: string, options: Record<string, unknown>) =>
    undiciFetch(url, { ...options, dispatcher })) as unknown as FetchImplementation
  return createRemoteJWKSet(new URL(`${issuerUrl}/keys`), { [customFetch]: fetchWithCa })
}

t.test('the CA file is a PEM bundle and cluster issuers are served over TLS at /id/<32 HEX>', async t => {
  const ca = readFileSync(emulator.caFile, 'utf8')
  t.equal(ca, emulator.issuerCaPem)
  t.match(ca, /^-----BEGIN CERTIFICATE-----/)
  t.match(clusterIssuer, /^https:\/\/127\.0\.0\.1:\d+\/id\/[0-9A-F]{32}$/)

  const { status, body } = await getJson(`${clusterIssuer}/.well-known/openid-configuration`, ca)
  t.equal(status, 200)
  const discovery = body as Record<string, unknown>
  t.equal(discovery.issuer, clusterIssuer, 'issuer is exactly the URL')
  t.equal(discovery.jwks_uri, `${clusterIssuer}/keys`)
  t.same(discovery.id_token_signing_alg_values_supported, ['RS256', 'ES256'])
  t.same(discovery.response_types_supported, ['id_token'])

  const jwks = (await getJson(`${clusterIssuer}/keys`, ca)).body as { keys: Array<Record<string, string>> }
  t.equal(jwks.keys.length, 1)
  t.equal(jwks.keys[0].alg, 'RS256')
  t.equal(jwks.keys[0].kty, 'RSA')
  t.type(jwks.keys[0].kid, 'string')
  t.notOk('d' in jwks.keys[0], 'no private material')

  t.equal((await getJson(`${emulator.issuerBaseUrl}/id/UNKNOWN/.well-known/openid-configuration`, ca)).status, 404)
  await t.rejects(getJson(`${clusterIssuer}/.well-known/openid-configuration`), /self[- ]signed|unable to verify|certificate/i,
    'without the CA the chain is not trusted')
})

t.test('external identity providers at /idp/<name>', async t => {
  const corp = emulator.state.identityProviders.get('corp')
  t.equal(corp?.issuerUrl, `${emulator.issuerBaseUrl}/idp/corp`)
  const discovery = (await getJson(`${corp?.issuerUrl}/.well-known/openid-configuration`, emulator.issuerCaPem)).body as Record<string, unknown>
  t.equal(discovery.issuer, corp?.issuerUrl)

  const created = emulator.createIdentityProvider({ name: 'okta' })
  t.equal(created.issuerUrl, `${emulator.issuerBaseUrl}/idp/okta`)
  t.throws(() => emulator.createIdentityProvider({ name: 'okta' }), /already exists/)
})

t.test('minted tokens verify with jose over real TLS; wrong kid and expiry are rejected', async t => {
  const jwks = jwksTrusting(clusterIssuer, readFileSync(emulator.caFile, 'utf8'))
  const token = await emulator.mintIdToken(clusterIssuer, { sub: 'system:serviceaccount:default:app', aud: 'sts.amazonaws.com' })
  const { payload, protectedHeader } = await jwtVerify(token, jwks, { issuer: clusterIssuer, audience: 'sts.amazonaws.com' })
  t.equal(payload.sub, 'system:serviceaccount:default:app')
  t.equal(payload.iss, clusterIssuer)
  t.equal((payload.exp ?? 0) - (payload.iat ?? 0), 3600)
  t.equal(protectedHeader.alg, 'RS256')

  const wrongKid = await emulator.mintIdToken(clusterIssuer, { sub: 'x' }, { kid: 'unknown-kid' })
  await t.rejects(jwtVerify(wrongKid, jwks), { code: 'ERR_JWKS_NO_MATCHING_KEY' })
  const expired = await emulator.mintIdToken(clusterIssuer, { sub: 'x' }, { expiresInSeconds: -60 })
  await t.rejects(jwtVerify(expired, jwks), { code: 'ERR_JWT_EXPIRED' })

  const es = emulator.state.identityProviders.get('ec')?.issuerUrl as string
  const esToken = await emulator.mintIdToken(es, { sub: 'alice', email: 'alice@example.com' })
  t.equal(decodeProtectedHeader(esToken).alg, 'ES256')
  const verified = await jwtVerify(esToken, jwksTrusting(es, emulator.issuerCaPem), { issuer: es })
  t.equal(verified.payload.email, 'alice@example.com')

  await t.rejects(emulator.mintIdToken('https://elsewhere.example.com', {}), /not an issuer/)
})

t.test('tokens through the admin API', async t => {
  const response = await fetch(`${emulator.url}/_emulator/tokens`, {
    method: 'POST', body: JSON.stringify({ issuerUrl: clusterIssuer, claims: { sub: 'bob', aud: 'kubernetes' }, expiresInSeconds: 60 })
  })
  t.equal(response.status, 200)
  const { token } = await response.json() as { token: string }
  const { payload } = await jwtVerify(token, jwksTrusting(clusterIssuer, emulator.issuerCaPem), { audience: 'kubernetes' })
  t.equal(payload.sub, 'bob')
  t.equal((payload.exp ?? 0) - (payload.iat ?? 0), 60)
  const unknown = await fetch(`${emulator.url}/_emulator/tokens`, { method: 'POST', body: JSON.stringify({ issuerUrl: 'https://x.example.com' }) })
  t.equal(unknown.status, 400)
})

t.test('rotateIssuerCertificate serves a new chain with a new top intermediate on the same port', async t => {
  const before = emulator.issuerThumbprint
  const baseUrl = emulator.issuerBaseUrl
  t.equal(await servedTopIntermediate(emulator.issuerCaPem), before, 'issuerThumbprint is what the server sends last')

  const after = await emulator.rotateIssuerCertificate()
  t.not(after, before)
  t.equal(emulator.issuerThumbprint, after)
  t.equal(emulator.issuerBaseUrl, baseUrl, 'same port')
  const bundle = readFileSync(emulator.caFile, 'utf8')
  t.equal(bundle.match(/BEGIN CERTIFICATE/g)?.length, 2, 'the CA file now holds the old and the new root')
  t.equal(await servedTopIntermediate(bundle), after)

  const token = await emulator.mintIdToken(clusterIssuer, { sub: 'after-rotation' })
  const { payload } = await jwtVerify(token, jwksTrusting(clusterIssuer, bundle))
  t.equal(payload.sub, 'after-rotation', 'signing keys survive a certificate rotation')

  const viaAdmin = await fetch(`${emulator.url}/_emulator/rotate-certificate`, { method: 'POST' })
  const { thumbprint } = await viaAdmin.json() as { thumbprint: string }
  t.not(thumbprint, after)
  t.equal(thumbprint, emulator.issuerThumbprint)
})
