/**
 * What an assumed-role session says about who asked, so that CloudTrail in the target account
 * names the caller: `SourceIdentity` is the calling principal, `RoleSessionName` carries the id of
 * the request that opened the session. STS allows both 2 to 64 characters of `[\w+=,.@-]`.
 *
 * A value that fits is sent as it is. One that does not (too short, too long, or with other
 * characters, such as the `:` of `jwt:alice`) is sent as its allowed characters (others become
 * `_`), cut to 47, then `.` and the first 16 hex digits of its SHA-256: the same principal always
 * gets the same SourceIdentity, and two principals that read alike still differ.
 */
import { createHash } from 'node:crypto'

const STS_NAME = /^[\w+=,.@-]{2,64}$/
const KEPT_PREFIX = 47
const DIGEST_HEX = 16

export function stsName (value: string): string {
  if (STS_NAME.test(value)) return value
  const readable = value.replace(/[^\w+=,.@-]/g, '_').slice(0, KEPT_PREFIX)
  const digest = createHash('sha256').update(value).digest('hex').slice(0, DIGEST_HEX)
  return `${readable}.${digest}`
}

/** The principal behind background work (an operation resumed after a restart): the service itself. */
export const SERVICE_PRINCIPAL = 'eks-oidc-api'
const SESSION_PREFIX = 'eks-oidc-api-'

/** Who a session is opened for, and by which request. */
export interface SessionCaller {
  principal: string
  requestId?: string
}

export function sourceIdentityOf (caller: SessionCaller): string {
  return stsName(caller.principal)
}

export function roleSessionNameOf (caller: SessionCaller): string {
  return stsName(SESSION_PREFIX + (caller.requestId ?? 'background'))
}
