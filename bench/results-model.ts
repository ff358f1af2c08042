/** Everything one `npm run bench` measures; written as results.json and rendered as Markdown and SVG. */
import type { LoadResult } from './load.ts'
import type { Load, machineInfo } from './machine.ts'
import type { CliOperation } from './scenarios/aws-cli.ts'
import type { FleetRun } from './scenarios/fleet-sweep.ts'
import type { StoreRun } from './scenarios/idempotency.ts'
import type { ReadRun } from './scenarios/read-overhead.ts'
import type { StartUpResult } from './scenarios/start-up.ts'

export interface MemoryFigure {
  store: string
  /** RSS right after the service answered /readyz. */
  afterStartRss: number
  /** Highest VmRSS sampled every 100 ms during the reads with the defaults. */
  peakDuringLoadRss: number
  /** VmHWM after the reads with the defaults: the highest RSS since the process started (start-up included). Judged. */
  lifetimePeakRss: number
  /** VmHWM after the extra `Cache-Control: no-cache` reads, where every GET calls AWS. */
  everyCallPeakRss: number
  /** Of the RSS at the end of the load: anonymous memory, and file-backed pages shared with other node processes. */
  anonymousRss: number
  fileBackedRss: number
  /** From the service's /metrics after the load. */
  heapUsedBytes: number
  heapTotalBytes: number
  externalBytes: number
  /** Requests/s of the heaviest load in the window: the defaults, and every GET calling AWS. */
  reusedRequestsPerSecond: number
  everyCallRequestsPerSecond: number
  /** The target, on lifetimePeakRss (scenario 1 as the issue defines it: the service's defaults). */
  met: boolean
  /** The same bound on everyCallPeakRss. */
  everyCallMet: boolean
}

export interface Skipped { skipped: string }

export interface BenchResults {
  mode: 'quick' | 'full'
  startedAt: string
  totalSeconds: number
  machine: ReturnType<typeof machineInfo>
  loadBefore: Load
  loadAfter: Load
  settings: {
    loadSeconds: number
    warmupSeconds: number
    readConnections: number[]
    /** Scenario 3 runs at each: 1 for the per-request cost, more for throughput. */
    writeConnections: number[]
    writeRequestsPerKind: number
    cliCallsPerOperation: number
    fleetClusters: number
    fleetRatePerService: number
    startUps: number
    serviceEnvironment: Record<string, string>
  }
  targets: {
    read: { maxAddedP50Ms: number, minThroughputRatio: number }
    fleet: { maxFloorRatio: number, maxFailedClusters: number }
    idempotency: { maxAddedP50Ms: number }
    memory: { maxPeakRssBytes: number }
    startUp: { maxReadySeconds: number, maxPeakRssBytes: number }
  }
  readOverhead: ReadRun[]
  /** Diagnostic: the AWS SDK's EKS client straight to the emulator, one call at a time. */
  sdkDirect: LoadResult
  awsCli: CliOperation[] | Skipped
  serviceList: LoadResult
  idempotency: StoreRun[]
  postgres: { schema: string } | Skipped
  fleet: FleetRun[]
  memory: MemoryFigure[]
  startUp: StartUpResult
}
