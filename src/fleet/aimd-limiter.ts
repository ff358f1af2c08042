/**
 * A client-side limiter for one AWS service that adapts to throttling the way TCP adapts to
 * congestion (AIMD): calls are paced at `rate` per second and at most `maxConcurrency` at once;
 * each success adds `additiveIncrease / rate` to the rate (about +additiveIncrease per second of
 * successes), each throttle multiplies it by `multiplicativeDecrease`, and the throttled call is
 * retried after a backoff instead of failing. The rate and the next slot are the limiter's pace
 * (pace.ts): this process's own, or one shared by every replica. Framework-free.
 */
import { systemClock, type Clock } from './clock.ts'
import { LocalPace, type Pace, type PaceOptions, type Slot } from './pace.ts'

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
  /** Where the rate and the next slot live; this process unless given. */
  pace?: (options: PaceOptions) => Pace
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
  readonly #options: Required<Omit<AimdLimiterOptions, 'clock' | 'random' | 'pace'>>
  readonly #clock: Clock
  readonly #random: () => number
  readonly #pace: Pace
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
    const { initialRate, minRate, maxRate, additiveIncrease, multiplicativeDecrease } = this.#options
    const paceOptions = { initialRate, minRate, maxRate, additiveIncrease, multiplicativeDecrease }
    this.#pace = options.pace?.(paceOptions) ?? new LocalPace(paceOptions, this.#clock)
    this.#stats.lowestRate = this.#pace.rate
  }

  get rate () {
    return this.#pace.rate
  }

  stats (): AimdLimiterStats {
    return { ...this.#stats, rate: this.#pace.rate, inFlight: this.#inFlight }
  }

  async run<T> (call: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const slot = await this.#acquire()
      try {
        const result = await call()
        await slot.from.grow()
        return result
      } catch (error) {
        if (!this.#options.isThrottle(error)) throw error
        this.#stats.throttles++
        if (await slot.from.shrink(slot.epoch)) {
          this.#stats.decreases++
          this.#stats.lowestRate = Math.min(this.#stats.lowestRate, this.#pace.rate)
        }
        if (attempt >= this.#options.maxThrottleRetries) throw error
      } finally {
        this.#release()
      }
      this.#stats.retries++
      await this.#clock.sleep(this.#backoff(attempt))
    }
  }

  /** Waits for a concurrency slot and a pacing slot; answers the pacing slot. */
  async #acquire (): Promise<Slot> {
    if (this.#inFlight < this.#options.maxConcurrency) {
      this.#inFlight++
    } else {
      // #release hands its slot over directly, so #inFlight stays counted.
      await new Promise<void>(resolve => this.#waiting.push(resolve))
    }
    this.#stats.calls++
    this.#stats.maxInFlightSeen = Math.max(this.#stats.maxInFlightSeen, this.#inFlight)
    const slot = await this.#pace.take()
    if (slot.waitMs > 0) await this.#clock.sleep(slot.waitMs)
    return slot
  }

  #release () {
    const next = this.#waiting.shift()
    if (next) next()
    else this.#inFlight--
  }

  /** Exponential backoff with "equal jitter": between half and all of base * 2^attempt. */
  #backoff (attempt: number) {
    const ceiling = Math.min(this.#options.backoffMaxMs, this.#options.backoffBaseMs * 2 ** attempt)
    return ceiling / 2 + this.#random() * ceiling / 2
  }
}
