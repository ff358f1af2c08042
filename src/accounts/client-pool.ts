/**
 * One pool of AWS clients for every scope, keyed by (account, region, service): EKS per account and
 * region, IAM per account (IAM is global in a partition), STS per region for assuming roles (as the
 * service itself) and per account for checking whose credentials a scope holds. Clients are made
 * on first use, instrumented like the service's own, and bounded: past `maxClients` the least
 * recently made is destroyed (a later use makes it again). Any service may ask for the ports of a
 * scope; none builds clients of its own.
 */
import type { AwsCredentialIdentityProvider } from '@smithy/types'
import { createEksClient, createIamClient, createStsClient, type AwsClientConfig } from '../aws/clients.ts'
import type { EksPort, IamPort, StsPort } from '../aws/ports.ts'
import { instrumentEks, instrumentIam, instrumentSts } from '../observability/instrument-aws.ts'
import type { ServiceMetrics } from '../observability/metrics.ts'
import { currentRequestContext, type Logger } from '../observability/request-context.ts'
import { AssumedRoles } from './credentials.ts'
import type { Account } from './registry.ts'
import { SERVICE_PRINCIPAL, type SessionCaller } from './session-identity.ts'

/** Where a piece of work runs: an account of the registry, in one of its regions. */
export interface Scope {
  account: Account
  region: string
}

export interface ScopePorts {
  eks: EksPort
  iam: IamPort
  /** STS with the scope's own credentials (GetCallerIdentity: which account they really are in). */
  sts: StsPort
}

export interface ClientPool {
  portsOf (scope: Scope): ScopePorts
  destroy (): void
}

export const DEFAULT_MAX_CLIENTS = 256

/** The key of an account in the pool: its id, or `self` for the implicit account whose id is not known. */
export const accountKey = (account: Account) => account.accountId ?? 'self'

/** Who the current work is for: the request's principal and id, or the service itself in background work. */
function currentCaller (): SessionCaller {
  const context = currentRequestContext()
  return context ? { principal: context.principal ?? SERVICE_PRINCIPAL, requestId: context.reqId } : { principal: SERVICE_PRINCIPAL }
}

export interface ClientPoolOptions {
  config: AwsClientConfig & { ACCOUNT_CREDENTIALS_TIMEOUT_MS: number }
  metrics: ServiceMetrics
  log: Logger
  maxClients?: number
  /** Replaces the STS the service assumes roles with (tests). */
  sts?: StsPort
}

interface PooledClient { port: unknown, destroy (): void }

export function createClientPool (options: ClientPoolOptions): ClientPool {
  const { config, metrics, log } = options
  const maxClients = options.maxClients ?? DEFAULT_MAX_CLIENTS
  const clients = new Map<string, PooledClient>()
  const hubClient = options.sts ? undefined : createStsClient(config, { region: config.AWS_REGION })
  const roles = new AssumedRoles({ sts: instrumentSts(options.sts ?? hubClient!, metrics, log, { account: 'self', region: config.AWS_REGION }), timeoutMs: config.ACCOUNT_CREDENTIALS_TIMEOUT_MS })

  const credentialsOf = (account: Account): AwsCredentialIdentityProvider | undefined => {
    if (account.roleArn === undefined) return undefined
    // The SDK would otherwise keep the first caller's session for everyone: each call asks for its caller's.
    return Object.assign(() => roles.credentials(account, currentCaller()), { memoized: true })
  }

  function pooled<P> (key: string, make: () => { port: P, destroy (): void }): P {
    const found = clients.get(key)
    if (found) return found.port as P
    if (clients.size >= maxClients) {
      const [oldest, client] = clients.entries().next().value!
      clients.delete(oldest)
      client.destroy()
    }
    const made = make()
    clients.set(key, made)
    return made.port
  }

  return {
    portsOf ({ account, region }) {
      const id = accountKey(account)
      const credentials = credentialsOf(account)
      const eks = pooled(`eks ${id} ${region}`, () => {
        const client = createEksClient(config, { region, credentials })
        return { port: instrumentEks(client, metrics, log, { account: id, region }), destroy: () => client.destroy() }
      })
      const iam = pooled(`iam ${id}`, () => {
        const client = createIamClient(config, { region: account.defaultRegion, credentials })
        return { port: instrumentIam(client, metrics, log, { account: id, region: 'global' }), destroy: () => client.destroy() }
      })
      const sts = pooled(`sts ${id}`, () => {
        const client = createStsClient(config, { region: account.defaultRegion, credentials })
        return { port: instrumentSts(client, metrics, log, { account: id, region: account.defaultRegion }), destroy: () => client.destroy() }
      })
      return { eks, iam, sts }
    },
    destroy () {
      for (const client of clients.values()) client.destroy()
      clients.clear()
      hubClient?.destroy()
    }
  }
}

/** A pool answering the same ports for every scope, or those `portsOf` picks (tests on fakes). */
export function fixedClientPool (portsOf: (scope: Scope) => ScopePorts): ClientPool {
  return { portsOf, destroy () {} }
}
