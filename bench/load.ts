/**
 * One autocannon run with exact latencies: autocannon's own histogram keeps whole milliseconds,
 * too coarse for a 1 ms budget, so every 2xx response time (float ms) is collected here instead.
 */
import autocannon, { type AutocannonOptions } from 'autocannon'
import { percentile } from './stats.ts'

export interface LoadResult {
  connections: number
  durationSeconds: number
  requests: number
  requestsPerSecond: number
  p50Ms: number
  p99Ms: number
  meanMs: number
  non2xx: number
  errors: number
  /** Answers by HTTP status. */
  statusCodes: Record<string, number>
}

export type LoadOptions = Omit<AutocannonOptions, 'connections' | 'duration'> & { connections: number, durationSeconds: number }

export async function runLoad (options: LoadOptions): Promise<LoadResult> {
  const { durationSeconds, ...rest } = options
  const latencies: number[] = []
  const instance = autocannon({ timeout: 10, ...rest, duration: durationSeconds })
  instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime)
  })
  const result = await instance
  latencies.sort((a, b) => a - b)
  return {
    connections: options.connections,
    durationSeconds: result.duration,
    requests: latencies.length,
    requestsPerSecond: latencies.length / result.duration,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    meanMs: latencies.reduce((sum, value) => sum + value, 0) / (latencies.length || 1),
    non2xx: result.non2xx,
    errors: result.errors,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([status, { count }]) => [status, Number(count)]))
  }
}

/** A short unmeasured run first (JIT, connection pools, caches), then the measured one. */
export async function warmThenRun (options: LoadOptions, warmupSeconds: number): Promise<LoadResult> {
  await runLoad({ ...options, durationSeconds: warmupSeconds })
  return runLoad(options)
}
