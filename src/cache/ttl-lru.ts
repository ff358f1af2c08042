/**
 * A bounded map whose entries expire: least recently used entries are evicted beyond `max`, and
 * an entry older than `ttlMs` reads as absent. A `ttlMs` of 0 stores nothing.
 */
export interface TtlLruOptions {
  max: number
  ttlMs: number
  /** Milliseconds; injectable for tests. */
  now?: () => number
}

export class TtlLruCache<K, V> {
  readonly #entries = new Map<K, { value: V, expiresAt: number }>()
  readonly #max: number
  readonly #ttlMs: number
  readonly #now: () => number

  constructor (options: TtlLruOptions) {
    this.#max = options.max
    this.#ttlMs = options.ttlMs
    this.#now = options.now ?? Date.now
  }

  get size () {
    return this.#entries.size
  }

  get (key: K): V | undefined {
    const entry = this.#entries.get(key)
    if (!entry) return undefined
    this.#entries.delete(key)
    if (entry.expiresAt <= this.#now()) return undefined
    // Re-inserting moves the key to the most recently used end of the Map's order.
    this.#entries.set(key, entry)
    return entry.value
  }

  set (key: K, value: V): void {
    if (this.#ttlMs <= 0 || this.#max <= 0) return
    this.#entries.delete(key)
    this.#entries.set(key, { value, expiresAt: this.#now() + this.#ttlMs })
    while (this.#entries.size > this.#max) {
      this.#entries.delete(this.#entries.keys().next().value as K)
    }
  }

  delete (key: K): void {
    this.#entries.delete(key)
  }

  deleteWhere (matches: (key: K) => boolean): void {
    for (const key of [...this.#entries.keys()]) if (matches(key)) this.#entries.delete(key)
  }
}
