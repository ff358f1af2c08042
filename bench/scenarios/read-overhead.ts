/**
 * Scenario 1 (and the memory figure of scenario 5): DescribeIdentityProviderConfig straight to the
 * emulator versus `GET /clusters/:name/identity-provider-configs/:configName` through the service,
 * at each connection count, while the service's resident memory is sampled.
 */
import { CONFIG_READ_CACHE } from '../../src/services/identity-provider-configs.ts'
import { type LoadResult, warmThenRun } from '../load.ts'
import { type Sample, scrapeMetrics, sumOf } from '../metrics.ts'
import type { EmulatorProcess, ServiceProcess } from '../processes.ts'
import { type SampledMemory, sampleMemory } from '../processes.ts'
import { CONFIG_NAME, READ_CLUSTER } from '../seed.ts'

export const READ_TARGETS = { maxAddedP50Ms: 1, minThroughputRatio: 0.5 }

/** One way of reading through the service, against the emulator's own figures. */
export interface ServicePath {
  load: LoadResult
  addedP50Ms: number
  addedP99Ms: number
  throughputRatio: number
  addedP50Met: boolean
  throughputMet: boolean
}

export interface ReadRun {
  connections: number
  emulator: LoadResult
  /** Default settings: an ACTIVE config's answer is reused for CONFIG_CACHE_TTL_MS. */
  service: ServicePath
  /** Share of the default run's reads answered from memory (the rest called EKS or joined a call). */
  reuseRatio: number
  /** `Cache-Control: no-cache` on every request: each GET makes its own DescribeIdentityProviderConfig. */
  everyCall: ServicePath
  /** Where the service's time goes when every GET calls EKS, from its own metrics. */
  serviceTime: ServiceTimeBreakdown
}

export interface ServiceTimeBreakdown {
  /** Mean time from the request's arrival to its answer, as Fastify measures it. */
  requestMeanMs: number
  /** Mean time of the DescribeIdentityProviderConfig call (SDK serialisation, signing, HTTP to the emulator, parsing). */
  awsCallMeanMs: number
  /** The rest: hooks, validation, serialisation of the answer. */
  outsideAwsCallMeanMs: number
}

export interface LoadTiming { seconds: number, warmupSeconds: number }

export const serviceDescribePath = `/clusters/${READ_CLUSTER}/identity-provider-configs/${CONFIG_NAME}`

/** The request the AWS CLI and SDK send for DescribeIdentityProviderConfig (the emulator ignores SigV4). */
export const emulatorDescribe = (emulator: EmulatorProcess) => ({
  url: `${emulator.url}/clusters/${READ_CLUSTER}/identity-provider-configs/describe`,
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ identityProviderConfig: { type: 'oidc', name: CONFIG_NAME } })
})

const ROUTE = { route: '/clusters/:name/identity-provider-configs/:configName', method: 'GET', status: '200' }
const AWS_CALL = { service: 'eks', operation: 'DescribeIdentityProviderConfig', outcome: 'success' }

function meanBetween (before: Sample[], after: Sample[], name: string, labels: Record<string, string>): number {
  const delta = (suffix: string) => sumOf(after, `${name}_${suffix}`, labels) - sumOf(before, `${name}_${suffix}`, labels)
  return delta('sum') * 1000 / delta('count')
}

function breakdown (before: Sample[], after: Sample[]): ServiceTimeBreakdown {
  const requestMeanMs = meanBetween(before, after, 'http_request_duration_seconds', ROUTE)
  const awsCallMeanMs = meanBetween(before, after, 'aws_call_duration_seconds', AWS_CALL)
  return { requestMeanMs, awsCallMeanMs, outsideAwsCallMeanMs: requestMeanMs - awsCallMeanMs }
}

const CONFIG_CACHE = { cache: CONFIG_READ_CACHE }

function pathFigures (load: LoadResult, direct: LoadResult): ServicePath {
  const addedP50Ms = load.p50Ms - direct.p50Ms
  const throughputRatio = load.requestsPerSecond / direct.requestsPerSecond
  return {
    load,
    addedP50Ms,
    addedP99Ms: load.p99Ms - direct.p99Ms,
    throughputRatio,
    addedP50Met: addedP50Ms <= READ_TARGETS.maxAddedP50Ms,
    throughputMet: throughputRatio >= READ_TARGETS.minThroughputRatio
  }
}

/** Memory sampled during the reads with the defaults, then again after the `no-cache` reads. */
export interface ReadMemory { defaults: SampledMemory, everyCall: SampledMemory }

/**
 * Every connection count with the defaults first, then every one with `no-cache`, so that the
 * memory figure of scenario 1 as the issue defines it (the defaults) is taken before the extra
 * `no-cache` runs.
 */
export async function measureReadOverhead (emulator: EmulatorProcess, service: ServiceProcess, connectionCounts: number[], timing: LoadTiming) {
  const memory = sampleMemory(service.pid)
  const describe = { url: `${service.url}${serviceDescribePath}`, durationSeconds: timing.seconds }
  const withDefaults = []
  for (const connections of connectionCounts) {
    const direct = await warmThenRun({ ...emulatorDescribe(emulator), connections, durationSeconds: timing.seconds }, timing.warmupSeconds)
    const before = await scrapeMetrics(service.url)
    const reused = await warmThenRun({ ...describe, connections }, timing.warmupSeconds)
    const after = await scrapeMetrics(service.url)
    const events = (result: string) => sumOf(after, 'cache_events_total', { ...CONFIG_CACHE, result }) - sumOf(before, 'cache_events_total', { ...CONFIG_CACHE, result })
    const hits = events('hit')
    withDefaults.push({ connections, direct, reused, reuseRatio: hits / (hits + events('miss') + events('coalesced')) })
  }
  const defaults = await memory.checkpoint()

  const runs: ReadRun[] = []
  for (const { connections, direct, reused, reuseRatio } of withDefaults) {
    const beforeEveryCall = await scrapeMetrics(service.url)
    const everyCall = await warmThenRun({ ...describe, connections, headers: { 'cache-control': 'no-cache' } }, timing.warmupSeconds)
    const serviceTime = breakdown(beforeEveryCall, await scrapeMetrics(service.url))
    runs.push({ connections, emulator: direct, service: pathFigures(reused, direct), reuseRatio, everyCall: pathFigures(everyCall, direct), serviceTime })
  }
  const readMemory: ReadMemory = { defaults, everyCall: await memory.stop() }
  return { runs, memory: readMemory }
}

/**
 * Scenario 1's service load on another service process, only to sample its memory (another store,
 * other runtime flags): the defaults, then `no-cache`, at the given connection count.
 */
/** The heaviest read load of a service, both ways of reading, and its memory meanwhile. */
export interface ReadLoadMemory {
  reused: LoadResult
  everyCall: LoadResult
  memory: ReadMemory
}

export async function readLoadMemory (service: ServiceProcess, connections: number, timing: LoadTiming): Promise<ReadLoadMemory> {
  const memory = sampleMemory(service.pid)
  const describe = { url: `${service.url}${serviceDescribePath}`, connections, durationSeconds: timing.seconds }
  const reused = await warmThenRun(describe, timing.warmupSeconds)
  const defaults = await memory.checkpoint()
  const everyCall = await warmThenRun({ ...describe, headers: { 'cache-control': 'no-cache' } }, timing.warmupSeconds)
  return { reused, everyCall, memory: { defaults, everyCall: await memory.stop() } }
}
