import type { Test } from 'tap'
import { buildApp, type AppDeps } from '../../src/app.ts'
import { loadConfig } from '../../src/config.ts'
import { createFakeAws, type FakeCluster } from './fake-aws.ts'

/**
 * Load shedding off: test processes keep the event loop busy on purpose, which would make the
 * app answer 503. test/lifecycle turns it on where it is the subject.
 */
const NO_LOAD_SHEDDING = { MAX_EVENT_LOOP_DELAY_MS: '0', MAX_EVENT_LOOP_UTILIZATION: '0' }

/** Builds the app on fake AWS ports, ready, and closed when the test ends. */
export async function build (t: Test, options: { clusters?: FakeCluster[], deps?: AppDeps, env?: Record<string, string> } = {}) {
  const aws = createFakeAws(options.clusters)
  const app = await buildApp(loadConfig({ ...NO_LOAD_SHEDDING, ...options.env }), { logger: false, eks: aws.eks, iam: aws.iam, ...options.deps })
  await app.ready()
  t.teardown(() => app.close())
  return { app, aws }
}

/** Asserts the RFC 9457 shape every error response has, and returns the body. */
export function assertProblem (t: Test, response: { statusCode: number, headers: Record<string, unknown>, json (): any }, status: number, code: string) {
  t.equal(response.statusCode, status, `status ${status}`)
  t.match(String(response.headers['content-type']), /^application\/problem\+json/, 'problem+json content type')
  const body = response.json()
  t.match(body, { type: /^https:\/\//, title: String, status, code, instance: /^\//, requestId: String }, `problem ${code}`)
  return body
}
