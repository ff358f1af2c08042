/**
 * A replica dies between the AWS call and the completion of the idempotency record: EKS (the
 * emulator) has made the update, but the service process is SIGKILLed before it hears back. A fresh
 * process on the same PostgreSQL schema takes the key over once the lease expires, re-sends the
 * same clientRequestToken, and EKS answers with the update the dead process started: one update in
 * all, and the client gets the 202 that names it.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { startAwsEmulator } from '../../emulator/aws-emulator.ts'
import { requirePostgres } from '../store/postgres.ts'
import { associate, CLUSTER, createTestSchema, idempotencyKey, startServiceProcess, type Reply } from './processes.ts'
import { startRecordingProxy } from './recording-proxy.ts'

/** The shortest lease the service accepts, so the takeover comes quickly. */
const LEASE_SECONDS = 5
const RETRY_FOR_MS = 30_000

if (await requirePostgres(t)) {
  t.test('SIGKILL after the AWS call: the retry on a fresh process takes over and gets the one update', async (t) => {
    const emulator = await startAwsEmulator({ port: 0, seed: { clusters: [{ name: CLUSTER }] } })
    t.teardown(() => emulator.close())
    const proxy = await startRecordingProxy(emulator.url)
    t.teardown(() => proxy.close())
    const schema = await createTestSchema(t, 'crash')
    const env = { DATABASE_URL: schema.databaseUrl, IDEMPOTENCY_LEASE_SECONDS: String(LEASE_SECONDS) }
    const key = idempotencyKey()

    // Both start now, to save time; the second shares nothing with the first but the database.
    const [doomed, fresh] = await Promise.all([startServiceProcess(t, proxy.url, env), startServiceProcess(t, proxy.url, env)])
    proxy.holdWriteAnswers = true
    const firstAttempt = associate(doomed.url, key).then(() => 'answered', (error: Error) => error.message)
    await proxy.writesAnswered(1)
    await doomed.kill('SIGKILL')
    t.not(await firstAttempt, 'answered', 'the client of the killed process got no answer')

    const cluster = emulator.state.clusters.get(CLUSTER)
    t.equal(cluster?.updates.length, 1, 'EKS made the update before the process died')
    const [token] = [...cluster?.clientTokens.keys() ?? []]
    const [record] = await schema.query<{ state: string, recovery_point: string, operation_id: string, lease_until: Date }>(
      'SELECT state, recovery_point, operation_id, lease_until FROM idempotency_records')
    t.match(record, { state: 'in_progress', recovery_point: 'aws_call_issued' }, 'the record was left in progress, after the AWS call')
    t.equal(token, `eks-oidc-api-${record?.operation_id}`, 'EKS holds the token of the record\'s operation')

    proxy.holdWriteAnswers = false
    const leaseUntil = record?.lease_until.getTime() ?? 0
    const deadline = Date.now() + RETRY_FOR_MS
    const attempts: Array<{ sentAt: number, reply: Reply }> = []
    for (;;) {
      const sentAt = Date.now()
      const reply = await associate(fresh.url, key)
      attempts.push({ sentAt, reply })
      if (reply.status !== 409 || Date.now() > deadline) break
      await sleep(Number(reply.headers.get('retry-after')) * 1000)
    }
    const reply = attempts[attempts.length - 1].reply
    const inProgress = attempts.slice(0, -1)
    t.ok(inProgress.length >= 1, `the retries met the dead process's live lease at least once (${inProgress.length} answers of 409)`)
    t.ok(attempts.some((a) => a.sentAt < leaseUntil), 'at least one retry was sent while the lease lived')
    t.ok(attempts.filter((a) => a.sentAt < leaseUntil).every((a) => a.reply.status === 409), 'no takeover while the lease lived')
    t.ok(attempts[attempts.length - 1].sentAt >= leaseUntil, 'the takeover came after the lease expired')
    t.ok(inProgress.every(({ reply }) => reply.body?.code === 'IdempotencyRequestInProgressException' && Number(reply.headers.get('retry-after')) >= 1),
      'while the lease lives, the key is in progress, with Retry-After')

    t.equal(reply.status, 202, 'the retry gets the 202 of a started association')
    t.equal(reply.headers.get('idempotent-replayed'), 'false', 'it ran again rather than replayed')
    t.equal(reply.body.operationId, record?.operation_id, 'as the same operation')
    t.equal(reply.body.update.id, cluster?.updates[0]?.id, 'naming the update the dead process started')
    t.same(proxy.writes.map((w) => w.clientRequestToken), [token, token], 'the retry re-sent the same clientRequestToken')
    t.equal(token, `eks-oidc-api-${reply.body.operationId}`, 'the token EKS recorded is the answer\'s operation\'s')
    t.equal(cluster?.updates.length, 1, 'EKS deduplicated: still one update')
    t.equal(cluster?.clientTokens.size, 1)

    const replay = await associate(fresh.url, key)
    t.equal(replay.headers.get('idempotent-replayed'), 'true', 'now the answer is stored')
    t.same([replay.status, replay.body], [202, reply.body])
    t.equal(proxy.writes.length, 2, 'and the replay made no EKS call')
    t.match(await schema.query('SELECT state, recovery_point FROM idempotency_records'), [{ state: 'completed', recovery_point: 'finished' }])
  })
}
