/**
 * The pace of an AIMD limiter: its rate and its next free call slot. `LocalPace` keeps them in
 * this process; `SharedPace` (shared-pace.ts) keeps them in the shared Redis, so that every
 * replica's calls to one AWS service take their slots from one budget.
 */
import type { Clock } from './clock.ts'

export interface PaceOptions {
  /** Calls per second at the start. */
  initialRate: number
  minRate: number
  maxRate: number
  /** Calls per second gained per second of successful calls. */
  additiveIncrease: number
  /** Factor applied to the rate on a throttle, in (0, 1). */
  multiplicativeDecrease: number
}

/** A granted call slot. */
export interface Slot {
  /** How long to wait before the call. */
  waitMs: number
  /** How many decreases the pace had seen when the slot was granted. */
  epoch: number
  /** The pace that granted it (a shared pace may grant from its local fallback). */
  from: Pace
}

export interface Pace {
  /** The rate as last known, in calls per second. */
  readonly rate: number
  take (): Promise<Slot>
  /** The call succeeded: the rate grows by additiveIncrease / rate. */
  grow (): Promise<void>
  /**
   * The call of a slot of `epoch` was throttled. Only the first throttle of an epoch decreases
   * the rate (calls already scheduled at the old rate are throttled together: one congestion
   * event); answers whether this one did.
   */
  shrink (epoch: number): Promise<boolean>
}

export class LocalPace implements Pace {
  readonly #options: PaceOptions
  readonly #clock: Clock
  #rate: number
  #nextSlotAt = -Infinity
  #epoch = 0

  constructor (options: PaceOptions, clock: Clock) {
    this.#options = options
    this.#clock = clock
    this.#rate = Math.min(options.maxRate, Math.max(options.minRate, options.initialRate))
  }

  get rate () {
    return this.#rate
  }

  async take (): Promise<Slot> {
    const now = this.#clock.now()
    const slotAt = Math.max(now, this.#nextSlotAt)
    this.#nextSlotAt = slotAt + 1000 / this.#rate
    return { waitMs: slotAt - now, epoch: this.#epoch, from: this }
  }

  async grow (): Promise<void> {
    this.#rate = Math.min(this.#options.maxRate, this.#rate + this.#options.additiveIncrease / this.#rate)
  }

  async shrink (epoch: number): Promise<boolean> {
    if (epoch !== this.#epoch) return false
    this.#epoch++
    this.#rate = Math.max(this.#options.minRate, this.#rate * this.#options.multiplicativeDecrease)
    // Slots already granted at the old rate are not recalled, but the next one waits.
    this.#nextSlotAt = Math.max(this.#nextSlotAt, this.#clock.now() + 1000 / this.#rate)
    return true
  }
}
