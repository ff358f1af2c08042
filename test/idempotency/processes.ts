/**
 * Real service processes for the idempotency tests: `node src/server.ts` configured only through
 * its environment (as in production), on a free loopback port, with either the embedded store or a
 * PostgreSQL schema of the test's own. Also the associate request they all send, and fetch helpers.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import type { Test } from 'tap'
import { dropSchema, freshSchemaName, testDatabaseUrl } from '../store/postgres.ts'
import { freePort } from '../support/free-port.ts'
export { freePort }

const SERVER_ENTRY = fileURLToPath(new URL('../../src/server.ts', import.meta.url))
/** Starting takes a few seconds on a busy 2-core machine (TypeScript stripping, loading the SDKs). */
const READY_TIMEOUT_MS = 45_000
const STOP_TIMEOUT_MS = 10_000
const REQUEST_TIMEOUT_MS = 30_000

export const CLUSTER = 'demo'
export const ASSOCIATE_BODY = {
  oidc: { identityProviderConfigName: 'corp', issuerUrl: 'https://idp.example.com', clientId: 'kubernetes', usernameClaim: 'email' }
}

export interface Reply {
  status: number
  headers: Headers
  /** Parsed JSON, or undefined for an empty body. */
  body: any
}

export async function send (baseUrl: string, method: string, path: string, options: { body?: unknown, headers?: Record<string, string> } = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers }
  if (options.body !== undefined) headers['content-type'] = 'application/json'
  const response = await fetch(baseUrl + path, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS)
  })
  const text = await response.text()
  return { status: response.status, headers: response.headers, body: text === '' ? undefined : JSON.parse(text) }
}

/**
 * POST associate with this Idempotency-Key. The issuer is never contacted (`skipIssuerChecks=true`),
 * so its URL need not exist.
 */
export const associate = (baseUrl: string, key: string, cluster = CLUSTER) =>
  send(baseUrl, 'POST', `/clusters/${cluster}/identity-provider-configs?skipIssuerChecks=true`, {
    body: ASSOCIATE_BODY,
    headers: { 'idempotency-key': key }
  })

export const idempotencyKey = () => `multiproc-${crypto.randomUUID()}`

export interface ServiceProcess {
  /** `http://127.0.0.1:<port>` */
  url: string
  child: ChildProcess
  /** Everything the process printed so far (for failure messages). */
  output (): string
  /** Sends the signal and resolves once the process has exited. */
  kill (signal: NodeJS.Signals): Promise<void>
}

/**
 * Starts `node [nodeFlags] src/server.ts` with `env` on top of a loopback, no-auth,
 * no-load-shedding base, waits until /readyz answers 200 (the store is usable), and stops it when
 * the test ends.
 */
export async function startServiceProcess (t: Test, awsEndpoint: string, env: Record<string, string>, nodeFlags: string[] = []): Promise<ServiceProcess> {
  const port = await freePort()
  return spawnServiceProcess(t, {
    PATH: process.env.PATH ?? '',
    PORT: String(port),
    HOST: '127.0.0.1',
    AUTH_MODE: 'none',
    LOG_LEVEL: 'warn',
    // Parallel test files keep the machine busy; load shedding is tested in test/lifecycle.
    MAX_EVENT_LOOP_DELAY_MS: '0',
    AWS_ENDPOINT_URL_EKS: awsEndpoint,
    AWS_ENDPOINT_URL_IAM: awsEndpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_EC2_METADATA_DISABLED: 'true',
    ...env
  }, nodeFlags)
}

/**
 * Starts `node [nodeFlags] src/server.ts` with exactly `env` (which must name a loopback HOST and a
 * PORT), waits until /readyz answers 200, and stops it when the test ends.
 */
export async function spawnServiceProcess (t: Test, env: Record<string, string>, nodeFlags: string[] = []): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [...nodeFlags, SERVER_ENTRY], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout?.on('data', (chunk) => { output += chunk })
  child.stderr?.on('data', (chunk) => { output += chunk })
  const exited = once(child, 'exit')
  const running = () => child.exitCode === null && child.signalCode === null
  const kill = async (signal: NodeJS.Signals) => {
    if (running()) child.kill(signal)
    await exited
  }
  t.teardown(async () => {
    if (!running()) return
    child.kill('SIGTERM')
    const stopped = await Promise.race([exited.then(() => true), sleep(STOP_TIMEOUT_MS, false)])
    if (!stopped) await kill('SIGKILL')
  })

  const url = `http://${env.HOST}:${env.PORT}`
  const startedAt = Date.now()
  const deadline = startedAt + READY_TIMEOUT_MS
  for (;;) {
    if (!running()) throw new Error(`the service exited during start (${child.exitCode ?? child.signalCode}):\n${output}`)
    const readiness = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) })
      .then(async (r) => ({ status: r.status, body: await r.text() }), () => ({ status: 0, body: 'no answer' }))
    if (readiness.status === 200) break
    if (Date.now() > deadline) throw new Error(`the service was not ready within ${READY_TIMEOUT_MS} ms (last /readyz: ${readiness.body}):\n${output}`)
    await sleep(100)
  }
  t.comment(`service ${url} ready in ${Date.now() - startedAt} ms`)
  return { url, child, output: () => output, kill }
}

/** Env for the default embedded store (SQLite) in a fresh data directory, removed when the test ends. */
export function embeddedStoreEnv (t: Test): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'multiproc-sqlite-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return { DATA_DIR: dir }
}

export interface TestSchema {
  name: string
  /** DATABASE_URL whose connections use only this schema (`options=-c search_path=<name>`). */
  databaseUrl: string
  query<R extends pg.QueryResultRow = Record<string, unknown>> (text: string, params?: unknown[]): Promise<R[]>
}

/**
 * A fresh, empty schema for this test, dropped when it ends. The service runs its migrations into
 * it: the search_path in the URL makes every unqualified name resolve there.
 */
export async function createTestSchema (t: Test, label: string): Promise<TestSchema> {
  const name = freshSchemaName(label)
  const admin = new pg.Client({ connectionString: testDatabaseUrl })
  await admin.connect()
  try {
    await admin.query(`CREATE SCHEMA ${name}`)
  } finally {
    await admin.end()
  }
  t.teardown(() => dropSchema(name))
  const databaseUrl = `${testDatabaseUrl}${testDatabaseUrl.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${name}`)}`
  return {
    name,
    databaseUrl,
    async query (text, params) {
      const client = new pg.Client({ connectionString: databaseUrl })
      await client.connect()
      try {
        return (await client.query(text, params)).rows
      } finally {
        await client.end()
      }
    }
  }
}
