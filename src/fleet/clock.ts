import { setTimeout as delay } from 'node:timers/promises'

/** Time as the limiter sees it; tests inject a virtual one. */
export interface Clock {
  /** Milliseconds, monotonic. */
  now (): number
  sleep (ms: number): Promise<void>
}

export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: async (ms) => { await delay(ms) }
}
