/**
 * Samples what the overload guard judges: the event-loop delay (how late timers fire, which is
 * how long every callback waits for its turn), the used V8 heap and the resident set size.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks'

export interface LoadSample {
  /** The 99th percentile of the event-loop delay since the last sample, in milliseconds. */
  eventLoopDelayP99Ms: number
  heapUsedBytes: number
  rssBytes: number
}

/** Calls `onSample` at each sample until stopped; tests pass one that samples when told. */
export interface LoadMonitor {
  start (onSample: (sample: LoadSample) => void): void
  stop (): void
}

/** How often the process is sampled, in milliseconds. */
export const LOAD_SAMPLE_INTERVAL_MS = 1000
/** The delay histogram's timer period; it is part of every recorded delay and taken off again. */
const RESOLUTION_MS = 10

export function processLoadMonitor (intervalMs = LOAD_SAMPLE_INTERVAL_MS): LoadMonitor {
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS })
  let timer: NodeJS.Timeout | undefined
  return {
    start (onSample) {
      histogram.enable()
      timer = setInterval(() => {
        const p99 = histogram.count > 0 ? histogram.percentile(99) / 1e6 - RESOLUTION_MS : 0
        histogram.reset()
        const { heapUsed, rss } = process.memoryUsage()
        onSample({ eventLoopDelayP99Ms: Math.max(0, p99), heapUsedBytes: heapUsed, rssBytes: rss })
      }, intervalMs)
      timer.unref()
    },
    stop () {
      clearInterval(timer)
      histogram.disable()
    }
  }
}
