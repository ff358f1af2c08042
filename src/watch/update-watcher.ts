/**
 * Shared upstream polling of EKS updates. However many long-poll requests and event streams
 * follow one update, a single loop asks DescribeUpdate for it: at once when the first subscriber
 * arrives, then after an interval that grows ×1.5 per poll up to a ceiling. The loop stops when
 * the update reaches a terminal status, when a permanent error (such as 404) ends it, or when its
 * last subscriber leaves.
 */
import type { Update } from '@aws-sdk/client-eks'
import type { ServiceError } from '../errors.ts'
import { mapAwsError } from '../aws/errors.ts'
import { systemTimers, type TimerHandle, type Timers } from './timers.ts'

export const TERMINAL_STATUSES: ReadonlySet<string> = new Set(['Successful', 'Failed', 'Cancelled'])

export function isTerminal (update: Update) {
  return TERMINAL_STATUSES.has(update.status ?? '')
}

export type WatchEvent =
  /** The latest known state: sent to each new subscriber, then on every status change. */
  | { kind: 'state', update: Update, terminal: boolean }
  /** A failed poll. `final` errors (4xx, denied access) end the watch; the others are retried. */
  | { kind: 'error', error: ServiceError, final: boolean }
  /** The watcher was closed (the service is shutting down). */
  | { kind: 'shutdown' }

export type WatchListener = (event: WatchEvent) => void

export interface WatchSubscription {
  /** Stops listening; the last subscriber to leave stops the poll loop. Safe to call twice. */
  unsubscribe (): void
  /** Milliseconds until the shared loop next asks AWS (the coming interval when none is scheduled). */
  nextPollInMs (): number
}

export interface UpdateWatcherOptions {
  /** One DescribeUpdate call; errors may be SDK errors or ServiceErrors. */
  describeUpdate (clusterName: string, updateId: string): Promise<Update>
  initialIntervalMs: number
  maxIntervalMs: number
  /** Interval multiplier after each poll; 1.5 unless given. */
  growth?: number
  timers?: Timers
  /** Told when a listener throws; the loop and the other subscribers carry on. */
  onError?: (error: unknown) => void
}

interface Subscriber { listener: WatchListener, hasState: boolean }

interface Watch {
  clusterName: string
  updateId: string
  subscribers: Set<Subscriber>
  intervalMs: number
  timer?: TimerHandle
  nextPollAt?: number
  latest?: Update
  ended: boolean
}

/** Errors that polling again will not fix. */
const PERMANENT_SLUGS = new Set(['upstream-access-denied', 'upstream-client-error'])

function isPermanent (error: ServiceError) {
  return error.status < 500 || PERMANENT_SLUGS.has(error.slug)
}

const watchKey = (clusterName: string, updateId: string) => JSON.stringify([clusterName, updateId])

export class UpdateWatcher {
  readonly #describeUpdate: UpdateWatcherOptions['describeUpdate']
  readonly #initialIntervalMs: number
  readonly #maxIntervalMs: number
  readonly #growth: number
  readonly #timers: Timers
  readonly #onError: (error: unknown) => void
  readonly #watches = new Map<string, Watch>()
  #closed = false

  constructor (options: UpdateWatcherOptions) {
    this.#describeUpdate = options.describeUpdate
    this.#initialIntervalMs = Math.max(1, options.initialIntervalMs)
    this.#maxIntervalMs = Math.max(this.#initialIntervalMs, options.maxIntervalMs)
    this.#growth = options.growth ?? 1.5
    this.#timers = options.timers ?? systemTimers
    this.#onError = options.onError ?? (() => {})
  }

  /** Update ids with a running poll loop. */
  get watchCount () {
    return this.#watches.size
  }

  subscriberCount (clusterName: string, updateId: string) {
    return this.#watches.get(watchKey(clusterName, updateId))?.subscribers.size ?? 0
  }

  /**
   * Follows one update. The listener is never called before `subscribe` returns: a subscriber
   * joining a running loop gets the latest known state on the next microtask, without a new call.
   */
  subscribe (clusterName: string, updateId: string, listener: WatchListener): WatchSubscription {
    const subscriber: Subscriber = { listener, hasState: false }
    if (this.#closed) {
      queueMicrotask(() => this.#deliver(subscriber, { kind: 'shutdown' }))
      return { unsubscribe () {}, nextPollInMs: () => 0 }
    }
    const key = watchKey(clusterName, updateId)
    let watch = this.#watches.get(key)
    if (watch) {
      const running = watch
      queueMicrotask(() => {
        if (running.latest && !subscriber.hasState && running.subscribers.has(subscriber)) {
          this.#deliver(subscriber, { kind: 'state', update: running.latest, terminal: false })
        }
      })
    } else {
      watch = { clusterName, updateId, subscribers: new Set(), intervalMs: this.#initialIntervalMs, ended: false }
      this.#watches.set(key, watch)
      const fresh = watch
      queueMicrotask(() => this.#pollSoon(fresh))
    }
    watch.subscribers.add(subscriber)
    const subscribed = watch
    return {
      unsubscribe: () => this.#unsubscribe(subscribed, subscriber),
      nextPollInMs: () => subscribed.nextPollAt === undefined || subscribed.ended
        ? subscribed.intervalMs
        : Math.max(0, subscribed.nextPollAt - this.#timers.now())
    }
  }

  /** Stops every loop and tells every subscriber; later subscriptions are told at once. */
  close () {
    this.#closed = true
    for (const watch of [...this.#watches.values()]) this.#broadcast(this.#end(watch), { kind: 'shutdown' })
  }

  #unsubscribe (watch: Watch, subscriber: Subscriber) {
    watch.subscribers.delete(subscriber)
    if (watch.subscribers.size === 0 && !watch.ended) this.#end(watch)
  }

  /** Removes the watch and its timer; answers the subscribers it had, for a last event. */
  #end (watch: Watch) {
    watch.ended = true
    if (watch.timer !== undefined) this.#timers.clearTimeout(watch.timer)
    watch.timer = undefined
    const key = watchKey(watch.clusterName, watch.updateId)
    if (this.#watches.get(key) === watch) this.#watches.delete(key)
    const subscribers = [...watch.subscribers]
    watch.subscribers.clear()
    return subscribers
  }

  #pollSoon (watch: Watch) {
    this.#poll(watch).catch(this.#onError)
  }

  async #poll (watch: Watch) {
    if (watch.ended) return
    watch.timer = undefined
    watch.nextPollAt = undefined
    let update: Update
    try {
      update = await this.#describeUpdate(watch.clusterName, watch.updateId)
    } catch (error) {
      if (!watch.ended) this.#failed(watch, mapAwsError(error))
      return
    }
    if (!watch.ended) this.#received(watch, update)
  }

  #received (watch: Watch, update: Update) {
    const changed = watch.latest === undefined || watch.latest.status !== update.status
    // The port may hand back an object it later mutates: keep our own copy.
    watch.latest = structuredClone(update)
    const terminal = isTerminal(update)
    const event: WatchEvent = { kind: 'state', update: watch.latest, terminal }
    if (terminal) {
      this.#broadcast(this.#end(watch), event)
      return
    }
    this.#broadcast([...watch.subscribers].filter(s => changed || !s.hasState), event)
    this.#scheduleNext(watch, 0)
  }

  #failed (watch: Watch, error: ServiceError) {
    if (isPermanent(error)) {
      this.#broadcast(this.#end(watch), { kind: 'error', error, final: true })
      return
    }
    this.#broadcast([...watch.subscribers], { kind: 'error', error, final: false })
    const throttled = error.slug === 'upstream-throttled'
    this.#scheduleNext(watch, throttled ? Math.max(watch.intervalMs * 2, (error.retryAfterSeconds ?? 0) * 1000) : 0)
  }

  /** Waits the current interval (or `atLeastMs`, for throttling), then grows it for the poll after. */
  #scheduleNext (watch: Watch, atLeastMs: number) {
    if (watch.ended) return
    const delay = Math.min(this.#maxIntervalMs, Math.max(watch.intervalMs, atLeastMs))
    watch.intervalMs = Math.min(this.#maxIntervalMs, delay * this.#growth)
    watch.nextPollAt = this.#timers.now() + delay
    watch.timer = this.#timers.setTimeout(() => this.#pollSoon(watch), delay)
  }

  #broadcast (subscribers: Subscriber[], event: WatchEvent) {
    for (const subscriber of subscribers) this.#deliver(subscriber, event)
  }

  #deliver (subscriber: Subscriber, event: WatchEvent) {
    if (event.kind === 'state') subscriber.hasState = true
    try {
      subscriber.listener(event)
    } catch (error) {
      this.#onError(error)
    }
  }
}
