import type { LoadMonitor, LoadSample } from '../../src/load/load-monitor.ts'

/** A calm instance: no event-loop delay, little memory. */
export const CALM: LoadSample = { eventLoopDelayP99Ms: 0, heapUsedBytes: 50 * 1024 ** 2, rssBytes: 150 * 1024 ** 2 }

/** A load monitor that samples only when the test says so, with the values it gives. */
export function fakeLoadMonitor () {
  let listener: ((sample: LoadSample) => void) | undefined
  const monitor: LoadMonitor & { sample (sample: Partial<LoadSample>, times?: number): void } = {
    start (onSample) { listener = onSample },
    stop () { listener = undefined },
    sample (sample, times = 1) {
      for (let i = 0; i < times; i++) listener?.({ ...CALM, ...sample })
    }
  }
  return monitor
}
