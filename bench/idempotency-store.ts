/**
 * What an Idempotency-Key costs: the real app (buildApp from config, real AWS SDK clients) listening
 * on loopback, driven over HTTP, with the AWS emulator behind it. Per store (embedded PGlite in a
 * temporary data directory; PostgreSQL when reachable), the same associate POST is timed:
 * - `no key`: a body clientRequestToken instead (the store still records the operation);
 * - `key`: a fresh Idempotency-Key (claim, recovery point, completion);
 * - `replay`: one key sent again and again (answered from the store, no AWS call).
 * The three are interleaved request by request. Each request targets a cluster of its own, so every `no key` and `key` request starts a real
 * association in the emulator. The client, the app and the emulator share this Node process.
 *
 *   npx node bench/idempotency-store.ts [--quick] [--requests=N] [--concurrency=N]
 *
 * PostgreSQL: DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test, in a scratch schema
 * that is dropped at the end.
 */
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { Client } from 'undici'
import { startAwsEmulator, type AwsEmulator } from '../emulator/aws-emulator.ts'
import { buildApp } from '../src/app.ts'
import { loadConfig } from '../src/config.ts'

const { values: args } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, requests: { type: 'string' }, concurrency: { type: 'string', default: '1' } }
})
const requests = Number(args.requests ?? (args.quick ? 60 : 500))
const warmup = args.quick ? 10 : 50
const concurrency = Number(args.concurrency)
if (!(requests > 0 && concurrency > 0)) throw new Error('--requests and --concurrency must be positive integers')

const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const schema = `bench_${process.pid}`
const ASSOCIATE_BODY = { oidc: { identityProviderConfigName: 'corp', issuerUrl: 'https://idp.example.com', clientId: 'kubernetes' } }

type Scenario = 'no key' | 'key' | 'replay'
const SCENARIOS: Scenario[] = ['no key', 'key', 'replay']

interface Result { p50: number, p99: number, perSecond: number }

async function postgres<T> (url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]

/** The POST for request i of a scenario; each `no key`/`key` request has its own cluster. */
function requestFor (scenario: Scenario, run: string, i: number, replayKey: string) {
  const cluster = scenario === 'replay' ? `${run}-replay` : `${run}-${i}`
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  let body: object = ASSOCIATE_BODY
  if (scenario === 'no key') body = { ...ASSOCIATE_BODY, clientRequestToken: `bench-${randomUUID()}` }
  else headers['idempotency-key'] = scenario === 'replay' ? replayKey : `bench-${randomUUID()}`
  return { cluster, path: `/clusters/${cluster}/identity-provider-configs?skipIssuerChecks=true`, headers, body: JSON.stringify(body) }
}

/**
 * Interleaves the scenarios request by request (no key, key, replay, no key, …), so a busy machine
 * slows them alike. req/s is the closed-loop rate: concurrency / mean latency.
 */
async function measure (serviceUrl: string, emulator: AwsEmulator, run: string): Promise<Map<Scenario, Result>> {
  const total = warmup + requests
  const replayKey = `bench-replay-${randomUUID()}`
  const planned = Array.from({ length: total }, (_, i) => SCENARIOS.map((scenario) => ({ scenario, i, ...requestFor(scenario, `${run}-${scenario.replace(' ', '')}`, i, replayKey) }))).flat()
  emulator.seed({ clusters: [...new Set(planned.map((r) => r.cluster))].map((name) => ({ name })) })

  const samples = new Map<Scenario, number[]>(SCENARIOS.map((scenario) => [scenario, []]))
  let next = 0
  const worker = async () => {
    const client = new Client(serviceUrl)
    try {
      while (next < planned.length) {
        const request = planned[next++]
        const started = performance.now()
        const response = await client.request({ method: 'POST', path: request.path, headers: request.headers, body: request.body })
        const text = await response.body.text()
        if (response.statusCode !== 202) throw new Error(`${request.scenario}: unexpected ${response.statusCode} ${text}`)
        if (request.i >= warmup) samples.get(request.scenario)!.push(performance.now() - started)
      }
    } finally {
      await client.close()
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
  return new Map([...samples].map(([scenario, values]) => {
    values.sort((a, b) => a - b)
    const mean = values.reduce((sum, v) => sum + v, 0) / values.length
    return [scenario, { p50: percentile(values, 0.5), p99: percentile(values, 0.99), perSecond: (concurrency * 1000) / mean }]
  }))
}

async function benchStore (name: string, storeEnv: Record<string, string>, emulator: AwsEmulator): Promise<string[][]> {
  const config = loadConfig({
    AUTH_MODE: 'none',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    AWS_ENDPOINT_URL_EKS: emulator.url,
    AWS_ENDPOINT_URL_IAM: emulator.url,
    AWS_REGION: emulator.region,
    RATE_LIMIT_MAX: '1000000',
    MAX_EVENT_LOOP_DELAY_MS: '0',
    MAX_EVENT_LOOP_UTILIZATION: '0',
    ...storeEnv
  })
  const app = await buildApp(config)
  try {
    const serviceUrl = await app.listen({ host: '127.0.0.1', port: 0 })
    const results = await measure(serviceUrl, emulator, name.split(' ')[0].toLowerCase())
    const baseline = results.get('no key')!.p50
    return SCENARIOS.map((scenario) => {
      const { p50, p99, perSecond } = results.get(scenario)!
      return [name, scenario, p50.toFixed(2), p99.toFixed(2), perSecond.toFixed(0), scenario === 'no key' ? '–' : (p50 - baseline).toFixed(2)]
    })
  } finally {
    await app.close()
  }
}

// The SDK's default credential chain reads the environment; the emulator accepts any credentials.
process.env.AWS_ACCESS_KEY_ID ??= 'bench'
process.env.AWS_SECRET_ACCESS_KEY ??= 'bench'
process.env.AWS_EC2_METADATA_DISABLED = 'true'

const emulator = await startAwsEmulator({ port: 0 })
const rows: string[][] = []
const notes: string[] = []
try {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-pglite-'))
  try {
    rows.push(...await benchStore('PGlite (data dir)', { PGLITE_DIR: dataDir }, emulator))
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
  }

  const reachable = await postgres(databaseUrl, async (client) => { await client.query(`CREATE SCHEMA ${schema}`) }).then(() => true, (error: Error) => {
    notes.push(`PostgreSQL not measured: ${databaseUrl} unreachable (${error.message}).`)
    return false
  })
  if (reachable) {
    try {
      const url = `${databaseUrl}${databaseUrl.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`
      rows.push(...await benchStore('PostgreSQL', { DATABASE_URL: url }, emulator))
    } finally {
      await postgres(databaseUrl, (client) => client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`))
    }
  }
} finally {
  await emulator.close()
}

const header = ['store', 'request', 'p50 ms', 'p99 ms', 'req/s', 'key overhead at p50 ms']
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
const line = (cells: string[]) => '| ' + cells.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |'
console.log(`\nPOST associate over loopback HTTP to the real app, AWS emulator behind it; ${requests} requests per row after ${warmup} warm-up,`)
console.log(`rows interleaved request by request, ${concurrency} at a time; req/s = concurrency / mean latency.`)
console.log(`Node ${process.version}, ${cpus().length} CPUs, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} at the end.\n`)
console.log(line(header))
console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|')
for (const row of rows) console.log(line(row))
for (const note of notes) console.log(`\n${note}`)
