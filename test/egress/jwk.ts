import { generateKeyPair, exportJWK } from 'jose'

/** A public ES256 signing key in JWK form, as an issuer publishes it. */
export async function generateJwk (kid = 'test-key-1'): Promise<Record<string, unknown>> {
  const { publicKey } = await generateKeyPair('ES256', { extractable: true })
  return { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' }
}
