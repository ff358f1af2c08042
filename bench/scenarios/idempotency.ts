/**
 * Scenario 3: throughput of an idempotent write with and without an Idempotency-Key, per store.
 *
 * The request is `PUT /clusters/:name/oidc-provider` with `{}` on a cluster whose IAM OIDC
 * provider is already in that state: every request does the same upstream work (one cached
 * DescribeCluster, one GetOpenIDConnectProvider, no write) and the same operation record, whether
 * or not it carries a key. So the difference is exactly the idempotency store's work (claim the
 * key, store the response). Associate (POST) could not be repeated: EKS allows one config per
 * cluster and every request would start an update, so its upstream work would differ per request.
 */
import pg from 'pg'
import { type LoadResult, warmThenRun } from '../load.ts'
import type { ServiceProcess } from '../processes.ts'
import { PUT_CLUSTER } from '../seed.ts'
import type { LoadTiming } from './read-overhead.ts'

export interface StoreRun {
  store: string
  withoutKey: LoadResult
  withKey: LoadResult
  /** Requests/s with a key ÷ without. */
  throughputRatio: number
  addedP50Ms: number
}

const putPath = `/clusters/${PUT_CLUSTER}/oidc-provider`

export async function measureIdempotentWrites (service: ServiceProcess, store: string, connections: number, timing: LoadTiming): Promise<StoreRun> {
  const base = { url: `${service.url}${putPath}`, method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}', connections, durationSeconds: timing.seconds }
  const withoutKey = await warmThenRun(base, timing.warmupSeconds)
  let counter = 0
  const prefix = `bench-${process.pid}-${Date.now()}`
  const withKey = await warmThenRun({
    ...base,
    requests: [{
      setupRequest: (request) => ({ ...request, headers: { ...request.headers, 'idempotency-key': `${prefix}-${String(counter++).padStart(8, '0')}` } })
    }]
  }, timing.warmupSeconds)
  return {
    store,
    withoutKey,
    withKey,
    throughputRatio: withKey.requestsPerSecond / withoutKey.requestsPerSecond,
    addedP50Ms: withKey.p50Ms - withoutKey.p50Ms
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
