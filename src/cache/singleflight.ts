/**
 * Coalesces concurrent identical work: while a call for a key is in flight, callers of the same
 * key share its promise instead of starting another. Nothing is kept once the call settles.
 */
export class Singleflight<K, V> {
  readonly #flights = new Map<K, Promise<V>>()

  /** Whether a call for `key` is in flight (a `run` now would join it). */
  has (key: K): boolean {
    return this.#flights.has(key)
  }

  run (key: K, work: () => Promise<V>): Promise<V> {
    const existing = this.#flights.get(key)
    if (existing) return existing
    // Deferred by one microtask so that even a synchronous throw settles after the flight is stored.
    const flight: Promise<V> = Promise.resolve().then(work).finally(() => {
      if (this.#flights.get(key) === flight) this.#flights.delete(key)
    })
    this.#flights.set(key, flight)
    return flight
  }
}
