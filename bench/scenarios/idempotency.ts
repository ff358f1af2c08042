/**
 * Scenario 3: what an Idempotency-Key costs on Associate (`POST /clusters/:name/identity-provider-configs`), per store.
 *
 * Every measured request associates a config on a cluster of its own (seeded in the emulator just
 * before), so a request with a key and one without do the same AWS work (the adoption check and
 * one AssociateIdentityProviderConfig) and write the same operation and audit records. What differs
 * is the idempotency store's work: claim the key, mark the recovery point before the AWS call and
 * store the answer. Three kinds of request are interleaved one by one, so that drift in the
 * machine's load hits them alike:
 * - `no key`: a body clientRequestToken instead of the header;
 * - `key`: a fresh Idempotency-Key;
 * - `replay`: one key sent again and again (answered from the store, no AWS call).
 * Each round sends one of each, in the next of the six orders.
 * Requests/s per kind is the closed-loop rate: connections ÷ mean latency.
 */
import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { Client } from 'undici'
import type { EmulatorProcess, ServiceProcess } from '../processes.ts'
import { CONFIG_NAME } from '../seed.ts'
import { percentile } from '../stats.ts'

export const IDEMPOTENCY_TARGET = { maxAddedP50Ms: 2 }

export const WRITE_KINDS = ['no key', 'key', 'replay'] as const
export type WriteKind = typeof WRITE_KINDS[number]

export interface WriteFigures { requests: number, p50Ms: number, p99Ms: number, requestsPerSecond: number }

export interface StoreRun {
  store: string
  connections: number
  byKind: Record<WriteKind, WriteFigures>
  /** p50 with a fresh key − p50 without one. */
  addedP50Ms: number
  /** Requests/s with a fresh key ÷ without one. */
  throughputRatio: number
  /** Judged at one connection only, where p50 is a per-request cost rather than queueing. */
  met?: boolean
}

export interface WriteCounts { requests: number, warmup: number }

const ASSOCIATE_BODY = {
  oidc: { identityProviderConfigName: CONFIG_NAME, issuerUrl: 'https://idp.example.com', clientId: 'kubernetes' }
}

interface PlannedRequest { kind: WriteKind, measured: boolean, path: string, headers: Record<string, string>, body: string }

/**
 * The kinds in an order that changes from round to round, so that each kind follows each other
 * kind equally often: a request pays for the work its predecessor left after answering (operation
 * and audit records), which differs by kind.
 */
function shuffled<T> (items: readonly T[], round: number): T[] {
  const orders = permutations(items)
  return orders[round % orders.length]
}

function permutations<T> (items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]]
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map(rest => [item, ...rest]))
}

function plan (counts: WriteCounts): { requests: PlannedRequest[], clusters: string[], primeReplay: PlannedRequest } {
  const run = `w${process.hrtime.bigint().toString(36)}`
  const replayKey = `bench-replay-${randomUUID()}`
  const clusters = [`${run}-replay`]
  const requests: PlannedRequest[] = []
  for (let i = 0; i < counts.warmup + counts.requests; i++) {
    for (const kind of shuffled(WRITE_KINDS, i)) {
      const cluster = kind === 'replay' ? `${run}-replay` : `${run}-${kind === 'key' ? 'k' : 'n'}${i}`
      if (kind !== 'replay') clusters.push(cluster)
      const headers: Record<string, string> = { 'content-type': 'application/json' }
      let body: object = ASSOCIATE_BODY
      if (kind === 'no key') body = { ...ASSOCIATE_BODY, clientRequestToken: `bench-${randomUUID()}` }
      else headers['idempotency-key'] = kind === 'replay' ? replayKey : `bench-${randomUUID()}`
      requests.push({ kind, measured: i >= counts.warmup, path: `/clusters/${cluster}/identity-provider-configs?skipIssuerChecks=true`, headers, body: JSON.stringify(body) })
    }
  }
  // The replayed key's first request runs alone first: its twins would otherwise meet it in progress (409).
  return { requests, clusters, primeReplay: requests.find(request => request.kind === 'replay')! }
}

function figures (latencies: number[], connections: number): WriteFigures {
  const sorted = [...latencies].sort((a, b) => a - b)
  const mean = sorted.reduce((sum, value) => sum + value, 0) / (sorted.length || 1)
  return { requests: sorted.length, p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99), requestsPerSecond: (connections * 1000) / mean }
}

export async function measureIdempotentWrites (emulator: EmulatorProcess, service: ServiceProcess, store: string, connections: number, counts: WriteCounts): Promise<StoreRun> {
  const { requests, clusters, primeReplay } = plan(counts)
  await emulator.admin('POST', 'seed', { clusters: clusters.map(name => ({ name })) })

  const latencies = new Map<WriteKind, number[]>(WRITE_KINDS.map(kind => [kind, []]))
  const send = async (client: Client, request: PlannedRequest) => {
    const started = performance.now()
    const response = await client.request({ method: 'POST', path: request.path, headers: request.headers, body: request.body })
    const text = await response.body.text()
    if (response.statusCode !== 202) throw new Error(`scenario 3 (${store}, ${request.kind}): expected 202, got ${response.statusCode} ${text}`)
    return performance.now() - started
  }
  let next = 0
  const worker = async (client: Client) => {
    while (next < requests.length) {
      const request = requests[next++]
      const elapsed = await send(client, request)
      if (request.measured) latencies.get(request.kind)!.push(elapsed)
    }
  }
  const clients = Array.from({ length: connections }, () => new Client(service.url))
  try {
    await send(clients[0], primeReplay)
    await Promise.all(clients.map(worker))
  } finally {
    await Promise.all(clients.map(client => client.close()))
  }

  const byKind = Object.fromEntries(WRITE_KINDS.map(kind => [kind, figures(latencies.get(kind)!, connections)])) as Record<WriteKind, WriteFigures>
  const addedP50Ms = byKind.key.p50Ms - byKind['no key'].p50Ms
  return {
    store,
    connections,
    byKind,
    addedP50Ms,
    throughputRatio: byKind.key.requestsPerSecond / byKind['no key'].requestsPerSecond,
    ...(connections === 1 ? { met: addedP50Ms <= IDEMPOTENCY_TARGET.maxAddedP50Ms } : {})
  }
}

/** A schema of its own on the PostgreSQL server, set through the URL's `options` (search_path). */
export async function openPostgresSchema (databaseUrl: string): Promise<{ url: string, schema: string, drop (): Promise<void> } | { unreachable: string }> {
  const schema = `bench_${process.pid}_${Date.now()}`
  const admin = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 3000 })
  try {
    await admin.connect()
    await admin.query(`CREATE SCHEMA ${schema}`)
  } catch (error) {
    await admin.end().catch(() => {})
    return { unreachable: (error as Error).message || String(error) }
  }
  await admin.end()
  const url = new URL(databaseUrl)
  url.searchParams.set('options', `-c search_path=${schema}`)
  return {
    url: url.toString(),
    schema,
    async drop () {
      const client = new pg.Client({ connectionString: databaseUrl })
      await client.connect()
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
      await client.end()
    }
  }
}
