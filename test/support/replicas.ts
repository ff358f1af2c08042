/**
 * Several replicas of the service in one test process: each is a real `buildApp` with its own
 * Redis client, AWS clients and store connection, listening on loopback, all pointed at one
 * emulator (the real SDK over HTTP) and configured by environment values only.
 */
import { Writable } from 'node:stream'
import type { Test } from 'tap'
import type { AwsEmulator } from '../../emulator/aws-emulator.ts'
import { sandboxServiceEnv } from '../../emulator/sandbox.ts'
import { buildApp, type App } from '../../src/app.ts'
import { loadConfig } from '../../src/config.ts'
import type { Store } from '../../src/store/index.ts'
import type { Reply } from '../e2e/support.ts'
import { send } from '../idempotency/processes.ts'

export interface Replica {
  app: App
  /** `http://127.0.0.1:<port>` */
  url: string
  call (method: string, path: string, options?: { body?: unknown, headers?: Record<string, string> }): Promise<Reply>
  /** The JSON log lines this replica wrote at warn level and above. */
  warnings (): Array<{ msg: string, [field: string]: unknown }>
}

export interface ReplicaOptions {
  env?: Record<string, string>
  /** What differs between the replicas' environments (e.g. each its own AWS endpoint). */
  envOf?: (index: number) => Record<string, string>
  /** The store of each replica (e.g. its own pool on a shared PostgreSQL schema). */
  store: (index: number) => Promise<Store>
}

/** Parallel test files keep the machine busy; load shedding is tested in test/lifecycle. */
const NO_LOAD_SHEDDING = { MAX_EVENT_LOOP_DELAY_MS: '0' }

export async function startReplicas (t: Test, emulator: AwsEmulator, count: number, options: ReplicaOptions): Promise<Replica[]> {
  const env: Record<string, string> = { ...sandboxServiceEnv(emulator), ...NO_LOAD_SHEDDING, ...options.env }
  process.env.AWS_ACCESS_KEY_ID = env.AWS_ACCESS_KEY_ID
  process.env.AWS_SECRET_ACCESS_KEY = env.AWS_SECRET_ACCESS_KEY
  return Promise.all(Array.from({ length: count }, async (_, index) => {
    const config = loadConfig({ ...env, ...options.envOf?.(index) })
    const lines: string[] = []
    const stream = new Writable({ write (chunk, _encoding, done) { lines.push(...String(chunk).split('\n').filter(Boolean)); done() } })
    const app = await buildApp(config, { logger: { level: 'warn', stream }, store: await options.store(index) })
    t.teardown(() => app.close())
    const url = await app.listen({ host: '127.0.0.1', port: 0 })
    return { app, url, call: (method, path, callOptions) => send(url, method, path, callOptions), warnings: () => lines.map(line => JSON.parse(line)) }
  }))
}
