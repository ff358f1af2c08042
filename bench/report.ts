/** results.md: one table per scenario, each target judged as measured. */
import { mib, ms, percent, perSecond, signedMs, verdict } from './format.ts'
import type { LoadResult } from './load.ts'
import type { BenchResults } from './results-model.ts'
import type { ReadRun } from './scenarios/read-overhead.ts'

const row = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`
const table = (header: string[], rows: Array<Array<string | number>>) =>
  [row(header), row(header.map(() => '---')), ...rows.map(row)].join('\n')
const errorsOf = (load: LoadResult) => {
  const failed = Object.entries(load.statusCodes).filter(([status]) => !status.startsWith('2')).map(([status, count]) => `${count}× ${status}`)
  return [...failed, ...(load.errors ? [`${load.errors} connection errors`] : [])].join(', ') || '0'
}

function readSection (results: BenchResults): string {
  const { maxAddedP50Ms, minThroughputRatio } = results.targets.read
  const paths = (run: ReadRun) => [
    { name: 'through the service (defaults)', path: run.service },
    { name: 'through the service, `Cache-Control: no-cache`', path: run.everyCall }
  ]
  const loads = results.readOverhead.flatMap(run => [
    [run.connections, 'emulator, direct', ms(run.emulator.p50Ms), ms(run.emulator.p99Ms), perSecond(run.emulator.requestsPerSecond), run.emulator.requests, errorsOf(run.emulator)],
    ...paths(run).map(({ name, path }) => [run.connections, name, ms(path.load.p50Ms), ms(path.load.p99Ms), perSecond(path.load.requestsPerSecond), path.load.requests, errorsOf(path.load)])
  ])
  const ratios = results.readOverhead.flatMap(run => paths(run).map(({ name, path }) => [
    run.connections,
    name,
    `${signedMs(path.addedP50Ms)} (${verdict(path.addedP50Met)})`,
    signedMs(path.addedP99Ms),
    `${percent(path.throughputRatio)} (${verdict(path.throughputMet)})`
  ]))
  return [
    '## 1. Read overhead: DescribeIdentityProviderConfig',
    '',
    `\`GET /clusters/:name/identity-provider-configs/:configName\` through the service versus the same \`POST /clusters/:name/identity-provider-configs/describe\` sent straight to the emulator; autocannon, ${results.settings.loadSeconds} s per run after ${results.settings.warmupSeconds} s of warm-up. The config is ACTIVE, so with the default settings the service reuses its answer for \`CONFIG_CACHE_TTL_MS\` (1 s) and concurrent reads share one call; with \`Cache-Control: no-cache\` every GET makes its own AWS call.`,
    '',
    table(['connections', 'path', 'p50', 'p99', 'requests/s', 'requests', 'failed'], loads),
    '',
    table(['connections', 'path', `added p50 (target ≤ ${maxAddedP50Ms} ms)`, 'added p99', `service ÷ emulator throughput (target ≥ ${percent(minThroughputRatio)})`], ratios),
    '',
    `Reads answered from memory with the defaults: ${results.readOverhead.map(run => `${percent(run.reuseRatio)} at ${run.connections} connection(s)`).join(', ')}.`,
    '',
    'Where the service\'s time goes when every GET calls AWS (means from its own /metrics over the `no-cache` runs): the whole request as Fastify times it, the AWS SDK call inside it (serialisation, SigV4 signing, HTTP round trip to the emulator, parsing), and the rest (hooks, validation, serialisation of the answer).',
    '',
    table(['connections', 'request (server side)', 'AWS SDK call', 'outside the AWS call'],
      results.readOverhead.map(run => [run.connections, ms(run.serviceTime.requestMeanMs), ms(run.serviceTime.awsCallMeanMs), ms(run.serviceTime.outsideAwsCallMeanMs)])),
    '',
    `For comparison, the AWS SDK v3 EKS client calling the emulator directly from the load generator, one call at a time: p50 ${ms(results.sdkDirect.p50Ms)}, p99 ${ms(results.sdkDirect.p99Ms)}, ${perSecond(results.sdkDirect.requestsPerSecond)} (emulator over plain HTTP at 1 connection: p50 ${ms(results.readOverhead[0].emulator.p50Ms)}).`
  ].join('\n')
}

function cliSection (results: BenchResults): string {
  const head = ['## 2. Versus the AWS CLI v2, per call', '']
  if ('skipped' in results.awsCli) return [...head, `Skipped: ${results.awsCli.skipped}.`].join('\n')
  return [
    ...head,
    `Debian's \`/usr/bin/aws\` against the same emulator, one process per call as in a script (dummy credentials, \`AWS_PAGER=''\`, an empty HOME), wall time of each call, median of ${results.settings.cliCallsPerOperation}; versus the service's p50 over one keep-alive connection (describe with \`Cache-Control: no-cache\`, so that every request makes its AWS call too).`,
    '',
    table(['operation', 'AWS CLI median', 'AWS CLI calls', 'service p50', 'CLI ÷ service'],
      results.awsCli.map(op => [op.operation, ms(op.cliMedianMs), op.cliSamplesMs.map(v => v.toFixed(0)).join(', ') + ' ms', ms(op.serviceP50Ms), `${op.cliToServiceRatio.toFixed(0)}×`]))
  ].join('\n')
}

function idempotencySection (results: BenchResults): string {
  const { maxAddedP50Ms } = results.targets.idempotency
  const lines = [
    '## 3. Idempotent writes: Associate with versus without an Idempotency-Key',
    '',
    `\`POST /clusters/:name/identity-provider-configs?skipIssuerChecks=true\`, each on a cluster of its own, so that every request without a key (a body \`clientRequestToken\` instead) and every request with a fresh key does the same AWS work (adoption check, AssociateIdentityProviderConfig) and writes the same operation and audit records; the difference is the idempotency store's work (claim the key, mark the recovery point before the AWS call, store the answer). \`replay\` sends one key again and again (answered from the store, no AWS call). The three kinds are interleaved request by request, ${results.settings.writeRequestsPerKind} measured per kind and run; requests/s = connections ÷ mean latency. The target, the store adding at most ${maxAddedP50Ms} ms at p50, is judged at 1 connection, where p50 is a per-request cost rather than queueing.`,
    '',
    table(['store', 'connections', 'no key p50 / p99', 'key p50 / p99', 'replay p50 / p99', 'no key', 'key', 'replay', `added p50 (target ≤ ${maxAddedP50Ms} ms)`, 'key ÷ no key'],
      results.idempotency.map(run => {
        const { 'no key': noKey, key, replay } = run.byKind
        return [run.store, run.connections, `${ms(noKey.p50Ms)} / ${ms(noKey.p99Ms)}`, `${ms(key.p50Ms)} / ${ms(key.p99Ms)}`, `${ms(replay.p50Ms)} / ${ms(replay.p99Ms)}`,
          perSecond(noKey.requestsPerSecond), perSecond(key.requestsPerSecond), perSecond(replay.requestsPerSecond),
          signedMs(run.addedP50Ms) + (run.met === undefined ? '' : ` (${verdict(run.met)})`), percent(run.throughputRatio)]
      }))
  ]
  if ('skipped' in results.postgres) lines.push('', `PostgreSQL: skipped (${results.postgres.skipped}).`)
  return lines.join('\n')
}

function fleetSection (results: BenchResults): string {
  const { maxFloorRatio } = results.targets.fleet
  return [
    '## 4. Fleet sweep under AWS rate limits',
    '',
    `\`GET /clusters?include=oidc,identityProviderConfigs\` with the emulator limiting EKS and IAM to ${results.settings.fleetRatePerService} requests/s each (token bucket, burst ${results.settings.fleetRatePerService}). Floor = the AWS calls the sweep needed (answered, not throttled; from the service's metrics) for the busier service ÷ that rate. Throttled calls = calls the emulator received beyond those.`,
    '',
    table(['service config', 'clusters', 'total', 'floor', `total ÷ floor (target ≤ ${maxFloorRatio})`, 'failed clusters (target 0)', 'calls needed (eks / iam)', 'throttled calls', 'verdict'],
      results.fleet.map(run => [
        run.label + (Object.keys(run.serviceConfig).length ? ` (${Object.entries(run.serviceConfig).map(([k, v]) => `${k}=${v}`).join(', ')})` : ''),
        run.clusters, `${run.totalSeconds.toFixed(1)} s`, `${run.floorSeconds.toFixed(1)} s`, `${run.floorRatio.toFixed(2)}×`, run.failedClusters,
        `${run.neededCalls.eks} / ${run.neededCalls.iam}`, run.unsuccessfulCalls, verdict(run.met)
      ]))
  ].join('\n')
}

function memorySection (results: BenchResults): string {
  const connections = results.settings.readConnections
  return [
    '## 5. Service memory during the read load',
    '',
    `Resident set of the service process (\`/proc/<pid>/status\`): VmHWM, the highest RSS since the process started, which is what a container memory limit would meet; and VmRSS sampled every 100 ms. Target: < ${mib(results.targets.memory.maxPeakRssBytes)}. It is judged on scenario 1 as defined, the reads with the service's defaults, and checked against the same bound after the extra \`Cache-Control: no-cache\` reads, where every GET calls AWS.`,
    '',
    `The first row is scenario 1's own service: first its reads with the defaults at ${connections.join(' and ')} connection(s), then the \`no-cache\` reads. The other rows get scenario 1's heaviest load (the defaults, then \`no-cache\`, at ${connections.at(-1)} connections) on a service of their own. Every service runs as \`npm start\` does, node flags included, except the row that says otherwise. File-backed pages (mostly the node binary) are shared with every other node process on the host. Heap figures come from the service's /metrics after the load.`,
    '',
    table(['service', 'RSS after start', 'peak RSS sampled, defaults', 'peak RSS since start (VmHWM), defaults', 'VmHWM after the no-cache reads', 'RSS at the end: anonymous / file-backed', 'V8 heap used / total', 'external', `requests/s at ${connections.at(-1)} connections: defaults / no-cache`, 'verdict: defaults / no-cache'],
      results.memory.map(m => [m.store, mib(m.afterStartRss), mib(m.peakDuringLoadRss), mib(m.lifetimePeakRss), mib(m.everyCallPeakRss), `${mib(m.anonymousRss)} / ${mib(m.fileBackedRss)}`, `${mib(m.heapUsedBytes)} / ${mib(m.heapTotalBytes)}`, mib(m.externalBytes), `${perSecond(m.reusedRequestsPerSecond)} / ${perSecond(m.everyCallRequestsPerSecond)}`, `${verdict(m.met)} / ${verdict(m.everyCallMet)}`]))
  ].join('\n')
}

function startUpSection (results: BenchResults): string {
  const { startUp, targets } = results
  const seconds = (value: number) => `${value.toFixed(2)} s`
  return [
    '## 6. Start-up of the default process',
    '',
    `The built service as \`npm start\` runs it, on the embedded store in a data directory, started ${startUp.runs.length} times one after the other before any other scenario: the time from spawning node to the first 200 from /readyz (polled every 25 ms), the CPU time it had used by then (all threads; on a shared machine the wall time grows with the load, the CPU time much less), and the peak RSS (VmHWM). The first start finds the directory empty, the others reopen it. Targets: ready within ${seconds(targets.startUp.maxReadySeconds)} (the median), peak < ${mib(targets.startUp.maxPeakRssBytes)} (the highest).`,
    '',
    table(['start', 'data directory', 'ready after', 'CPU time by then', 'peak RSS (VmHWM)'],
      startUp.runs.map((run, i) => [String(i + 1), run.dataDir, seconds(run.readySeconds), seconds(run.cpuSeconds), mib(run.peakRss)])),
    '',
    `Median ${seconds(startUp.medianReadySeconds)} (slowest ${seconds(startUp.maxReadySeconds)}; median CPU time ${seconds(startUp.medianCpuSeconds)}): ${verdict(startUp.readyMet)}. Peak RSS median ${mib(startUp.medianPeakRss)}, highest ${mib(startUp.maxPeakRss)}: ${verdict(startUp.memoryMet)}.`
  ].join('\n')
}

export function renderMarkdown (results: BenchResults): string {
  const { machine } = results
  return [
    `# Benchmark results (${results.mode})`,
    '',
    `Generated by \`npm run bench${results.mode === 'quick' ? ' -- --quick' : ''}\` on ${results.startedAt} in ${results.totalSeconds.toFixed(0)} s. The emulator, the service and the load generator are separate processes on one machine: ${machine.cpuCount} × ${machine.cpuModel}, Node ${machine.node}, ${machine.platform}.`,
    '',
    `- Load before: \`${results.loadBefore.uptime}\``,
    `- Load after: \`${results.loadAfter.uptime}\``,
    `- Service settings besides the emulator endpoints: ${Object.entries(results.settings.serviceEnvironment).map(([k, v]) => `\`${k}=${v}\``).join(', ')}`,
    '',
    readSection(results),
    '',
    cliSection(results),
    '',
    idempotencySection(results),
    '',
    fleetSection(results),
    '',
    memorySection(results),
    '',
    startUpSection(results),
    '',
    '![chart](chart.svg)',
    ''
  ].join('\n')
}
