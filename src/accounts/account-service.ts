/**
 * GET /accounts: the registry as callers may see it (never the ExternalId), and optionally whether
 * each account is reachable: STS GetCallerIdentity with the account's credentials (through its
 * assumed role), every account at once, each bounded in time, answering which account the
 * credentials really are in.
 */
import type { StsPort } from '../aws/ports.ts'
import { ServiceError } from '../errors.ts'
import { assumeRoleProblem } from './credentials.ts'
import { withDeadline } from './deadline.ts'
import type { Account, AccountRegistry } from './registry.ts'

export interface Reachability {
  reachable: boolean
  /** The account the credentials are in, as STS says. */
  callerAccount?: string
  callerArn?: string
  /** Why the account is not reachable, or why its credentials are in another account. */
  problem?: { code: string, detail: string }
}

export interface AccountView {
  accountId?: string
  partition: string
  roleArn?: string
  hasExternalId: boolean
  regions: readonly string[]
  defaultRegion: string
  sessionDurationSeconds?: number
  name?: string
  description?: string
  default: boolean
  check?: Reachability
}

export interface AccountServiceOptions {
  registry: AccountRegistry
  /** STS with the account's own credentials. */
  stsOf: (account: Account) => StsPort
  timeoutMs: number
}

function viewOf (account: Account): AccountView {
  return {
    ...(account.accountId !== undefined ? { accountId: account.accountId } : {}),
    partition: account.partition,
    ...(account.roleArn !== undefined ? { roleArn: account.roleArn, sessionDurationSeconds: account.sessionDurationSeconds } : {}),
    hasExternalId: account.externalId !== undefined,
    regions: account.regions,
    defaultRegion: account.defaultRegion,
    ...(account.name !== undefined ? { name: account.name } : {}),
    ...(account.description !== undefined ? { description: account.description } : {}),
    default: account.isDefault
  }
}

export class AccountService {
  readonly #registry: AccountRegistry
  readonly #stsOf: (account: Account) => StsPort
  readonly #timeoutMs: number

  constructor (options: AccountServiceOptions) {
    this.#registry = options.registry
    this.#stsOf = options.stsOf
    this.#timeoutMs = options.timeoutMs
  }

  async list (options: { check: boolean }): Promise<{ accounts: AccountView[] }> {
    const accounts = this.#registry.accounts
    if (!options.check) return { accounts: accounts.map(viewOf) }
    const checks = await Promise.all(accounts.map((account) => this.#check(account)))
    return { accounts: accounts.map((account, index) => ({ ...viewOf(account), check: checks[index] })) }
  }

  async #check (account: Account): Promise<Reachability> {
    try {
      const identity = await withDeadline(this.#stsOf(account).getCallerIdentity({}), this.#timeoutMs, 'GetCallerIdentity')
      const callerAccount = identity.Account
      const elsewhere = account.accountId !== undefined && callerAccount !== account.accountId
      return {
        reachable: !elsewhere,
        ...(callerAccount !== undefined ? { callerAccount } : {}),
        ...(identity.Arn !== undefined ? { callerArn: identity.Arn } : {}),
        ...(elsewhere ? { problem: { code: 'AccountMismatch', detail: `the credentials are in account ${callerAccount}, not ${account.accountId}` } } : {})
      }
    } catch (error) {
      const problem = error instanceof ServiceError || account.roleArn === undefined ? error : assumeRoleProblem(account, error)
      const code = problem instanceof ServiceError ? problem.code : (problem as Error).name
      return { reachable: false, problem: { code, detail: (problem as Error).message } }
    }
  }
}
