/**
 * Leases with three replicas on one PostgreSQL schema: associations are requested through every
 * replica, each replica's AWS calls go through a recording proxy of its own to one emulator whose
 * updates stay InProgress a while, and every replica sweeps for operations to follow each second.
 * Each EKS update is polled (DescribeUpdate) by exactly one replica, the one holding its lease.
 * Under CI=true PostgreSQL must be there; elsewhere the test skips without it.
 */
import t from 'tap'
import { startAwsEmulator } from '../../emulator/aws-emulator.ts'
import { createStore } from '../../src/store/index.ts'
import { pollUntil } from '../e2e/support.ts'
import { associate, idempotencyKey } from '../idempotency/processes.ts'
import { startRecordingProxy } from '../idempotency/recording-proxy.ts'
import { dropSchema, freshSchemaName, requirePostgres, testDatabaseUrl } from '../store/postgres.ts'
import { startReplicas } from '../support/replicas.ts'

const CLUSTERS = Array.from({ length: 6 }, (_, i) => `leases-${i}`)
const UPDATE_PATH = /^GET \/clusters\/([^/]+)\/updates\/([^/]+)$/

t.test('three replicas on one PostgreSQL: each EKS update is polled by one replica only', async t => {
  if (!await requirePostgres(t)) return
  const schema = freshSchemaName('replica_leases')
  t.teardown(() => dropSchema(schema))
  const emulator = await startAwsEmulator({ port: 0, transitionDelayMs: 1500, seed: { clusters: CLUSTERS.map(name => ({ name })) } })
  t.teardown(() => emulator.close())
  const proxies = await Promise.all([0, 1, 2].map(() => startRecordingProxy(emulator.url)))
  t.teardown(() => Promise.all(proxies.map(p => p.close())))
  const replicas = await startReplicas(t, emulator, 3, {
    store: () => createStore({ databaseUrl: testDatabaseUrl, schema }),
    env: { WATCH_POLL_INTERVAL_MS: '100', WATCH_MAX_POLL_INTERVAL_MS: '200', REPLACE_LEASE_SECONDS: '1' },
    envOf: index => ({ AWS_ENDPOINT_URL_EKS: proxies[index].url, AWS_ENDPOINT_URL_IAM: proxies[index].url })
  })

  const associated = await Promise.all(CLUSTERS.map((cluster, i) => associate(replicas[i % 3].url, idempotencyKey(), cluster)))
  t.same(associated.map(a => a.status), CLUSTERS.map(() => 202))
  const operations = associated.map((a, i) => ({ cluster: CLUSTERS[i], operationId: a.body.operationId as string, updateId: a.body.update.id as string }))

  for (const { cluster, operationId } of operations) {
    const settled = await pollUntil(async () => {
      const reply = await replicas[0].call('GET', `/clusters/${cluster}/operations/${operationId}`)
      return reply.body.status === 'in_progress' || reply.body.status === 'pending' ? undefined : reply.body
    }, { timeoutMs: 20_000 })
    t.equal(settled.status, 'succeeded', `the operation on ${cluster} succeeded`)
  }

  for (const { cluster, updateId } of operations) {
    const pollsByReplica = proxies.map(proxy => proxy.requests.filter(request => {
      const match = UPDATE_PATH.exec(request)
      return match !== null && decodeURIComponent(match[1]) === cluster && decodeURIComponent(match[2]) === updateId
    }).length)
    t.equal(pollsByReplica.filter(count => count > 0).length, 1, `update ${updateId.slice(0, 8)} on ${cluster} was polled by one replica (${pollsByReplica.join(', ')})`)
  }
})
