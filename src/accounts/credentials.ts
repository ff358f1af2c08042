/**
 * Credentials of the registry's accounts: STS AssumeRole of each account's role, cached per
 * (account, calling principal) because the session carries the principal as its SourceIdentity,
 * and refreshed before it expires. Concurrent requests for one session share one AssumeRole
 * (single flight); a request never waits past the deadline, and a role that cannot be assumed is
 * the AccountAccessDenied (403) or AccountUnreachable (502) problem naming the account and role.
 */
import type { AssumeRoleCommandOutput } from '@aws-sdk/client-sts'
import type { StsPort } from '../aws/ports.ts'
import { problem, ServiceError } from '../errors.ts'
import { withDeadline } from './deadline.ts'
import type { Account } from './registry.ts'
import { roleSessionNameOf, sourceIdentityOf, type SessionCaller } from './session-identity.ts'

export interface SessionCredentials {
  accessKeyId: string
  secretAccessKey: string
  sessionToken: string
  expiration: Date
}

export interface AssumedRolesOptions {
  /** STS as the service's own principal. */
  sts: StsPort
  /** Bound of one AssumeRole, all SDK attempts included. */
  timeoutMs: number
  /** A session with less left than this is renewed before use (default 5 minutes). */
  refreshBeforeMs?: number
  /** Most sessions kept; the least recently opened go first (default 1000). */
  maxSessions?: number
  now?: () => number
}

/** STS refusals that mean the service may not assume the role (as opposed to not reaching STS). */
const DENIED = new Set(['AccessDenied', 'AccessDeniedException'])
const DEFAULT_REFRESH_BEFORE_MS = 5 * 60_000
const DEFAULT_MAX_SESSIONS = 1000

interface Session {
  credentials?: SessionCredentials
  renewal?: Promise<SessionCredentials>
}

const errorName = (error: unknown) => (error as { name?: string } | undefined)?.name ?? 'Error'

/** The problem of a role that could not be assumed, naming the account, the role and what STS said. */
export function assumeRoleProblem (account: Account, error: unknown): ServiceError {
  if (error instanceof ServiceError && (error.code === 'AccountAccessDenied' || error.code === 'AccountUnreachable')) return error
  const cause = errorName(error)
  const where = `account ${account.accountId} (role ${account.roleArn})`
  const extensions = { accountId: account.accountId, roleArn: account.roleArn, cause }
  if (DENIED.has(cause)) {
    return problem('AccountAccessDenied', { detail: `STS refused to let the service assume the role of ${where}: check the role's trust policy (principal, sts:ExternalId, sts:SetSourceIdentity, sts:TagSession).`, extensions, cause: error })
  }
  return problem('AccountUnreachable', { detail: `The credentials of ${where} could not be obtained (${cause}).`, extensions, cause: error })
}

function credentialsOf (output: AssumeRoleCommandOutput): SessionCredentials {
  const c = output.Credentials
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
    throw Object.assign(new Error('AssumeRole answered without complete credentials'), { name: 'IncompleteCredentials' })
  }
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: new Date(c.Expiration) }
}

export class AssumedRoles {
  readonly #sts: StsPort
  readonly #timeoutMs: number
  readonly #refreshBeforeMs: number
  readonly #maxSessions: number
  readonly #now: () => number
  readonly #sessions = new Map<string, Session>()

  constructor (options: AssumedRolesOptions) {
    this.#sts = options.sts
    this.#timeoutMs = options.timeoutMs
    this.#refreshBeforeMs = options.refreshBeforeMs ?? DEFAULT_REFRESH_BEFORE_MS
    this.#maxSessions = options.maxSessions ?? DEFAULT_MAX_SESSIONS
    this.#now = options.now ?? Date.now
  }

  /** Sessions currently kept (for tests and the memory bound). */
  get size (): number {
    return this.#sessions.size
  }

  /** Credentials of `account`'s role for `caller`: the cached session while it has time left, else a new one. */
  async credentials (account: Account, caller: SessionCaller): Promise<SessionCredentials> {
    if (account.roleArn === undefined) throw new Error(`account ${account.accountId} has no role to assume`)
    const key = `${account.accountId}\n${caller.principal}`
    const session = this.#sessions.get(key) ?? this.#open(key)
    const held = session.credentials
    const left = held ? held.expiration.getTime() - this.#now() : 0
    if (held && left > this.#refreshBeforeMs) return held
    session.renewal ??= this.#assume(account, caller).finally(() => { session.renewal = undefined })
    try {
      const fresh = await session.renewal
      session.credentials = fresh
      return fresh
    } catch (error) {
      // A failed renewal of a session that still has time left does not fail the request.
      if (held && left > 0) return held
      throw error
    }
  }

  #open (key: string): Session {
    if (this.#sessions.size >= this.#maxSessions) this.#sessions.delete(this.#sessions.keys().next().value!)
    const session: Session = {}
    this.#sessions.set(key, session)
    return session
  }

  async #assume (account: Account, caller: SessionCaller): Promise<SessionCredentials> {
    const call = this.#sts.assumeRole({
      RoleArn: account.roleArn,
      RoleSessionName: roleSessionNameOf(caller),
      SourceIdentity: sourceIdentityOf(caller),
      DurationSeconds: account.sessionDurationSeconds,
      ...(account.externalId !== undefined ? { ExternalId: account.externalId } : {})
    })
    try {
      return credentialsOf(await withDeadline(call, this.#timeoutMs, 'AssumeRole'))
    } catch (error) {
      throw assumeRoleProblem(account, error)
    }
  }
}
