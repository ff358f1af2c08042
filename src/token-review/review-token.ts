/**
 * Reviews a raw ID token: verifies its signature with jose against the JWKS of the CONFIG's issuer
 * (never a URL taken from the token), then applies the claim rules of review-claims.ts.
 *
 * When the signature cannot be verified, the claims are still decoded, unverified, and checked so
 * the answer lists every problem at once; `verified: false` says the claim verdicts are for
 * diagnosis only. The token itself is never stored, logged or returned.
 */
import {
  createLocalJWKSet, decodeJwt, decodeProtectedHeader, errors, jwtVerify,
  type JWTVerifyGetKey, type JWTVerifyOptions, type ProtectedHeaderParameters
} from 'jose'
import { buildStatus, finding, type Finding } from './findings.ts'
import { deriveHints } from './hints.ts'
import type { Claims } from './findings.ts'
import { checkClaims } from './review-claims.ts'
import { MAX_TOKEN_LENGTH, ReasonCode } from '../../schemas/token-review.ts'
import { type FetchJwks, type OidcConfig, type TokenReviewStatus } from './types.ts'

/** What kube-apiserver's --oidc-signing-algs defaults to; EKS does not let you change it. */
export const EKS_ACCEPTED_ALGORITHMS = ['RS256']
/** Every algorithm kube-apiserver can be configured to accept; signatures are checked for these. */
export const KUBE_SIGNING_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512']
/** Longer inputs are refused before any parsing. */

export interface ReviewTokenOptions {
  /** Loads the JWKS of `config.issuerUrl`. */
  fetchJwks: FetchJwks
  /** The moment to judge `exp` and `nbf` against. Default: now. */
  now?: Date
  /** Algorithms the API server accepts. Default: RS256 only, as on EKS. */
  acceptedAlgorithms?: string[]
}

type Decoded = { header: ProtectedHeaderParameters, claims: Claims } | { problem: Finding }

function malformed (message: string): Finding {
  return finding(ReasonCode.MALFORMED_TOKEN, message, `oidc: verify token: oidc: malformed jwt: ${message}`)
}

/** Reads header and payload WITHOUT verifying anything: for diagnosis only. */
function decodeUnverified (token: string): Decoded {
  if (typeof token !== 'string' || token.length === 0) return { problem: malformed('the token is empty') }
  if (token.length > MAX_TOKEN_LENGTH) return { problem: malformed(`the token is longer than ${MAX_TOKEN_LENGTH} characters`) }
  if (token.split('.').length !== 3) {
    return { problem: malformed('a JWT has three dot-separated parts (an encrypted or opaque token cannot be used)') }
  }
  try {
    return { header: decodeProtectedHeader(token), claims: decodeJwt(token) as Claims }
  } catch {
    return { problem: malformed('the header or payload is not base64url-encoded JSON') }
  }
}

function algorithmFindings (alg: unknown, accepted: string[]): Finding[] {
  if (typeof alg === 'string' && accepted.includes(alg)) return []
  const shown = typeof alg === 'string' ? alg : 'missing'
  const message = alg === 'none'
    ? 'The token is unsigned (alg "none"); the API server never accepts unsigned tokens.'
    : `The token is signed with ${shown}; the API server accepts ${accepted.join(', ')}.`
  return [finding(ReasonCode.UNSUPPORTED_ALGORITHM, message,
    `oidc: verify token: oidc: id token signed with unsupported algorithm, expected ${JSON.stringify(accepted)} got "${shown}"`)]
}

/** JWT errors come from jose's claim checks, which only run after the signature verified. */
const signatureHeld = (error: unknown) =>
  error instanceof errors.JWTExpired || error instanceof errors.JWTClaimValidationFailed || error instanceof errors.JWTInvalid

function signatureFinding (error: unknown, kid: unknown): Finding {
  const signatureError = (message: string, code: ReasonCode) =>
    finding(code, message, `oidc: verify token: failed to verify signature: ${message}`)
  if (error instanceof errors.JWKSNoMatchingKey) {
    return signatureError(typeof kid === 'string'
      ? `No key in the issuer's JWKS has kid "${kid}" and fits the token's algorithm; the token was signed by another key (rotated, or another issuer).`
      : 'No key in the issuer\'s JWKS fits the token\'s algorithm.', ReasonCode.UNKNOWN_KEY_ID)
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return finding(ReasonCode.UNSUPPORTED_ALGORITHM, 'The token\'s algorithm or key type cannot be verified.',
      'oidc: verify token: oidc: malformed jwt: unsupported algorithm')
  }
  if (error instanceof errors.JWSInvalid) return malformed('the JWS structure is invalid')
  if (!(error instanceof errors.JOSEError)) {
    // e.g. jose refuses RSA keys under 2048 bits, which kube-apiserver would still try
    return signatureError(`The signature could not be checked here (${(error as Error)?.message ?? String(error)}); kube-apiserver may judge it differently.`, ReasonCode.BAD_SIGNATURE)
  }
  return signatureError('The signature does not match the issuer\'s key: the token was altered or signed by a different key.',
    ReasonCode.BAD_SIGNATURE)
}

async function verifyWithCandidates (token: string, error: errors.JWKSMultipleMatchingKeys, options: JWTVerifyOptions): Promise<boolean> {
  // Without a kid several keys can fit; kube-apiserver tries each, and so do we.
  for await (const key of error as unknown as AsyncIterable<Parameters<typeof jwtVerify>[1]>) {
    try {
      await jwtVerify(token, key, options)
      return true
    } catch (candidateError) {
      if (signatureHeld(candidateError)) return true
    }
  }
  return false
}

async function verifySignature (
  config: OidcConfig, token: string, header: ProtectedHeaderParameters, options: ReviewTokenOptions, now: Date
): Promise<{ verified: boolean, findings: Finding[] }> {
  if (typeof header.alg !== 'string' || !KUBE_SIGNING_ALGORITHMS.includes(header.alg)) return { verified: false, findings: [] }
  let keySet: JWTVerifyGetKey
  try {
    keySet = createLocalJWKSet(await options.fetchJwks(config.issuerUrl) as Parameters<typeof createLocalJWKSet>[0])
  } catch (error) {
    const why = error instanceof errors.JWKSInvalid ? 'the JWKS document is malformed' : (error as Error)?.message ?? 'unknown error'
    return {
      verified: false,
      findings: [finding(ReasonCode.JWKS_UNREACHABLE, `The issuer's signing keys could not be loaded: ${why}.`,
        'oidc: authenticator not initialized')]
    }
  }
  const verifyOptions: JWTVerifyOptions = { algorithms: KUBE_SIGNING_ALGORITHMS, currentDate: now }
  try {
    await jwtVerify(token, keySet, verifyOptions)
    return { verified: true, findings: [] }
  } catch (error) {
    if (signatureHeld(error)) return { verified: true, findings: [] }
    if (error instanceof errors.JWKSMultipleMatchingKeys && await verifyWithCandidates(token, error, verifyOptions)) {
      return { verified: true, findings: [] }
    }
    return { verified: false, findings: [signatureFinding(error, header.kid)] }
  }
}

export async function reviewToken (config: OidcConfig, token: string, options: ReviewTokenOptions): Promise<TokenReviewStatus> {
  const now = options.now ?? new Date()
  const decoded = decodeUnverified(token)
  if ('problem' in decoded) {
    return buildStatus({ findings: [decoded.problem], hints: [], clientId: config.clientId, verified: false })
  }
  const signature = await verifySignature(config, token, decoded.header, options, now)
  const claims = checkClaims(config, decoded.claims, now)
  const findings = [
    ...claims.findings,
    ...algorithmFindings(decoded.header.alg, options.acceptedAlgorithms ?? EKS_ACCEPTED_ALGORITHMS),
    ...signature.findings
  ]
  const merged = { ...claims, findings }
  return buildStatus({
    findings,
    hints: deriveHints(config, decoded.claims, merged, { algorithm: typeof decoded.header.alg === 'string' ? decoded.header.alg : undefined }),
    mappedUser: claims.mappedUser,
    clientId: config.clientId,
    verified: signature.verified
  })
}
