/**
 * `npm run bench [-- --quick]`: starts the AWS emulator and the service as separate processes on
 * loopback, runs the five scenarios and writes results.md, results.json and chart.svg under
 * bench/results/ (bench/results/quick/ with --quick). Never part of `npm test`.
 * `npm run bench -- --scenario=fleet-accounts [--quick]` runs only the fleet sweep across accounts
 * (bench/scenarios/fleet-accounts.ts) and writes bench/results[/quick]/fleet-accounts.json.
 *
 * Env: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test; PostgreSQL is skipped
 * with a note when unreachable).
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { renderChart } from './chart.ts'
import { warmThenRun } from './load.ts'
import { currentLoad, machineInfo } from './machine.ts'
import { memoryBreakdown, scrapeMetrics } from './metrics.ts'
import { BENCH_SERVICE_SETTINGS, type Child, type EmulatorProcess, memoryOf, residentKinds, type ServiceProcess, startEmulator, startService } from './processes.ts'
import { renderMarkdown } from './report.ts'
import { sdkDirectDescribe } from './sdk-direct.ts'
import type { BenchResults, MemoryFigure } from './results-model.ts'
import { awsCliAvailable, measureAwsCli } from './scenarios/aws-cli.ts'
import { FLEET_TARGET, sweepFleet, type FleetRun } from './scenarios/fleet-sweep.ts'
import { FLEET_ACCOUNTS_TARGET, fleetAccountsRegistry, fleetAccountsSeed, sweepFleetAccounts } from './scenarios/fleet-accounts.ts'
import { IDEMPOTENCY_TARGET, measureIdempotentWrites, openPostgresSchema, type StoreRun } from './scenarios/idempotency.ts'
import { measureStartUp, START_UP_TARGET } from './scenarios/start-up.ts'
import { type LoadTiming, measureReadOverhead, READ_TARGETS, type ReadLoadMemory, readLoadMemory } from './scenarios/read-overhead.ts'
import { fleetSeed, READ_CLUSTER, requestSeed, writeSeed } from './seed.ts'
import { tempDir } from './temp-dir.ts'

const quick = process.argv.includes('--quick')
const profile = quick
  ? { loadSeconds: 1, warmupSeconds: 0.5, cliCalls: 2, fleetClusters: 20, fleetDefaults: false, unflaggedRun: false, writes: { requests: 40, warmup: 30 }, startUps: 3 }
  : { loadSeconds: 10, warmupSeconds: 2, cliCalls: 7, fleetClusters: 500, fleetDefaults: true, unflaggedRun: true, writes: { requests: 400, warmup: 150 }, startUps: 7 }
const READ_CONNECTIONS = [1, 64]
const WRITE_CONNECTIONS = [1, 16]
const FLEET_RATE = 20
/** The fleet limiter told the rate AWS allows; the documented FLEET_* variables. */
const FLEET_TUNED = { FLEET_RATE_PER_SECOND: String(FLEET_RATE), FLEET_MAX_RATE_PER_SECOND: String(FLEET_RATE) }
const MAX_PEAK_RSS_BYTES = 150 * 1024 * 1024
const DATABASE_URL = process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test'
const RESULTS_DIR = fileURLToPath(new URL(quick ? './results/quick/' : './results/', import.meta.url))

const children: Child[] = []
const track = async <T extends Child> (starting: Promise<T>): Promise<T> => {
  const child = await starting
  children.push(child)
  return child
}
const stop = async (child: Child) => {
  await child.stop()
  children.splice(children.indexOf(child), 1)
}
const log = (message: string) => console.log(`[bench ${((performance.now() - began) / 1000).toFixed(1)} s] ${message}`)
const began = performance.now()

async function memoryFigure (store: string, service: ServiceProcess, afterStartRss: number, { reused, everyCall, memory }: ReadLoadMemory): Promise<MemoryFigure> {
  const breakdown = memoryBreakdown(await scrapeMetrics(service.url))
  const kinds = await residentKinds(service.pid)
  return {
    store,
    anonymousRss: kinds.anonymous,
    fileBackedRss: kinds.fileBacked,
    afterStartRss,
    peakDuringLoadRss: memory.defaults.highestSampledRss,
    lifetimePeakRss: memory.defaults.peakRss,
    everyCallPeakRss: memory.everyCall.peakRss,
    heapUsedBytes: breakdown.heapUsedBytes,
    heapTotalBytes: breakdown.heapTotalBytes,
    externalBytes: breakdown.externalBytes,
    reusedRequestsPerSecond: reused.requestsPerSecond,
    everyCallRequestsPerSecond: everyCall.requestsPerSecond,
    met: memory.defaults.peakRss < MAX_PEAK_RSS_BYTES,
    everyCallMet: memory.everyCall.peakRss < MAX_PEAK_RSS_BYTES
  }
}

/**
 * Scenario 3 on a service process of its own, started for it (the earlier scenarios leave a grown
 * heap and warm caches behind): Associate with and without a key, at each connection count.
 */
async function measureWrites (emulator: EmulatorProcess, store: string, storeEnv: Record<string, string>): Promise<StoreRun[]> {
  const service = await track(startService(emulator, storeEnv))
  const runs: StoreRun[] = []
  for (const connections of WRITE_CONNECTIONS) {
    log(`scenario 3: idempotent writes on ${store}, ${connections} connection(s)`)
    runs.push(await measureIdempotentWrites(emulator, service, store, connections, profile.writes))
  }
  await stop(service)
  return runs
}

/**
 * Scenario 5 again on PostgreSQL, with node started without the start script's flags: what those
 * flags save (V8 otherwise sizes its heap from the host's memory and collects lazily below that).
 */
async function unflaggedMemory (emulator: EmulatorProcess, databaseUrl: string, timing: LoadTiming): Promise<MemoryFigure> {
  log('PostgreSQL service without the start script\'s node flags: read load for its memory figure')
  const unflagged = await track(startService(emulator, { DATABASE_URL: databaseUrl }, []))
  const afterStartRss = (await memoryOf(unflagged.pid)).rss
  const read = await readLoadMemory(unflagged, READ_CONNECTIONS.at(-1)!, timing)
  const figure = await memoryFigure('PostgreSQL, `node dist/src/server.js` (no flags)', unflagged, afterStartRss, read)
  await stop(unflagged)
  return figure
}

async function main (): Promise<BenchResults> {
  const startedAt = new Date().toISOString()
  const loadBefore = currentLoad()
  const timing = { seconds: profile.loadSeconds, warmupSeconds: profile.warmupSeconds }
  const dir = await tempDir('eks-oidc-api-bench-')
  let dropSchema: (() => Promise<void>) | undefined
  try {
    log(`mode ${quick ? 'quick' : 'full'}; ${loadBefore.uptime}`)
    const emulator = await track(startEmulator(await writeSeed(dir, 'requests', requestSeed())))
    // First, while nothing else of the benchmark runs yet.
    log(`scenario 6: ${profile.startUps} starts of the default process on the embedded store`)
    const startUp = await measureStartUp(emulator, dir.path, profile.startUps)
    const schema = await openPostgresSchema(DATABASE_URL)
    if ('unreachable' in schema) log(`PostgreSQL not reachable at ${DATABASE_URL} (${schema.unreachable}); its runs are skipped`)
    else dropSchema = schema.drop
    log(`emulator at ${emulator.url}; starting the service on the embedded store (memory://)${'unreachable' in schema ? '' : ` and on PostgreSQL (schema ${schema.schema})`}`)
    // Both start at once to save time; the PostgreSQL one stays idle until its turn.
    const [service, pgProcess] = await Promise.all([
      track(startService(emulator, FLEET_TUNED)),
      'unreachable' in schema ? undefined : track(startService(emulator, { ...FLEET_TUNED, DATABASE_URL: schema.url }))
    ])
    const embeddedStore = { service, afterStartRss: (await memoryOf(service.pid)).rss }
    const pg = pgProcess && 'schema' in schema ? { service: pgProcess, afterStartRss: (await memoryOf(pgProcess.pid)).rss, databaseUrl: schema.url } : undefined
    // Scenario 1 reads through the store that a deployment with more than one replica needs.
    const reader = pg ?? embeddedStore
    const readerStore = pg ? 'PostgreSQL' : 'SQLite (memory://)'

    log(`scenarios 1 and 5: read overhead and memory of the service on ${readerStore}`)
    const read = await measureReadOverhead(emulator, reader.service, READ_CONNECTIONS, timing)
    const heaviest = read.runs.at(-1)!
    const memory: MemoryFigure[] = [await memoryFigure(`${readerStore}, \`npm start\` (scenario 1)`, reader.service, reader.afterStartRss, { reused: heaviest.service.load, everyCall: heaviest.everyCall.load, memory: read.memory })]
    const sdkDirect = await sdkDirectDescribe(emulator.url, timing.seconds, timing.warmupSeconds)
    const serviceList = await warmThenRun({ url: `${reader.service.url}/clusters/${READ_CLUSTER}/identity-provider-configs`, connections: 1, durationSeconds: timing.seconds }, timing.warmupSeconds)
    if (pg) {
      await stop(pg.service)
      log('scenario 5: the same read load on the embedded store, for its memory figure')
      const embedded = await readLoadMemory(service, READ_CONNECTIONS.at(-1)!, timing)
      memory.push(await memoryFigure('SQLite (memory://), `npm start`', service, embeddedStore.afterStartRss, embedded))
    }

    log('scenario 2: AWS CLI')
    const awsCli = await awsCliAvailable()
      ? await measureAwsCli(emulator, profile.cliCalls, { DescribeIdentityProviderConfig: read.runs[0].everyCall.load, ListIdentityProviderConfigs: serviceList })
      : { skipped: '/usr/bin/aws is not installed' }

    log(`scenario 4: fleet sweep of ${profile.fleetClusters} clusters at ${FLEET_RATE} requests/s per service`)
    await emulator.admin('POST', 'seed', fleetSeed(profile.fleetClusters).seed)
    const fleet: FleetRun[] = [await sweepFleet(emulator, service, { label: 'FLEET_* set to the allowed rate', rate: FLEET_RATE, serviceConfig: FLEET_TUNED })]
    if (profile.fleetDefaults) {
      log('scenario 4 again with the default FLEET_* settings (fresh service, cold cache)')
      const defaults = await track(startService(emulator))
      fleet.push(await sweepFleet(emulator, defaults, { label: 'FLEET_* defaults', rate: FLEET_RATE, serviceConfig: {} }))
      await stop(defaults)
    }

    // After every fleet sweep: scenario 3 seeds a cluster per request, which a sweep would list.
    await stop(service)
    const idempotency = await measureWrites(emulator, 'SQLite (a file, the default)', { DATA_DIR: join(dir.path, 'writes-store') })
    if (pg) {
      if (profile.unflaggedRun) memory.push(await unflaggedMemory(emulator, pg.databaseUrl, timing))
      idempotency.push(...await measureWrites(emulator, 'PostgreSQL', { DATABASE_URL: pg.databaseUrl }))
    }
    await stop(emulator)

    return {
      mode: quick ? 'quick' : 'full',
      startedAt,
      totalSeconds: (performance.now() - began) / 1000,
      machine: machineInfo(),
      loadBefore,
      loadAfter: currentLoad(),
      settings: {
        loadSeconds: profile.loadSeconds,
        warmupSeconds: profile.warmupSeconds,
        readConnections: READ_CONNECTIONS,
        writeConnections: WRITE_CONNECTIONS,
        writeRequestsPerKind: profile.writes.requests,
        cliCallsPerOperation: profile.cliCalls,
        fleetClusters: profile.fleetClusters,
        fleetRatePerService: FLEET_RATE,
        startUps: profile.startUps,
        serviceEnvironment: { ...BENCH_SERVICE_SETTINGS }
      },
      targets: { read: READ_TARGETS, fleet: FLEET_TARGET, idempotency: IDEMPOTENCY_TARGET, memory: { maxPeakRssBytes: MAX_PEAK_RSS_BYTES }, startUp: START_UP_TARGET },
      readOverhead: read.runs,
      sdkDirect,
      awsCli,
      serviceList,
      idempotency,
      postgres: 'unreachable' in schema ? { skipped: `PostgreSQL not reachable at ${DATABASE_URL}: ${schema.unreachable}` } : { schema: schema.schema },
      fleet,
      memory,
      startUp
    }
  } finally {
    for (const child of [...children].reverse()) await child.stop().catch(() => {})
    await dropSchema?.().catch((error: Error) => log(`could not drop the PostgreSQL schema: ${error.message}`))
    await dir.remove()
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    Promise.all(children.map(child => child.stop())).finally(() => process.exit(130))
  })
}

/** Scenario 7 alone: the fleet view over 2 accounts × 2 regions, one account throttled. */
async function fleetAccountsOnly () {
  const dir = await tempDir('eks-oidc-api-bench-')
  try {
    const clustersPerScope = quick ? 5 : 25
    const emulator = await track(startEmulator(await writeSeed(dir, 'fleet-accounts', fleetAccountsSeed(clustersPerScope))))
    const serviceConfig = { ...FLEET_TUNED, FLEET_SCOPE_CONCURRENCY: '4' }
    const service = await track(startService(emulator, { ...serviceConfig, ACCOUNTS: fleetAccountsRegistry(), AWS_ENDPOINT_URL_STS: emulator.url }))
    const loadBefore = currentLoad()
    log(`fleet across accounts: ${4 * clustersPerScope} clusters, account 444455556666 throttled at 5 requests/s`)
    const run = await sweepFleetAccounts(emulator, service, { clustersPerScope, throttledRate: 5, serviceConfig })
    return { mode: quick ? 'quick' : 'full', machine: machineInfo(), loadBefore, loadAfter: currentLoad(), target: FLEET_ACCOUNTS_TARGET, run }
  } finally {
    for (const child of [...children].reverse()) await child.stop().catch(() => {})
    await dir.remove()
  }
}

if (process.argv.includes('--scenario=fleet-accounts')) {
  const result = await fleetAccountsOnly()
  await mkdir(RESULTS_DIR, { recursive: true })
  await writeFile(join(RESULTS_DIR, 'fleet-accounts.json'), JSON.stringify(result, null, 2) + '\n')
  console.log(JSON.stringify(result, null, 2))
  process.exit(0)
}

const results = await main()
await mkdir(RESULTS_DIR, { recursive: true })
await writeFile(join(RESULTS_DIR, 'results.json'), JSON.stringify(results, null, 2) + '\n')
await writeFile(join(RESULTS_DIR, 'results.md'), renderMarkdown(results))
await writeFile(join(RESULTS_DIR, 'chart.svg'), renderChart(results))
console.log(renderMarkdown(results))
log(`wrote ${RESULTS_DIR}results.{md,json} and chart.svg`)
