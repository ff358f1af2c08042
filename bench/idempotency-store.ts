/**
 * Per-request overhead of the idempotency plugin: p50/p95 latency of sequential in-process
 * requests (app.inject) without a key, with a fresh key (claim + complete) and replaying a key,
 * on PGlite and, when reachable, PostgreSQL (DATABASE_URL or the local loopback server).
 *
 *   npx node bench/idempotency-store.ts [requests=500]
 */
import { randomUUID } from 'node:crypto'
import Fastify from 'fastify'
import pg from 'pg'
import idempotency from '../src/idempotency/plugin.ts'
import { createStore } from '../src/store/index.ts'
import type { Store } from '../src/store/store.ts'

const requests = Number(process.argv[2] ?? 500)
const warmup = 50
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const schema = `bench_${process.pid}`

async function buildApp (store: Store) {
  const app = Fastify({ logger: false })
  await app.register(idempotency, { store })
  app.post('/clusters/:name/configs', { config: { idempotency: 'optional' } }, async (_request, reply) => {
    reply.code(202).header('location', '/operations/1')
    return { update: { id: 'u-1', status: 'InProgress' } }
  })
  await app.ready()
  return app
}

type Scenario = 'no key' | 'fresh key' | 'replay'

async function measure (app: Awaited<ReturnType<typeof buildApp>>, scenario: Scenario): Promise<number[]> {
  const replayKey = `bench-replay-${randomUUID()}`
  const samples: number[] = []
  for (let i = 0; i < warmup + requests; i++) {
    const key = scenario === 'no key' ? undefined : scenario === 'replay' ? replayKey : `bench-${randomUUID()}`
    const started = process.hrtime.bigint()
    const response = await app.inject({
      method: 'POST',
      url: '/clusters/prod/configs',
      headers: key === undefined ? {} : { 'idempotency-key': key },
      payload: { identityProviderConfigName: 'corp', issuerUrl: 'https://idp.example.com', n: scenario === 'replay' ? 0 : i }
    })
    const elapsed = Number(process.hrtime.bigint() - started) / 1e6
    if (response.statusCode !== 202) throw new Error(`${scenario}: unexpected ${response.statusCode} ${response.body}`)
    if (i >= warmup) samples.push(elapsed)
  }
  return samples.sort((a, b) => a - b)
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]

async function postgresReachable (): Promise<boolean> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 2000 })
  try {
    await client.connect()
    return true
  } catch {
    return false
  } finally {
    await client.end().catch(() => {})
  }
}

async function dropBenchSchema (): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
  await client.end()
}

const backends: Array<{ name: string, open: () => Promise<Store> }> = [
  { name: 'PGlite (memory)', open: () => createStore() }
]
if (await postgresReachable()) {
  backends.push({ name: 'PostgreSQL', open: () => createStore({ databaseUrl, schema }) })
} else {
  console.log(`PostgreSQL not reachable at ${databaseUrl}; measuring PGlite only.`)
}

const rows: string[][] = []
for (const backend of backends) {
  const store = await backend.open()
  const app = await buildApp(store)
  try {
    const results = new Map<Scenario, number[]>()
    for (const scenario of ['no key', 'fresh key', 'replay'] as const) results.set(scenario, await measure(app, scenario))
    const baseline = percentile(results.get('no key') as number[], 0.5)
    for (const [scenario, samples] of results) {
      const p50 = percentile(samples, 0.5)
      rows.push([backend.name, scenario, p50.toFixed(3), percentile(samples, 0.95).toFixed(3), (p50 - baseline).toFixed(3)])
    }
  } finally {
    await app.close()
    await store.close()
    if (backend.name === 'PostgreSQL') await dropBenchSchema()
  }
}

const header = ['store', 'scenario', 'p50 ms', 'p95 ms', 'p50 overhead ms']
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
const line = (cells: string[]) => '| ' + cells.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |'
console.log(`\n${requests} sequential requests per scenario after ${warmup} warm-up, Node ${process.version}\n`)
console.log(line(header))
console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|')
for (const row of rows) console.log(line(row))
