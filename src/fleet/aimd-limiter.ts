/**
 * A client-side limiter for one AWS service that adapts to throttling the way TCP adapts to
 * congestion (AIMD): calls are paced at `rate` per second and at most `maxConcurrency` at once;
 * each success adds `additiveIncrease / rate` to the rate (about +additiveIncrease per second of
 * successes), each throttle multiplies it by `multiplicativeDecrease`, and the throttled call is
 * retried after a backoff instead of failing. Framework-free.
 */
import { systemClock, type Clock } from './clock.ts'

export interface AimdLimiterOptions {
  /** Calls per second at the start. */
  initialRate: number
  minRate: number
  maxRate: number
  maxConcurrency: number
  /** Calls per second gained per second of successful calls. */
  additiveIncrease?: number
  /** Factor applied to the rate on a throttle, in (0, 1). */
  multiplicativeDecrease?: number
  /** Retries of a throttled call before its error is passed on. */
  maxThrottleRetries?: number
  backoffBaseMs?: number
  backoffMaxMs?: number
  isThrottle: (error: unknown) => boolean
  clock?: Clock
  /** In [0, 1); jitters the backoff. */
  random?: () => number
}

export interface AimdLimiterStats {
  rate: number
  lowestRate: number
  calls: number
  throttles: number
  decreases: number
  retries: number
  inFlight: number
  maxInFlightSeen: number
}

export class AimdLimiter {
  readonly #options: Required<Omit<AimdLimiterOptions, 'clock' | 'random'>>
  readonly #clock: Clock
  readonly #random: () => number
  #rate: number
  #nextSlotAt = -Infinity
  /** Bumped by every decrease; a call remembers the epoch its slot was granted in. */
  #epoch = 0
  #inFlight = 0
  readonly #waiting: Array<() => void> = []
  readonly #stats = { lowestRate: 0, calls: 0, throttles: 0, decreases: 0, retries: 0, maxInFlightSeen: 0 }

  constructor (options: AimdLimiterOptions) {
    this.#options = {
      additiveIncrease: 1,
      multiplicativeDecrease: 0.5,
      maxThrottleRetries: 6,
      backoffBaseMs: 100,
      backoffMaxMs: 5000,
      ...options
    }
    this.#clock = options.clock ?? systemClock
    this.#random = options.random ?? Math.random
    this.#rate = Math.min(options.maxRate, Math.max(options.minRate, options.initialRate))
    this.#stats.lowestRate = this.#rate
  }

  get rate () {
    return this.#rate
  }

  stats (): AimdLimiterStats {
    return { ...this.#stats, rate: this.#rate, inFlight: this.#inFlight }
  }

  async run<T> (call: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const epoch = await this.#acquire()
      try {
        const result = await call()
        this.#increase()
        return result
      } catch (error) {
        if (!this.#options.isThrottle(error)) throw error
        this.#stats.throttles++
        this.#decrease(epoch)
        if (attempt >= this.#options.maxThrottleRetries) throw error
      } finally {
        this.#release()
      }
      this.#stats.retries++
      await this.#clock.sleep(this.#backoff(attempt))
    }
  }

  /** Waits for a concurrency slot and a pacing slot; answers the epoch the slot belongs to. */
  async #acquire (): Promise<number> {
    if (this.#inFlight < this.#options.maxConcurrency) {
      this.#inFlight++
    } else {
      // #release hands its slot over directly, so #inFlight stays counted.
      await new Promise<void>(resolve => this.#waiting.push(resolve))
    }
    this.#stats.calls++
    this.#stats.maxInFlightSeen = Math.max(this.#stats.maxInFlightSeen, this.#inFlight)
    const epoch = this.#epoch
    const now = this.#clock.now()
    const slotAt = Math.max(now, this.#nextSlotAt)
    this.#nextSlotAt = slotAt + 1000 / this.#rate
    if (slotAt > now) await this.#clock.sleep(slotAt - now)
    return epoch
  }

  #release () {
    const next = this.#waiting.shift()
    if (next) next()
    else this.#inFlight--
  }

  #increase () {
    this.#rate = Math.min(this.#options.maxRate, this.#rate + this.#options.additiveIncrease / this.#rate)
  }

  /**
   * Only a call granted its slot after the last decrease may decrease again: the calls already
   * scheduled at the old rate are throttled together, and one congestion event halves the rate once.
   */
  #decrease (epoch: number) {
    if (epoch !== this.#epoch) return
    const now = this.#clock.now()
    this.#epoch++
    this.#rate = Math.max(this.#options.minRate, this.#rate * this.#options.multiplicativeDecrease)
    this.#stats.decreases++
    this.#stats.lowestRate = Math.min(this.#stats.lowestRate, this.#rate)
    // Calls already given slots at the old rate are not recalled, but the next slot waits.
    this.#nextSlotAt = Math.max(this.#nextSlotAt, now + 1000 / this.#rate)
  }

  /** Exponential backoff with "equal jitter": between half and all of base * 2^attempt. */
  #backoff (attempt: number) {
    const ceiling = Math.min(this.#options.backoffMaxMs, this.#options.backoffBaseMs * 2 ** attempt)
    return ceiling / 2 + this.#random() * ceiling / 2
  }
}
