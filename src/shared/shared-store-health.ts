/**
 * Whether the shared Redis answers, per use of it. Each use (the rate limit, the AWS pacing)
 * reports every command's outcome; an outage is a warn log when it starts, an info log when it
 * ends, the `shared_store_up` gauge and a count of the decisions taken locally instead.
 */
import type { SharedStoreObserver, SharedStoreUse } from '../observability/metrics.ts'
import type { Logger } from '../observability/request-context.ts'

const FALLBACK: Record<SharedStoreUse, string> = {
  'rate-limit': 'rate limits are counted per replica until it is back',
  'aws-pacing': 'AWS calls are paced per replica until it is back'
}

export class SharedStoreHealth {
  readonly #log: Logger
  readonly #observer: SharedStoreObserver
  readonly #down = new Set<SharedStoreUse>()

  constructor (log: Logger, observer: SharedStoreObserver) {
    this.#log = log
    this.#observer = observer
    for (const use of Object.keys(FALLBACK) as SharedStoreUse[]) observer.setUp(use, true)
  }

  isUp (use: SharedStoreUse): boolean {
    return !this.#down.has(use)
  }

  succeeded (use: SharedStoreUse): void {
    if (!this.#down.delete(use)) return
    this.#observer.setUp(use, true)
    this.#log.info({ use }, `shared Redis answers again: ${use} is shared across replicas again`)
  }

  failed (use: SharedStoreUse, error: unknown): void {
    this.#observer.countFallback(use)
    if (this.#down.has(use)) return
    this.#down.add(use)
    this.#observer.setUp(use, false)
    this.#log.warn({ err: error, use }, `shared Redis does not answer: ${FALLBACK[use]}`)
  }
}
