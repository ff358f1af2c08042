/**
 * Generates real X.509 certificate chains (root → intermediates → leaf) for loopback HTTPS
 * servers: the emulator's OIDC issuers and the TLS fixtures of the tests. ECDSA P-256 keeps
 * generation fast enough to do at every start.
 */
import { webcrypto, X509Certificate as NodeX509 } from 'node:crypto'
import 'reflect-metadata'
import * as x509 from '@peculiar/x509'

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0])

type CryptoKeyPair = webcrypto.CryptoKeyPair

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const
const DAY_MS = 24 * 60 * 60 * 1000

export interface IssuedCertificate {
  /** PEM of the certificate. */
  pem: string
  /** PEM (PKCS#8) of its private key. */
  keyPem: string
  /** Lower-case hex SHA-1 of the DER certificate: what IAM calls a thumbprint. */
  sha1: string
  subject: string
  notAfter: Date
}

export interface CertificateChain {
  root: IssuedCertificate
  /** Ordered from the one the root signed down to the one that signed the leaf. */
  intermediates: IssuedCertificate[]
  leaf: IssuedCertificate
  /** What a TLS server sends: leaf first, then intermediates from the bottom up (never the root). */
  serverChainPem: string
  /** The CA bundle a client trusts: the root. */
  caPem: string
}

export interface ChainOptions {
  /** DNS names and IP addresses the leaf is valid for. Default: localhost and 127.0.0.1. */
  hosts?: string[]
  /** Number of intermediate CAs between root and leaf. Default 1. */
  intermediates?: number
  /** Common-name prefix, to tell chains apart in test output. */
  name?: string
  /** Validity window of the leaf. Default: from one day ago for 90 days. */
  leafNotBefore?: Date
  leafNotAfter?: Date
  /** Validity end of the CA certificates. Default: 10 years from now. */
  caNotAfter?: Date
}

interface Signer { cert: x509.X509Certificate, keys: CryptoKeyPair }

async function issue (
  subject: string,
  issuer: Signer | undefined,
  extensions: x509.Extension[],
  notBefore: Date,
  notAfter: Date
): Promise<Signer> {
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']) as CryptoKeyPair
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(8))).toString('hex').replace(/^[89a-f]/, '1'),
    subject,
    issuer: issuer?.cert.subject ?? subject,
    notBefore,
    notAfter,
    signingAlgorithm: ALGORITHM,
    publicKey: keys.publicKey,
    signingKey: issuer?.keys.privateKey ?? keys.privateKey,
    extensions: [
      ...extensions,
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey)
    ]
  })
  return { cert, keys }
}

async function describe (signer: Signer): Promise<IssuedCertificate> {
  const pem = signer.cert.toString('pem').trimEnd() + '\n'
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', signer.keys.privateKey)
  const keyPem = `-----BEGIN PRIVATE KEY-----\n${Buffer.from(pkcs8).toString('base64').replace(/(.{64})/g, '$1\n').trimEnd()}\n-----END PRIVATE KEY-----\n`
  const parsed = new NodeX509(pem)
  return {
    pem,
    keyPem,
    sha1: parsed.fingerprint.replaceAll(':', '').toLowerCase(),
    subject: parsed.subject,
    notAfter: new Date(parsed.validTo)
  }
}

const caExtensions = (pathLength?: number) => [
  new x509.BasicConstraintsExtension(true, pathLength, true),
  new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)
]

function subjectAltNames (hosts: string[]) {
  return new x509.SubjectAlternativeNameExtension(hosts.map(host =>
    /^[\d.]+$/.test(host) || host.includes(':') ? { type: 'ip' as const, value: host } : { type: 'dns' as const, value: host }))
}

export async function generateChain (options: ChainOptions = {}): Promise<CertificateChain> {
  const name = options.name ?? 'eks-oidc-api test'
  const hosts = options.hosts ?? ['localhost', '127.0.0.1']
  const now = Date.now()
  const caNotBefore = new Date(now - DAY_MS)
  const caNotAfter = options.caNotAfter ?? new Date(now + 3650 * DAY_MS)

  const root = await issue(`CN=${name} Root CA`, undefined, caExtensions(), caNotBefore, caNotAfter)
  const intermediates: Signer[] = []
  let signer = root
  for (let i = 1; i <= (options.intermediates ?? 1); i++) {
    signer = await issue(`CN=${name} Intermediate CA ${i}`, signer, caExtensions(), caNotBefore, caNotAfter)
    intermediates.push(signer)
  }
  const leaf = await issue(`CN=${hosts[0]}`, signer, [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    subjectAltNames(hosts)
  ], options.leafNotBefore ?? caNotBefore, options.leafNotAfter ?? new Date(now + 90 * DAY_MS))

  const described = {
    root: await describe(root),
    intermediates: await Promise.all(intermediates.map(describe)),
    leaf: await describe(leaf)
  }
  return {
    ...described,
    serverChainPem: [described.leaf, ...[...described.intermediates].reverse()].map(c => c.pem).join(''),
    caPem: described.root.pem
  }
}
