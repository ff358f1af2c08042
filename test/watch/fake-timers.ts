/** Timers on a hand-driven clock: `advance` runs what falls due, letting promises settle between. */
import type { TimerHandle, Timers } from '../../src/watch/timers.ts'

const settle = () => new Promise<void>(resolve => setImmediate(resolve))

export class FakeTimers implements Timers {
  #now = 0
  #nextId = 0
  readonly #pending = new Map<number, { at: number, callback: () => void }>()

  now () {
    return this.#now
  }

  setTimeout (callback: () => void, ms: number): TimerHandle {
    const id = ++this.#nextId
    this.#pending.set(id, { at: this.#now + ms, callback })
    return id
  }

  clearTimeout (handle: TimerHandle) {
    this.#pending.delete(handle as number)
  }

  /** Timers not yet fired nor cleared. */
  get pendingCount () {
    return this.#pending.size
  }

  async advance (ms: number) {
    const target = this.#now + ms
    await settle()
    for (;;) {
      const due = [...this.#pending.entries()].filter(([, t]) => t.at <= target).sort(([, a], [, b]) => a.at - b.at)[0]
      if (!due) break
      this.#pending.delete(due[0])
      this.#now = due[1].at
      due[1].callback()
      await settle()
    }
    this.#now = target
    await settle()
  }
}
