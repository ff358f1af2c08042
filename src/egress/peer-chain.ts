/**
 * Reads the certificate chain a TLS server sends, under the same connect policy as every other
 * egress. Certificates are taken only from what the server sent: `getPeerCertificate(true)`
 * would append the root from our own trust store when the chain verifies, which would turn the
 * thumbprint of the top intermediate into that of a root the server never sent.
 */
import { connect } from 'node:tls'
import type { X509Certificate } from 'node:crypto'
import { isIP } from 'node:net'
import type { ConnectPolicy } from './connect-policy.ts'
import { toEgressError } from './errors.ts'

export interface CertificateSummary {
  subject: string
  issuer: string
  /** ISO 8601 end of validity. */
  notAfter: string
  /** Lower-case hex SHA-1 of the DER certificate: an IAM thumbprint. */
  sha1: string
}

export interface PeerChain {
  host: string
  port: number
  /** Leaf first; the last entry is the top certificate the server sent. */
  certificates: CertificateSummary[]
  /** Whether the chain verifies against the system roots plus the configured extra CA. */
  authorized: boolean
  authorizationError?: string
}

const oneLine = (name: string) => name.trim().split('\n').join(', ')

export function summarise (cert: X509Certificate): CertificateSummary {
  return {
    subject: oneLine(cert.subject),
    issuer: oneLine(cert.issuer),
    notAfter: cert.validToDate.toISOString(),
    sha1: cert.fingerprint.replaceAll(':', '').toLowerCase()
  }
}

/** Walks issuerCertificate links, which Node resolves among the certificates the peer sent. */
export function sentChain (leaf: X509Certificate | undefined): CertificateSummary[] {
  const chain: CertificateSummary[] = []
  const seen = new Set<string>()
  for (let cert = leaf; cert && !seen.has(cert.fingerprint256); cert = cert.issuerCertificate) {
    seen.add(cert.fingerprint256)
    chain.push(summarise(cert))
  }
  return chain
}

export interface PeerChainOptions {
  ca?: string[]
  timeoutMs: number
}

export async function readPeerChain (policy: ConnectPolicy, rawHost: string, port: number, options: PeerChainOptions): Promise<PeerChain> {
  const hostForUrl = isIP(rawHost) === 6 ? `[${rawHost}]` : rawHost
  const url = policy.checkUrl(`https://${hostForUrl}:${port}/`, 'resource')
  const host = url.hostname.replace(/^\[|\]$/g, '')
  const target = `${url.hostname}:${port}`

  return await new Promise((resolve, reject) => {
    const socket = connect({
      host,
      port,
      // SNI carries names only; an IP literal is sent without one.
      servername: isIP(host) === 0 ? host : undefined,
      lookup: policy.lookup,
      ca: options.ca,
      // Reading the chain only: thumbprints exist precisely for CAs that IAM (and we) do not trust,
      // so an untrusted chain must still be readable. Nothing is sent over this connection, and
      // `authorized` reports whether the chain would have verified.
      rejectUnauthorized: false
    })
    const timer = setTimeout(() => {
      socket.destroy(Object.assign(new Error(`TLS handshake with ${target} timed out`), { name: 'TimeoutError' }))
    }, options.timeoutMs)
    socket.once('secureConnect', () => {
      clearTimeout(timer)
      const certificates = sentChain(socket.getPeerX509Certificate())
      const authorizationError = socket.authorizationError ? String(socket.authorizationError) : undefined
      resolve({ host: url.hostname, port, certificates, authorized: socket.authorized, ...(authorizationError ? { authorizationError } : {}) })
      // end(), not destroy(): our Finished message still reaches the server, which then sees a
      // complete handshake rather than a reset.
      socket.end()
    })
    socket.on('error', err => {
      clearTimeout(timer)
      reject(toEgressError(err, target, options.timeoutMs))
    })
  })
}
