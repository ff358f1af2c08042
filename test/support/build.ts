import type { Test } from 'tap'
import { buildApp, type AppDeps } from '../../src/app.ts'
import { loadConfig } from '../../src/config.ts'
import { createStore, type Store } from '../../src/store/index.ts'
import { createFakeAws, type FakeCluster } from './fake-aws.ts'

/**
 * Test defaults: no authentication (loopback), an in-memory store, and no load shedding (test
 * processes keep the event loop busy on purpose; test/lifecycle turns it on where it is the subject).
 */
export const TEST_ENV = { AUTH_MODE: 'none', DATA_DIR: 'memory://', LOG_LEVEL: 'silent', MAX_EVENT_LOOP_DELAY_MS: '0' }

let sharedStore: Promise<Store> | undefined

/** One in-memory store per test process, shared by its tests (each uses keys and clusters of its own). */
export function testStore (): Promise<Store> {
  sharedStore ??= createStore({ dataDir: 'memory://' })
  return sharedStore
}

/** Builds the app on fake AWS ports, ready, and closed when the test ends. */
export async function build (t: Test, options: { clusters?: FakeCluster[], deps?: AppDeps, env?: Record<string, string> } = {}) {
  const aws = createFakeAws(options.clusters)
  const store = options.deps?.store ?? await testStore()
  const app = await buildApp(loadConfig({ ...TEST_ENV, ...options.env }), { logger: false, eks: aws.eks, iam: aws.iam, store, ...options.deps })
  await app.ready()
  t.teardown(() => app.close())
  return { app, aws, store }
}

/** Asserts the RFC 9457 shape every error response has, and returns the body. */
export function assertProblem (t: Test, response: { statusCode: number, headers: Record<string, unknown>, json (): any }, status: number, code: string) {
  t.equal(response.statusCode, status, `status ${status}`)
  t.match(String(response.headers['content-type']), /^application\/problem\+json/, 'problem+json content type')
  const body = response.json()
  t.match(body, { type: /^https:\/\//, title: String, status, code, instance: /^\//, requestId: String }, `problem ${code}`)
  return body
}
