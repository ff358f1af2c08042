/**
 * Decides from load samples whether the instance is overloaded, and so sheds requests. Only real
 * overload counts: callbacks waiting long for their turn on the event loop (the p99 delay), or
 * memory past its limit. A loop that is busy all the time but turns over quickly is healthy, so
 * utilisation is not a signal.
 *
 * One sample over a threshold is not enough: a single long pause (a garbage collection, start-up)
 * is over by the next sample, and shedding after it would only refuse work the instance can do.
 * Shedding starts at the second sample in a row over a threshold and ends at the first under all.
 *
 * Logging is per overload, not per request: one warning when shedding starts and one when it
 * ends, with the number of requests shed, so that a storm of refused requests writes two lines.
 */
import type { OverloadReason } from '../observability/metrics.ts'
import type { Logger } from '../observability/request-context.ts'
import type { LoadSample } from './load-monitor.ts'

export interface Overload {
  reason: OverloadReason
  value: number
  threshold: number
}

/** 0 turns a threshold off. */
export interface OverloadThresholds {
  maxEventLoopDelayMs: number
  maxHeapBytes: number
  maxRssBytes: number
}

const SAMPLES_IN_A_ROW = 2

function overloadOf (sample: LoadSample, thresholds: OverloadThresholds): Overload | undefined {
  const checks: Array<[OverloadReason, number, number]> = [
    ['event_loop_delay', sample.eventLoopDelayP99Ms, thresholds.maxEventLoopDelayMs],
    ['heap', sample.heapUsedBytes, thresholds.maxHeapBytes],
    ['rss', sample.rssBytes, thresholds.maxRssBytes]
  ]
  const over = checks.find(([, value, threshold]) => threshold > 0 && value > threshold)
  return over && { reason: over[0], value: over[1], threshold: over[2] }
}

export class OverloadGuard {
  readonly #thresholds: OverloadThresholds
  readonly #log: Logger
  #overSamples = 0
  #current: Overload | undefined
  #shedSinceStart = 0

  constructor (thresholds: OverloadThresholds, log: Logger) {
    this.#thresholds = thresholds
    this.#log = log
  }

  /** The overload requests are shed for, or undefined. */
  get current (): Overload | undefined {
    return this.#current
  }

  observe (sample: LoadSample): void {
    const overload = overloadOf(sample, this.#thresholds)
    if (overload === undefined) {
      this.#overSamples = 0
      if (this.#current) this.#end()
      return
    }
    this.#overSamples++
    if (this.#current) this.#current = overload
    else if (this.#overSamples >= SAMPLES_IN_A_ROW) this.#begin(overload)
  }

  /** Counts a request refused because of the current overload. */
  countShed (): void {
    this.#shedSinceStart++
  }

  #begin (overload: Overload): void {
    this.#current = overload
    this.#shedSinceStart = 0
    this.#log.warn({ overload }, `overloaded (${overload.reason} ${Math.round(overload.value)} over ${overload.threshold}): shedding requests with 503 until it passes`)
  }

  #end (): void {
    const overload = this.#current
    this.#current = undefined
    this.#log.warn({ overload, shed: this.#shedSinceStart }, `no longer overloaded; ${this.#shedSinceStart} requests were shed`)
  }
}
