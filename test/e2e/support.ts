/**
 * Shared setup of the end-to-end suite: the emulator on loopback, and the service built from plain
 * config values only (real SDK clients, real egress guard, no fakes) pointed at it, listening on
 * 127.0.0.1:0.
 * Requests go over real HTTP with fetch.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'
import { startAwsEmulator, type AwsEmulator, type AwsEmulatorOptions } from '../../emulator/aws-emulator.ts'
import { sandboxServiceEnv } from '../../emulator/sandbox.ts'
import { buildApp, type App, type AppDeps } from '../../src/app.ts'
import { loadConfig } from '../../src/config.ts'
import { egressGuardOptionsFromConfig } from '../../src/egress/config.ts'
import type { ResolveAll } from '../../src/egress/connect-policy.ts'
import { createEgressGuard } from '../../src/egress/guard.ts'

export interface Harness {
  emulator: AwsEmulator
  app: App
  /** `http://127.0.0.1:<port>` of the service. */
  serviceUrl: string
  /** fetch against the service, with a JSON body when given. */
  call (method: string, path: string, options?: { body?: unknown, headers?: Record<string, string> }): Promise<Reply>
}

export interface Reply {
  status: number
  headers: Headers
  /** Parsed JSON body, or undefined for an empty body. */
  body: any
}

/** The SDK's default credential chain reads the environment; any credentials work against the emulator. */
function useDummyCredentials (env: Record<string, string>) {
  process.env.AWS_ACCESS_KEY_ID = env.AWS_ACCESS_KEY_ID
  process.env.AWS_SECRET_ACCESS_KEY = env.AWS_SECRET_ACCESS_KEY
}

/** Parallel test files keep the machine busy; load shedding is tested in test/lifecycle. */
const NO_LOAD_SHEDDING = { MAX_EVENT_LOOP_DELAY_MS: '0' }

export interface HarnessOptions {
  emulator?: AwsEmulatorOptions
  env?: Record<string, string>
  /** Parts to replace (e.g. an egress guard), built once the emulator runs. */
  deps?: (emulator: AwsEmulator, env: Record<string, string>) => AppDeps
  /** Answers the egress guard's DNS lookups instead of the system resolver (e.g. a name that does not resolve). */
  resolve?: ResolveAll
  logger?: AppDeps['logger']
  /** Keeps the app's own logger (LOG_LEVEL, redaction) and captures what it writes; overrides `logger`. */
  logStream?: AppDeps['logStream']
}

/** The guard the configuration makes, with its DNS answers from `resolve`. */
function egressResolvingWith (env: Record<string, string>, resolve: ResolveAll) {
  const { options } = egressGuardOptionsFromConfig({ EGRESS_ALLOW_LIST: env.EGRESS_ALLOW_LIST, EGRESS_ALLOWED_PORTS: env.EGRESS_ALLOWED_PORTS, EGRESS_CA_FILE: env.EGRESS_CA_FILE })
  return createEgressGuard({ ...options, lookup: resolve })
}

export async function startHarness (t: Test, options: HarnessOptions = {}): Promise<Harness> {
  const emulator = await startAwsEmulator({ port: 0, ...options.emulator })
  t.teardown(() => emulator.close())
  // The sandbox's own environment, so these tests also prove the configuration it uses.
  const env: Record<string, string> = { ...sandboxServiceEnv(emulator), ...NO_LOAD_SHEDDING, ...options.env }
  useDummyCredentials(env)
  const config = loadConfig(env)
  const egress = options.resolve ? egressResolvingWith(env, options.resolve) : undefined
  const logging = options.logStream ? { logStream: options.logStream } : { logger: options.logger ?? false }
  const app = await buildApp(config, { ...logging, ...(egress ? { egress } : {}), ...options.deps?.(emulator, env) })
  t.teardown(() => app.close())
  const serviceUrl = await app.listen({ host: '127.0.0.1', port: 0 })

  async function call (method: string, path: string, callOptions: { body?: unknown, headers?: Record<string, string> } = {}): Promise<Reply> {
    const headers: Record<string, string> = { ...callOptions.headers }
    if (callOptions.body !== undefined) headers['content-type'] = 'application/json'
    const response = await fetch(serviceUrl + path, {
      method,
      headers,
      body: callOptions.body === undefined ? undefined : JSON.stringify(callOptions.body),
      signal: AbortSignal.timeout(15_000)
    })
    const text = await response.text()
    return { status: response.status, headers: response.headers, body: text === '' ? undefined : JSON.parse(text) }
  }

  return { emulator, app, serviceUrl, call }
}

/** Asserts an RFC 9457 problem answer with this status and code, and returns its body. */
export function assertProblem (t: Test, reply: Reply, status: number, code: string) {
  t.equal(reply.status, status, `status ${status}`)
  t.match(reply.headers.get('content-type') ?? '', /^application\/problem\+json/, 'problem+json content type')
  t.match(reply.body, { type: /^https:\/\//, title: String, status, code, instance: /^\//, requestId: String }, `problem ${code}`)
  return reply.body
}

/** Emulator call counts for the given operations only, 0 for those not called. */
export function callsOf (emulator: AwsEmulator, ...operations: string[]): Record<string, number> {
  const calls = emulator.calls as Record<string, number>
  return Object.fromEntries(operations.map(op => [op, calls[op] ?? 0]))
}

/** Write calls (anything but Get/List/Describe) the emulator saw for a service prefix. */
export function writeCalls (emulator: AwsEmulator, prefix: 'iam' | 'eks'): Record<string, number> {
  return Object.fromEntries(Object.entries(emulator.calls as Record<string, number>)
    .filter(([op]) => op.startsWith(prefix + ':') && !/^[a-z]+:(Get|List|Describe)/.test(op)))
}

/** Polls `check` every `intervalMs` until it returns a value, or fails after `timeoutMs`. */
export async function pollUntil<T> (check: () => Promise<T | undefined>, { timeoutMs = 10_000, intervalMs = 100 } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`)
    await new Promise(resolve => setTimeout(resolve, intervalMs))
  }
}

/** A fresh Idempotency-Key (16–255 characters). */
export const idempotencyKey = () => `e2e-${crypto.randomUUID()}`

/**
 * A service built from plain config values against the emulator (real SDK clients over HTTP), its
 * embedded store in a temporary directory: each call of the answer starts one more process on the
 * same store, so closing one and starting the next is a restart. Runner polls are fast.
 */
export async function serviceOnDisk (t: Test, emulator: AwsEmulator) {
  const dataDir = await mkdtemp(join(tmpdir(), 'eks-oidc-api-e2e-'))
  t.teardown(() => rm(dataDir, { recursive: true, force: true }))
  const env: Record<string, string> = {
    ...sandboxServiceEnv(emulator),
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    MAX_EVENT_LOOP_DELAY_MS: '0',
    REPLACE_POLL_INTERVAL_MS: '20',
    REPLACE_MAX_POLL_INTERVAL_MS: '50'
  }
  process.env.AWS_ACCESS_KEY_ID = env.AWS_ACCESS_KEY_ID
  process.env.AWS_SECRET_ACCESS_KEY = env.AWS_SECRET_ACCESS_KEY
  return async function startService () {
    const app = await buildApp(loadConfig(env), { logger: false })
    const url = await app.listen({ host: '127.0.0.1', port: 0 })
    const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
      const response = await fetch(url + path, {
        method,
        headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(15_000)
      })
      const text = await response.text()
      return { status: response.status, headers: response.headers, body: text === '' ? undefined : JSON.parse(text) }
    }
    return { app, call }
  }
}
