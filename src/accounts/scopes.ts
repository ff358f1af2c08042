/**
 * Scopes: an account of the registry in one of its regions. The resolver turns what a request or a
 * record names into a scope (or the AccountNotFound / RegionNotAllowed problem); the directory keeps
 * one set of services per scope, made on first use, so that each scope has caches of its own.
 */
import { problem } from '../errors.ts'
import { accountKey, type Scope } from './client-pool.ts'
import type { Account, AccountRegistry } from './registry.ts'

export type { Scope }

export const scopeKey = (scope: Scope) => `${accountKey(scope.account)} ${scope.region}`

/** What grants and records know of a scope: the account id (when known) and the region. */
export const scopeNames = (scope: Scope) => ({ accountId: scope.account.accountId, region: scope.region })

export interface ScopeResolverOptions {
  registry: AccountRegistry
  /** The id of the account the service's own credentials are in (GetCallerIdentity), for the implicit registry. */
  ownAccountId: () => Promise<string>
}

export class ScopeResolver {
  readonly registry: AccountRegistry
  readonly #ownAccountId: () => Promise<string>
  #learned?: Promise<string>

  constructor (options: ScopeResolverOptions) {
    this.registry = options.registry
    this.#ownAccountId = options.ownAccountId
  }

  /** The scope of `/clusters/...`: the default account in its default region. */
  get defaultScope (): Scope {
    const account = this.registry.defaultAccount
    return { account, region: account.defaultRegion }
  }

  /** The scope named by `/accounts/{accountId}/regions/{region}`; throws a 404 problem naming the parameter. */
  async resolve (accountId: string, region: string): Promise<Scope> {
    const account = this.registry.implicit ? await this.#implicitAccount(accountId) : this.registry.find(accountId)
    if (account === undefined) {
      throw problem('AccountNotFound', {
        detail: `Account ${JSON.stringify(accountId.slice(0, 12))} is not in the service's account registry.`,
        errors: [{ pointer: '/params/accountId', detail: 'must be an account of the registry (GET /accounts lists them)' }]
      })
    }
    if (!account.regions.includes(region)) {
      throw problem('RegionNotAllowed', {
        detail: `Region ${JSON.stringify(region.slice(0, 32))} is not allowed for account ${account.accountId ?? accountId}: its regions are ${account.regions.join(', ')}.`,
        errors: [{ pointer: '/params/region', detail: `must be one of ${account.regions.join(', ')}` }]
      })
    }
    return { account, region }
  }

  /** The scope an operation record was written in; records older than the registry belong to the default scope. */
  ofRecord (record: { accountId: string | null, region: string | null }): Scope {
    // The implicit account's records carry no id: they are the default account's.
    const account = record.accountId === null ? this.registry.defaultAccount : this.registry.find(record.accountId)
    if (account === undefined) throw problem('AccountNotFound', { detail: `Account ${record.accountId} of the operation is no longer in the account registry.` })
    return { account, region: record.region ?? account.defaultRegion }
  }

  /** The implicit account answers to its own id only, learned once (a failure is retried next time). */
  async #implicitAccount (accountId: string): Promise<Account | undefined> {
    this.#learned ??= this.#ownAccountId().catch((error: unknown) => {
      this.#learned = undefined
      throw error
    })
    return await this.#learned === accountId ? this.registry.defaultAccount : undefined
  }
}

/** One value per scope (a service set), made on first use and kept for the life of the process. */
export class ScopeDirectory<T> {
  readonly #make: (scope: Scope) => T
  readonly #made = new Map<string, T>()

  constructor (make: (scope: Scope) => T) {
    this.#make = make
  }

  of (scope: Scope): T {
    const key = scopeKey(scope)
    let value = this.#made.get(key)
    if (value === undefined) {
      value = this.#make(scope)
      this.#made.set(key, value)
    }
    return value
  }

  /** Every value made so far (to close them). */
  values (): T[] {
    return [...this.#made.values()]
  }
}
