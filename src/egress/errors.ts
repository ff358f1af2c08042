/**
 * The problems the egress guard raises. Refusals (shape, address, redirect, response) are the
 * caller's issuer's fault and are 400s. A timeout is 504 and an unreachable issuer is 502: both can
 * be transient, and 5xx keeps them out of the idempotency store, so a retry runs afresh.
 */
import { problem, ServiceError, type ProblemCode } from '../errors.ts'

/** The catalogue code of each kind of egress refusal or failure. */
export const EGRESS_PROBLEMS = {
  urlInvalid: 'IssuerUrlInvalid',
  addressForbidden: 'IssuerAddressForbidden',
  redirect: 'IssuerRedirect',
  responseInvalid: 'IssuerResponseInvalid',
  certificateInvalid: 'IssuerCertificateInvalid',
  timeout: 'IssuerTimeout',
  unreachable: 'IssuerUnreachable'
} as const satisfies Record<string, ProblemCode>

export type EgressProblemKind = keyof typeof EGRESS_PROBLEMS

export function egressError (kind: EgressProblemKind, detail: string, extensions?: Record<string, unknown>, cause?: unknown): ServiceError {
  return problem(EGRESS_PROBLEMS[kind], { detail, extensions, cause })
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT'])
const CERTIFICATE_CODE = /^(CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|ERR_TLS_CERT_ALTNAME_INVALID|INVALID_CA|INVALID_PURPOSE|HOSTNAME_MISMATCH)/

function findServiceError (err: unknown): ServiceError | undefined {
  for (let current = err, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    if (current instanceof ServiceError) return current
  }
  return undefined
}

/** Turns whatever a connection or request threw into one of the egress problems. */
export function toEgressError (err: unknown, target: string, timeoutMs: number): ServiceError {
  const known = findServiceError(err)
  if (known) return known
  const e = err as { name?: string, code?: string, message?: string }
  if (e?.name === 'TimeoutError' || TIMEOUT_CODES.has(e?.code ?? '')) {
    return egressError('timeout', `${target} did not answer within ${timeoutMs} ms`, { target, timeoutMs }, err)
  }
  if (CERTIFICATE_CODE.test(e?.code ?? '')) {
    return egressError('certificateInvalid', `TLS to ${target} failed: ${e.code}: ${e.message}`, { target, tlsError: e.code }, err)
  }
  return egressError('unreachable', `${target} could not be reached: ${e?.code ?? e?.name ?? 'error'}`, { target, networkError: e?.code ?? e?.name }, err)
}
