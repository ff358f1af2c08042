/**
 * Which scope a request is served in, read from its SigV4 signature (signatures themselves are not
 * verified): the region of the credential scope (IAM is global, so it always reaches the account's
 * IAM), and the account of the access key. Keys the emulator issued with AssumeRole reach their
 * role's account only with their own session token and until they expire; any other key is a
 * long-term key of the default account, and an unsigned request is served as the default account
 * and region, as the suite has always sent them. Like AWS, a region the caller's account has not
 * enabled does not know its credentials.
 */
import type { IncomingMessage } from 'node:http'
import type { EmulatorAccounts } from './accounts.ts'
import { defaultCaller, type Caller } from './context.ts'

export interface SignedScope {
  accessKeyId?: string
  region?: string
  service?: string
  sessionToken?: string
}

const CREDENTIAL = /Credential=([^/\s,]+)\/\d{8}\/([^/\s,]+)\/([^/\s,]+)\/aws4_request/

/** Reads the credential scope from the Authorization header, or from a presigned query. */
export function signedScope (req: IncomingMessage, query: URLSearchParams): SignedScope {
  const header = req.headers.authorization ?? ''
  const presigned = query.get('X-Amz-Credential')
  const match = CREDENTIAL.exec(header) ?? (presigned === null ? null : CREDENTIAL.exec(`Credential=${presigned}`))
  const token = req.headers['x-amz-security-token'] ?? query.get('X-Amz-Security-Token') ?? undefined
  if (!match) return { sessionToken: Array.isArray(token) ? token[0] : token }
  return { accessKeyId: match[1], region: match[2], service: match[3], sessionToken: Array.isArray(token) ? token[0] : token }
}

export type CredentialProblem = 'invalid' | 'expired'

export interface ResolvedCaller { caller: Caller, region: string }

/** AWS issues temporary access keys with this prefix; one the emulator did not issue is unknown. */
const TEMPORARY_KEY_PREFIX = 'ASIA'

export function resolveCaller (accounts: EmulatorAccounts, scope: SignedScope, nowMs: number): ResolvedCaller | CredentialProblem {
  const resolved = callerOf(accounts, scope, nowMs)
  if (typeof resolved !== 'string' && !accounts.isRegionEnabled(resolved.caller.accountId, resolved.region)) return 'invalid'
  return resolved
}

function callerOf (accounts: EmulatorAccounts, scope: SignedScope, nowMs: number): ResolvedCaller | CredentialProblem {
  const region = scope.service === 'iam' || scope.region === undefined ? accounts.defaultRegion : scope.region
  const key = scope.accessKeyId
  if (key === undefined) return { caller: defaultCaller(accounts.defaultAccountId), region }
  const session = accounts.sessions.get(key)
  if (!session) {
    if (key.startsWith(TEMPORARY_KEY_PREFIX)) return 'invalid'
    return { caller: defaultCaller(accounts.defaultAccountId, key), region }
  }
  if (scope.sessionToken !== session.sessionToken) return 'invalid'
  if (nowMs >= session.expirationMs) return 'expired'
  return {
    caller: { accountId: session.accountId, arn: session.assumedRoleArn, userId: `${session.roleId}:${session.sessionName}`, accessKeyId: key, session },
    region
  }
}
