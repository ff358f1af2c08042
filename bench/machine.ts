/** What the reader needs to judge the figures: the machine, and how busy it was. */
import { execFileSync } from 'node:child_process'
import { cpus, loadavg, totalmem } from 'node:os'

export interface Load { uptime: string, loadAverage: number[] }

export function currentLoad (): Load {
  let uptime: string
  try {
    uptime = execFileSync('uptime', { encoding: 'utf8' }).trim()
  } catch {
    uptime = '(uptime not available)'
  }
  return { uptime, loadAverage: loadavg().map(value => Number(value.toFixed(2))) }
}

export function machineInfo () {
  const cores = cpus()
  return {
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpuModel: cores[0]?.model ?? 'unknown',
    cpuCount: cores.length,
    memoryBytes: totalmem()
  }
}
