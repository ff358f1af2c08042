/**
 * The clock and timers the watch modules use, injectable so tests advance time by hand instead of
 * sleeping through 5-second poll intervals and 15-second heartbeats.
 */
export type TimerHandle = unknown

export interface Timers {
  now (): number
  setTimeout (callback: () => void, ms: number): TimerHandle
  clearTimeout (handle: TimerHandle): void
}

export const systemTimers: Timers = {
  now: () => Date.now(),
  setTimeout (callback, ms) {
    // Not unref'd: each timer serves a pending request, and close() clears them all.
    return setTimeout(callback, ms)
  },
  clearTimeout (handle) {
    clearTimeout(handle as NodeJS.Timeout)
  }
}
