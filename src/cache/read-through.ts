/**
 * A read-through cache for answers that may be a moment old: a fresh entry is served from memory,
 * concurrent misses for one key share one load, and a caller that asks for a fresh answer always
 * loads (and refreshes the entry). `forget` drops entries after a write, and also keeps any load
 * that was already in flight from storing the answer it read before that write.
 */
import { Singleflight } from './singleflight.ts'
import { TtlLruCache, type TtlLruOptions } from './ttl-lru.ts'

/** Where an answer came from: memory, a load of its own, one shared with a concurrent caller, or a load the caller asked for. */
export type ReadSource = 'hit' | 'miss' | 'coalesced' | 'bypass'

export type CacheResult = 'hit' | 'miss' | 'coalesced'

/** What caches and coalescers report (the metrics count it). */
export type CacheObserver = (cache: string, result: CacheResult) => void

export interface ReadThroughOptions<V> extends TtlLruOptions {
  name: string
  /** Whether an answer may be reused (e.g. only settled states); default: every answer. */
  reusable?: (value: V) => boolean
  onEvent?: CacheObserver
}

export class ReadThroughCache<V> {
  readonly #name: string
  readonly #entries: TtlLruCache<string, V>
  readonly #loads = new Singleflight<string, V>()
  readonly #onEvent: CacheObserver
  readonly #reusable: (value: V) => boolean
  /** Bumped by `forget`: a load that began before it does not store its answer. */
  #generation = 0

  constructor (options: ReadThroughOptions<V>) {
    this.#name = options.name
    this.#entries = new TtlLruCache(options)
    this.#onEvent = options.onEvent ?? (() => {})
    this.#reusable = options.reusable ?? (() => true)
  }

  async read (key: string, load: () => Promise<V>, options: { fresh?: boolean } = {}): Promise<{ value: V, source: ReadSource }> {
    if (!options.fresh) {
      const cached = this.#entries.get(key)
      if (cached !== undefined) {
        this.#onEvent(this.#name, 'hit')
        return { value: cached, source: 'hit' }
      }
      if (this.#loads.has(key)) {
        this.#onEvent(this.#name, 'coalesced')
        return { value: await this.#loads.run(key, load), source: 'coalesced' }
      }
    }
    this.#onEvent(this.#name, 'miss')
    const value = options.fresh ? await this.#load(key, load) : await this.#loads.run(key, () => this.#load(key, load))
    return { value, source: options.fresh ? 'bypass' : 'miss' }
  }

  /** Drops every entry whose key starts with `prefix`. */
  forget (prefix: string): void {
    this.#generation++
    this.#entries.deleteWhere(key => key.startsWith(prefix))
  }

  async #load (key: string, load: () => Promise<V>): Promise<V> {
    const generation = this.#generation
    const value = await load()
    if (generation !== this.#generation) return value
    // A TTL or size of 0 keeps nothing: the entry store's own rule.
    if (this.#reusable(value)) this.#entries.set(key, value)
    else this.#entries.delete(key)
    return value
  }
}
