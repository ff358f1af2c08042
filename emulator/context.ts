import type { EmulatorState } from './state.ts'
import type { OidcIssuerHost } from './oidc-issuer.ts'

/** What every emulated service reads: the shared state, the issuers, the clock and the account. */
export interface EmulatorContext {
  state: EmulatorState
  issuers: OidcIssuerHost
  /** Milliseconds since the epoch. */
  clock: () => number
  region: string
  accountId: string
  /** How long an EKS update stays InProgress. */
  transitionDelayMs: number
}
