import type { EmulatorAccounts, SessionRecord } from './accounts.ts'
import type { EmulatorState } from './state.ts'
import type { OidcIssuerHost } from './oidc-issuer.ts'

/** Who signed a request: the default account's long-term user, or an STS session. */
export interface Caller {
  accountId: string
  /** `arn:aws:iam::<account>:user/emulator` or `arn:aws:sts::<account>:assumed-role/<role>/<session>` */
  arn: string
  userId: string
  accessKeyId?: string
  session?: SessionRecord
}

/**
 * What every emulated service reads for one request: the state of the scope the request is signed
 * for (`state`, `accountId`, `region`), every account (`accounts`, for STS), who called, the
 * issuers and the clock.
 */
export interface EmulatorContext {
  state: EmulatorState
  accounts: EmulatorAccounts
  caller: Caller
  issuers: OidcIssuerHost
  /** Milliseconds since the epoch. */
  clock: () => number
  region: string
  accountId: string
  /** How long an EKS update stays InProgress. */
  transitionDelayMs: number
}

export const DEFAULT_USER_ID = 'AIDAEMULATOREXAMPLE01'

/** The long-term identity behind any credentials the emulator did not issue. */
export function defaultCaller (accountId: string, accessKeyId?: string): Caller {
  return { accountId, arn: `arn:aws:iam::${accountId}:user/emulator`, userId: DEFAULT_USER_ID, accessKeyId }
}

/** The same emulator, seen from (account, region) as `caller`. */
export function scopedContext (base: EmulatorContext, accountId: string, region: string, caller: Caller = defaultCaller(accountId)): EmulatorContext {
  return { ...base, state: base.accounts.scope(accountId, region), accountId, region, caller }
}
