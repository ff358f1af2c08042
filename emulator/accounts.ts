/**
 * Every account and region the emulator holds: per account its IAM (global) and its regions'
 * EKS states, made on first use, plus the STS sessions issued so far (by access key id) and the
 * log of who made each call. The default account and region are what unsigned requests and
 * long-term credentials reach, and what the single-account helpers (`emulator.state`) act on.
 */
import { EmulatorState, IamAccountState, type IdentityProviderRecord, type TagMap } from './state.ts'

export interface SessionRecord {
  accessKeyId: string
  secretAccessKey: string
  sessionToken: string
  accountId: string
  roleArn: string
  roleId: string
  sessionName: string
  /** `arn:aws:sts::<account>:assumed-role/<role>/<session>` */
  assumedRoleArn: string
  sourceIdentity?: string
  /** The principal that called AssumeRole. */
  issuedTo: string
  issuedAtMs: number
  expirationMs: number
  tags: TagMap
  transitiveTagKeys: string[]
}

/** One received AWS call and who made it, as CloudTrail in that account would record it. */
export interface CallLogEntry {
  operation: string
  accountId: string
  region: string
  principalArn: string
  accessKeyId?: string
  sessionName?: string
  sourceIdentity?: string
  atMs: number
}

interface AccountRecord {
  iam: IamAccountState
  regions: Map<string, EmulatorState>
  disabledRegions: Set<string>
}

/** The log is for tests; a long benchmark must not grow it without end. */
const MAX_CALL_LOG = 10_000

export const ACCOUNT_ID_PATTERN = /^\d{12}$/
export const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/

export class EmulatorAccounts {
  readonly defaultAccountId: string
  readonly defaultRegion: string
  /** External identity providers are not AWS resources: one set for every scope. */
  readonly identityProviders = new Map<string, IdentityProviderRecord>()
  readonly sessions = new Map<string, SessionRecord>()
  readonly callLog: CallLogEntry[] = []
  readonly #accounts = new Map<string, AccountRecord>()

  constructor (defaultAccountId: string, defaultRegion: string) {
    this.defaultAccountId = defaultAccountId
    this.defaultRegion = defaultRegion
    this.addAccount(defaultAccountId)
  }

  /** Adds an account (idempotent); `disabledRegions` are opt-in regions the account has not enabled. */
  addAccount (accountId: string, options: { disabledRegions?: string[] } = {}): void {
    if (!ACCOUNT_ID_PATTERN.test(accountId)) throw new Error(`account id must be 12 digits: ${accountId}`)
    const account = this.#accounts.get(accountId) ?? { iam: new IamAccountState(), regions: new Map(), disabledRegions: new Set() }
    for (const region of options.disabledRegions ?? []) account.disabledRegions.add(region)
    this.#accounts.set(accountId, account)
  }

  hasAccount (accountId: string): boolean {
    return this.#accounts.has(accountId)
  }

  accountIds (): string[] {
    return [...this.#accounts.keys()]
  }

  isRegionEnabled (accountId: string, region: string): boolean {
    return !this.#accounts.get(accountId)?.disabledRegions.has(region)
  }

  disabledRegions (accountId: string): string[] {
    return [...this.#accounts.get(accountId)?.disabledRegions ?? []]
  }

  /** The regions of an account that hold state so far. */
  regionsOf (accountId: string): string[] {
    return [...this.#accounts.get(accountId)?.regions.keys() ?? []]
  }

  /** The EKS state of (account, region) with the account's IAM; both are made on first use. */
  scope (accountId: string, region: string): EmulatorState {
    this.addAccount(accountId)
    const account = this.#accounts.get(accountId) as AccountRecord
    let state = account.regions.get(region)
    if (!state) account.regions.set(region, state = new EmulatorState({ accountId, region }, account.iam, this.identityProviders))
    return state
  }

  get defaultState (): EmulatorState {
    return this.scope(this.defaultAccountId, this.defaultRegion)
  }

  /** Every regional state of every account, e.g. to find a cluster by its issuer. */
  allStates (): EmulatorState[] {
    return [...this.#accounts.values()].flatMap(account => [...account.regions.values()])
  }

  recordCall (entry: CallLogEntry): void {
    this.callLog.push(entry)
    if (this.callLog.length > MAX_CALL_LOG) this.callLog.splice(0, this.callLog.length - MAX_CALL_LOG)
  }

  clearCallLog (): void {
    this.callLog.length = 0
  }

  /**
   * Forgets every account but the default one, every session and the log. The default scope keeps
   * its objects (emptied), so references to `emulator.state` stay live across a reset.
   */
  clear (): void {
    const keep = this.defaultState
    keep.clear()
    for (const id of [...this.#accounts.keys()]) if (id !== this.defaultAccountId) this.#accounts.delete(id)
    const account = this.#accounts.get(this.defaultAccountId) as AccountRecord
    account.regions.clear()
    account.regions.set(this.defaultRegion, keep)
    account.disabledRegions.clear()
    this.sessions.clear()
    this.clearCallLog()
  }
}
