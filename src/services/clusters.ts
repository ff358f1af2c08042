import type { Cluster as SdkCluster } from '@aws-sdk/client-eks'
import { Singleflight } from '../cache/singleflight.ts'
import { TtlLruCache } from '../cache/ttl-lru.ts'
import { problem } from '../errors.ts'
import type { CacheObserver } from '../cache/read-through.ts'
import type { EksPort } from '../aws/ports.ts'
import { callAws } from '../aws/errors.ts'

export interface PageQuery { maxResults?: number, nextToken?: string }

/** A cluster as the other services need it: its ARN and OIDC issuer are always known. */
export interface ClusterIdentity {
  name: string
  arn: string
  status?: SdkCluster['status']
  issuerUrl?: string
}

export type DescribedCluster = SdkCluster & { name: string, arn: string }

/**
 * States in which a cluster's identity is settled. A cluster's ARN and issuer never change while
 * it exists; CREATING clusters may not have an issuer yet, and the others are on their way out.
 */
const CACHEABLE_STATES = new Set(['ACTIVE', 'UPDATING'])

export interface ClusterCacheOptions {
  ttlMs: number
  max: number
  now?: () => number
  onEvent?: CacheObserver
}

/**
 * Cluster identities and in-flight DescribeCluster calls, shared by every ClusterService that
 * reads the same account (the API's, and the fleet view's rate-limited one).
 */
export class ClusterCache {
  static readonly NAME = 'cluster-identity'
  readonly identities: TtlLruCache<string, Readonly<ClusterIdentity>>
  readonly describes = new Singleflight<string, DescribedCluster>()
  readonly #onEvent: CacheObserver

  constructor (options: ClusterCacheOptions = { ttlMs: 300_000, max: 1000 }) {
    this.identities = new TtlLruCache(options)
    this.#onEvent = options.onEvent ?? (() => {})
  }

  record (result: Parameters<CacheObserver>[1]) {
    this.#onEvent(ClusterCache.NAME, result)
  }
}

const identityOf = (cluster: DescribedCluster): Readonly<ClusterIdentity> =>
  Object.freeze({ name: cluster.name, arn: cluster.arn, status: cluster.status, issuerUrl: cluster.identity?.oidc?.issuer })

export class ClusterService {
  readonly #eks: EksPort
  readonly #cache: ClusterCache

  constructor (deps: { eks: EksPort, cache?: ClusterCache }) {
    this.#eks = deps.eks
    this.#cache = deps.cache ?? new ClusterCache()
  }

  async list (query: PageQuery) {
    const { clusters = [], nextToken } = await callAws(() => this.#eks.listClusters(query))
    return { clusters, nextToken }
  }

  /** Every cluster name, following nextToken to the last page. */
  async listAll (): Promise<string[]> {
    const names: string[] = []
    let nextToken: string | undefined
    do {
      const page = await this.list({ maxResults: 100, nextToken })
      names.push(...page.clusters)
      nextToken = page.nextToken
    } while (nextToken)
    return names
  }

  /**
   * A fresh DescribeCluster (status and version change), never served from the cache; concurrent
   * calls for the same cluster share one upstream call. The answer refreshes the identity cache.
   */
  async describe (name: string): Promise<DescribedCluster> {
    this.#cache.record(this.#cache.describes.has(name) ? 'coalesced' : 'miss')
    return this.#cache.describes.run(name, async () => {
      const cluster = await this.#describeUpstream(name)
      if (CACHEABLE_STATES.has(cluster.status ?? '') && cluster.identity?.oidc?.issuer) {
        this.#cache.identities.set(name, identityOf(cluster))
      } else {
        this.#cache.identities.delete(name)
      }
      return cluster
    })
  }

  /**
   * ARN, issuer and status, from the cache when fresh. The cached status may be up to the TTL old;
   * callers that must see the current status use `describe`.
   */
  async identity (name: string): Promise<ClusterIdentity> {
    const cached = this.#cache.identities.get(name)
    if (cached) {
      this.#cache.record('hit')
      return cached
    }
    return identityOf(await this.describe(name))
  }

  async #describeUpstream (name: string): Promise<DescribedCluster> {
    const { cluster } = await callAws(() => this.#eks.describeCluster({ name }))
    if (!cluster?.name || !cluster.arn) {
      throw problem('UpstreamInvalidResponse', { detail: `DescribeCluster for "${name}" returned no name or ARN.` })
    }
    return cluster as DescribedCluster
  }
}
