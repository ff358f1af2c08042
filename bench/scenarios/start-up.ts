/**
 * Scenario 6: the start of the default process, the built service as `npm start` runs it on the
 * embedded store: the time from spawning node to the first /readyz 200, and the peak RSS (VmHWM)
 * by then. The first start finds an empty data directory (the database is created and migrated),
 * the later ones reopen it, as a restarted container does. The CPU time the process used by then
 * is also kept: on a shared machine the wall time grows with the load, the CPU time much less.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { median } from '../stats.ts'
import { type EmulatorProcess, memoryOf, startService } from '../processes.ts'

export const START_UP_TARGET = { maxReadySeconds: 2, maxPeakRssBytes: 150 * 1024 * 1024 }

export interface StartUpRun {
  dataDir: 'empty' | 'existing'
  readySeconds: number
  /** User + system CPU time of all the process's threads by then. */
  cpuSeconds: number
  /** VmHWM when /readyz first answered 200. */
  peakRss: number
}

export interface StartUpResult {
  runs: StartUpRun[]
  medianReadySeconds: number
  maxReadySeconds: number
  medianCpuSeconds: number
  medianPeakRss: number
  maxPeakRss: number
  /** The median start is judged (one slow start on a shared machine must not decide it); memory on the highest peak. */
  readyMet: boolean
  memoryMet: boolean
}

/** utime + stime of /proc/<pid>/stat, in clock ticks of 1/100 s (USER_HZ on Linux). */
async function cpuSecondsOf (pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1].split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}

export async function measureStartUp (emulator: EmulatorProcess, workDir: string, starts: number): Promise<StartUpResult> {
  const dataDir = join(workDir, 'start-up-store')
  const runs: StartUpRun[] = []
  for (let i = 0; i < starts; i++) {
    const began = performance.now()
    const service = await startService(emulator, { DATA_DIR: dataDir })
    const readySeconds = (performance.now() - began) / 1000
    const { peakRss } = await memoryOf(service.pid)
    const cpuSeconds = await cpuSecondsOf(service.pid)
    await service.stop()
    runs.push({ dataDir: i === 0 ? 'empty' : 'existing', readySeconds, cpuSeconds, peakRss })
  }
  const ready = runs.map(run => run.readySeconds)
  const peaks = runs.map(run => run.peakRss)
  const result = {
    runs,
    medianReadySeconds: median(ready),
    maxReadySeconds: Math.max(...ready),
    medianCpuSeconds: median(runs.map(run => run.cpuSeconds)),
    medianPeakRss: median(peaks),
    maxPeakRss: Math.max(...peaks)
  }
  return {
    ...result,
    readyMet: result.medianReadySeconds <= START_UP_TARGET.maxReadySeconds,
    memoryMet: result.maxPeakRss < START_UP_TARGET.maxPeakRssBytes
  }
}
