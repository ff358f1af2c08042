/**
 * The exactly-once check shared by the concurrency tests: 50 identical associate requests carrying
 * one Idempotency-Key, sent at once while EKS (the emulator) is slow, must make exactly one
 * AssociateIdentityProviderConfig call and one update; every other answer is a replay of the 202
 * or a 409 with Retry-After.
 */
import type { Test } from 'tap'
import { startAwsEmulator, type AwsEmulator } from '../../emulator/aws-emulator.ts'
import { associate, CLUSTER, type Reply } from './processes.ts'

const REQUESTS = 50
/** Long enough for the requests to overlap the one that reached EKS. */
const ASSOCIATE_LATENCY_MS = 300
const ASSOCIATE = 'eks:AssociateIdentityProviderConfig'

export async function slowEmulator (t: Test): Promise<AwsEmulator> {
  const emulator = await startAwsEmulator({ port: 0, seed: { clusters: [{ name: CLUSTER }] } })
  t.teardown(() => emulator.close())
  emulator.faults.set(ASSOCIATE, { latencyMs: ASSOCIATE_LATENCY_MS })
  return emulator
}

/** Sends the requests at once, the i-th to serviceUrls[i % n]. */
export function burst (serviceUrls: string[], key: string): Promise<Reply[]> {
  return Promise.all(Array.from({ length: REQUESTS }, (_, i) => associate(serviceUrls[i % serviceUrls.length], key)))
}

export function assertExactlyOnce (t: Test, replies: Reply[], emulator: AwsEmulator) {
  const fresh = replies.filter((r) => r.status === 202 && r.headers.get('idempotent-replayed') === 'false')
  const replayed = replies.filter((r) => r.status === 202 && r.headers.get('idempotent-replayed') === 'true')
  const conflicts = replies.filter((r) => r.status === 409)
  t.comment(`${fresh.length} fresh, ${replayed.length} replayed, ${conflicts.length} in progress`)

  t.equal(fresh.length, 1, 'exactly one request ran')
  t.equal(fresh.length + replayed.length + conflicts.length, REQUESTS,
    `every answer is the 202 or a 409 (got ${[...new Set(replies.map((r) => r.status))].join(', ')})`)
  t.ok(conflicts.length > 0, 'requests overlapped the one in progress')
  for (const reply of replayed) t.same(reply.body, fresh[0]?.body, 'a replay repeats the 202 body')
  t.ok(replayed.every((r) => r.headers.get('location') === fresh[0]?.headers.get('location')), 'and its Location')
  t.ok(conflicts.every((r) => r.body?.code === 'IdempotencyRequestInProgressException' && Number(r.headers.get('retry-after')) >= 1),
    'every 409 is IdempotencyRequestInProgressException with Retry-After')

  t.equal(emulator.calls[ASSOCIATE], 1, 'one AssociateIdentityProviderConfig reached EKS')
  const updates = emulator.state.clusters.get(CLUSTER)?.updates ?? []
  t.equal(updates.length, 1, 'one update exists')
  t.equal(fresh[0]?.body.update.id, updates[0]?.id, 'the 202 names that update')
  t.same([...emulator.state.clusters.get(CLUSTER)?.clientTokens.keys() ?? []], [`eks-oidc-api-${fresh[0]?.body.operationId}`],
    'EKS got the operation\'s clientRequestToken')
}
