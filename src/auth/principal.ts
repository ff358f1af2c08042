/**
 * Who is calling, and what they may do. Actions form a ladder: `admin` implies `write`, which
 * implies `read` (a writer must be able to look at what it changes; an admin can do everything a
 * writer can, plus the audit trail and the operations of other principals).
 */
export const AuthAction = { READ: 'read', WRITE: 'write', ADMIN: 'admin' } as const
export type AuthAction = typeof AuthAction[keyof typeof AuthAction]

export const AUTH_ACTIONS: readonly AuthAction[] = [AuthAction.READ, AuthAction.WRITE, AuthAction.ADMIN]

const ACTION_RANK: Record<AuthAction, number> = { read: 1, write: 2, admin: 3 }

/** True when holding `granted` allows doing `wanted`. */
export function actionCovers (granted: AuthAction, wanted: AuthAction): boolean {
  return ACTION_RANK[granted] >= ACTION_RANK[wanted]
}

export type PrincipalSource = 'token' | 'jwt' | 'anonymous'

export interface Principal {
  /** Static tokens: the configured name. JWTs: `jwt:` + the principal claim. */
  name: string
  via: PrincipalSource
}

/** The one principal when authentication is disabled (AUTH_MODE=none). */
export const ANONYMOUS_PRINCIPAL: Principal = Object.freeze({ name: 'anonymous', via: 'anonymous' })

/** Prefix of JWT principal names, so they can never collide with static token names. */
export const JWT_PRINCIPAL_PREFIX = 'jwt:'

/** Shown in audit records of requests that never authenticated. */
export const UNAUTHENTICATED_PRINCIPAL_NAME = '(unauthenticated)'
