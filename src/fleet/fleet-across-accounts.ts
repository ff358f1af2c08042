/**
 * The fleet view of every account and region of the registry in one answer. Each scope (account,
 * region) is swept by its own FleetService, so each has its own EKS limiter, and every region of
 * one account shares the account's IAM limiter (IAM is global in an account): a throttled account
 * slows only its own sweeps. Scopes are swept concurrently, at most `scopeConcurrency` at once. A
 * scope that cannot be swept (role not assumable, region not enabled) is reported on that scope.
 * Each cluster says in which accounts its issuer is trusted: one ListOpenIDConnectProviders per
 * account per sweep, matched on the issuer's host and path as IAM keys the provider.
 */
import type { FleetAccountsCluster, FleetPart, FleetPartError, FleetResponse, FleetScope } from '../../schemas/fleet.ts'
import type { IamPort } from '../aws/ports.ts'
import type { Account, AccountRegistry } from '../accounts/registry.ts'
import type { Scope } from '../accounts/scopes.ts'
import { issuerHostPath } from '../services/cluster-identity.ts'
import { partError, type FleetView } from './fleet-service.ts'
import { mapConcurrent } from './map-concurrent.ts'

/** What the caller's grants let it see: whole scopes first, then clusters within them. */
export interface FleetVisibility {
  scope (scope: { accountId?: string, region: string }): boolean
  cluster (name: string, scope: { accountId?: string, region: string }): boolean
}

export interface FleetAcrossAccountsDeps {
  registry: AccountRegistry
  /** The sweep of one scope (its FleetService). */
  sweepOf: (scope: Scope) => { sweep (include: readonly FleetPart[]): Promise<FleetView> }
  /** IAM of an account, paced by that account's IAM limiter. */
  iamOf: (account: Account) => Pick<IamPort, 'listOpenIDConnectProviders'>
  scopeConcurrency: number
}

const withoutPart = ({ part: _part, ...rest }: FleetPartError) => rest

/** The host/path an IAM OIDC provider ARN names (`arn:aws:iam::123:oidc-provider/<host/path>`). */
export function providerHostPath (arn: string): string | undefined {
  const at = arn.indexOf(':oidc-provider/')
  return at === -1 ? undefined : arn.slice(at + ':oidc-provider/'.length)
}

export class FleetAcrossAccounts {
  readonly #deps: FleetAcrossAccountsDeps

  constructor (deps: FleetAcrossAccountsDeps) {
    this.#deps = deps
  }

  async sweep (include: readonly FleetPart[], visible: FleetVisibility): Promise<FleetResponse> {
    const scopes = this.#deps.registry.accounts.flatMap(account => account.regions.map(region => ({ account, region })))
      .filter(scope => visible.scope({ accountId: scope.account.accountId, region: scope.region }))
    const accounts = [...new Set(scopes.map(scope => scope.account))]
    const [swept, trust] = await Promise.all([
      mapConcurrent(scopes, this.#deps.scopeConcurrency, scope => this.#sweepScope(scope, include, visible)),
      Promise.all(accounts.map(account => this.#trustedIssuers(account)))
    ])
    const trustErrors = trust.flatMap(({ account, error }) => error ? [{ ...(account.accountId !== undefined ? { accountId: account.accountId } : {}), error }] : [])
    const fleet = swept.flatMap(({ clusters }) => clusters).map(cluster => cluster.issuerUrl === undefined
      ? cluster
      : { ...cluster, trustedInAccounts: trustingAccounts(issuerHostPath(cluster.issuerUrl, { withPort: false }), trust) })
    return {
      scopes: swept.map(({ sweep }) => sweep),
      fleet,
      ...(trustErrors.length ? { trustErrors } : {}),
      failedScopes: swept.filter(({ sweep }) => sweep.error).length,
      failedClusters: fleet.filter(cluster => cluster.errors).length
    }
  }

  async #sweepScope (scope: Scope, include: readonly FleetPart[], visible: FleetVisibility): Promise<{ sweep: FleetScope, clusters: FleetAccountsCluster[] }> {
    const names = { ...(scope.account.accountId !== undefined ? { accountId: scope.account.accountId } : {}), region: scope.region }
    try {
      const view = await this.#deps.sweepOf(scope).sweep(include)
      const clusters = view.fleet.filter(cluster => visible.cluster(cluster.name, names)).map(cluster => ({ ...names, ...cluster }))
      return { sweep: { ...names, clusters: clusters.length, failedClusters: clusters.filter(c => c.errors).length }, clusters }
    } catch (error) {
      return { sweep: { ...names, error: withoutPart(partError('cluster', error)) }, clusters: [] }
    }
  }

  async #trustedIssuers (account: Account): Promise<TrustListing> {
    try {
      const { OpenIDConnectProviderList } = await this.#deps.iamOf(account).listOpenIDConnectProviders({})
      const arns = (OpenIDConnectProviderList ?? []).flatMap(entry => entry.Arn === undefined ? [] : [entry.Arn])
      const issuers = arns.flatMap(arn => providerHostPath(arn) ?? [])
      // The implicit account's id is not in the registry; its providers' ARNs name it.
      const accountId = account.accountId ?? (arns[0] === undefined ? undefined : /^arn:[^:]+:iam::(\d{12}):/.exec(arns[0])?.[1])
      return { account, accountId, issuers: new Set(issuers) }
    } catch (error) {
      return { account, error: withoutPart(partError('oidc', error)) }
    }
  }
}

interface TrustListing {
  account: Account
  /** The account's id: the registry's, or for the implicit account the one its providers' ARNs name. */
  accountId?: string
  issuers?: Set<string>
  error?: Omit<FleetPartError, 'part'>
}

function trustingAccounts (hostPath: string, trust: TrustListing[]): string[] {
  return trust.flatMap(({ accountId, issuers }) => issuers?.has(hostPath) && accountId !== undefined ? [accountId] : [])
}
