import type { Clock } from '../../src/fleet/clock.ts'

/**
 * Virtual time for limiter tests: whenever the program is idle (only timers left), the clock
 * jumps to the earliest timer. A run of seconds takes milliseconds, and its timings are exact.
 */
export class VirtualClock implements Clock {
  #now = 0
  #timers: Array<{ at: number, seq: number, resolve: () => void }> = []
  #seq = 0
  #scheduled = false

  now () {
    return this.#now
  }

  sleep (ms: number) {
    return new Promise<void>(resolve => {
      this.#timers.push({ at: this.#now + Math.max(0, ms), seq: this.#seq++, resolve })
      this.#schedule()
    })
  }

  #schedule () {
    if (this.#scheduled) return
    this.#scheduled = true
    // setImmediate runs once every pending promise reaction has run: the program is idle.
    setImmediate(() => {
      this.#scheduled = false
      this.#timers.sort((a, b) => a.at - b.at || a.seq - b.seq)
      const next = this.#timers.shift()
      if (!next) return
      this.#now = Math.max(this.#now, next.at)
      next.resolve()
      if (this.#timers.length) this.#schedule()
    })
  }
}

/** A fake AWS operation that throttles beyond `perSecond` calls in any (virtual) second. */
export function rateLimitedCall (clock: Clock, perSecond: number) {
  const accepted: number[] = []
  let throttled = 0
  const call = async () => {
    const now = clock.now()
    while (accepted.length && accepted[0] <= now - 1000) accepted.shift()
    if (accepted.length >= perSecond) {
      throttled++
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 429 } })
    }
    accepted.push(now)
    return 'ok'
  }
  return { call, throttled: () => throttled }
}
