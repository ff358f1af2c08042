/**
 * Behaviour every Store must show, run against the embedded SQLite store and PostgreSQL alike.
 * Each subtest uses its own scope or cluster, so one store serves the whole suite.
 */
import { randomUUID } from 'node:crypto'
import type { TAP } from 'tap'
import { AuditOutcome } from '../../src/store/audit-contract.ts'
import type { AuditRecord } from '../../src/store/audit-contract.ts'
import { migrations } from '../../src/store/migrations.ts'
import { ClaimOutcome, IdempotencyState, OperationStatus, RecoveryPoint } from '../../src/store/store.ts'
import type { AwaitingUpdateQuery, ClaimInput, IdempotencyRef, NewOperation, Store, StoredResponse } from '../../src/store/store.ts'

const LEASE_MS = 60_000
const RETENTION_MS = 24 * 3600_000
const T0 = new Date('2030-01-01T00:00:00.000Z')
const at = (ms: number) => new Date(T0.getTime() + ms)

function newRef (): IdempotencyRef {
  return { scope: `principal-${randomUUID()}`, method: 'POST', route: '/clusters/:name/identity-provider-configs', key: randomUUID() }
}

function claimInput (ref: IdempotencyRef, options: { now?: Date, fingerprint?: string, leaseOwner?: string } = {}): ClaimInput {
  const now = options.now ?? T0
  return {
    ...ref,
    fingerprint: options.fingerprint ?? 'fp-1',
    leaseOwner: options.leaseOwner ?? randomUUID(),
    now,
    leaseUntil: new Date(now.getTime() + LEASE_MS),
    expiresAt: new Date(now.getTime() + RETENTION_MS),
    operationId: randomUUID()
  }
}

const accepted: StoredResponse = {
  status: 202,
  headers: { location: '/operations/1', 'content-type': 'application/json; charset=utf-8' },
  body: '{"update":{"id":"u-1"}}'
}

export function storeContract (tap: TAP, name: string, getStore: () => Store): void {
  tap.test(`store contract (${name})`, async (t) => contract(t, getStore))
}

type SubTest = NonNullable<ReturnType<TAP['test']>['subtest']>

function contract (t: SubTest, getStore: () => Store): void {
  t.test('migrations are idempotent: running them again applies nothing', async (t) => {
    const latest = Math.max(...migrations.map((m) => m.version))
    t.same(await getStore().migrate(), { applied: [], current: latest })
    t.same(await getStore().migrate(), { applied: [], current: latest })
  })

  t.test('ping answers', async (t) => {
    await t.resolves(getStore().ping())
  })

  t.test('idempotency records', async (t) => {
    t.test('a race of 40 identical claims has exactly one winner, and all see its operation id', async (t) => {
      const ref = newRef()
      const results = await Promise.all(Array.from({ length: 40 }, () => getStore().idempotency.claim(claimInput(ref))))
      const winners = results.filter((r) => r.outcome === ClaimOutcome.CLAIMED)
      t.equal(winners.length, 1)
      t.equal(results.filter((r) => r.outcome === ClaimOutcome.IN_PROGRESS).length, 39)
      t.same(new Set(results.map((r) => r.record.operationId)), new Set([winners[0].record.operationId]))
      t.equal(winners[0].record.state, IdempotencyState.IN_PROGRESS)
      t.equal(winners[0].record.recoveryPoint, RecoveryPoint.STARTED)
    })

    t.test('a new claim stores the given lease, operation id and expiry', async (t) => {
      const ref = newRef()
      const input = claimInput(ref)
      const { outcome, record } = await getStore().idempotency.claim(input)
      t.equal(outcome, ClaimOutcome.CLAIMED)
      t.match(record, {
        ...ref, fingerprint: 'fp-1', leaseOwner: input.leaseOwner, operationId: input.operationId, response: null
      })
      t.equal(record.leaseUntil?.getTime(), input.leaseUntil.getTime())
      t.equal(record.expiresAt.getTime(), input.expiresAt.getTime())
      t.equal(record.createdAt.getTime(), T0.getTime())
    })

    t.test('the same key from another principal, method or route is an independent record', async (t) => {
      const ref = newRef()
      const variants = [ref, { ...ref, scope: ref.scope + '-other' }, { ...ref, method: 'DELETE' }, { ...ref, route: '/other' }]
      const results = await Promise.all(variants.map((r) => getStore().idempotency.claim(claimInput(r))))
      t.same(results.map((r) => r.outcome), Array(4).fill(ClaimOutcome.CLAIMED))
      t.equal(new Set(results.map((r) => r.record.operationId)).size, 4)
    })

    t.test('an expired lease is taken over with the same operation id and recovery point', async (t) => {
      const store = getStore().idempotency
      const ref = newRef()
      const first = await store.claim(claimInput(ref, { leaseOwner: 'replica-a' }))
      t.ok(await store.setRecoveryPoint(ref, 'replica-a', RecoveryPoint.AWS_CALL_ISSUED))

      const early = await store.claim(claimInput(ref, { now: at(LEASE_MS - 1), leaseOwner: 'replica-b' }))
      t.equal(early.outcome, ClaimOutcome.IN_PROGRESS, 'a live lease is respected')

      const late = await store.claim(claimInput(ref, { now: at(LEASE_MS), leaseOwner: 'replica-b' }))
      t.equal(late.outcome, ClaimOutcome.TAKEN_OVER)
      t.equal(late.record.operationId, first.record.operationId)
      t.equal(late.record.leaseOwner, 'replica-b')
      t.equal(late.record.recoveryPoint, RecoveryPoint.AWS_CALL_ISSUED)
      t.equal(late.record.leaseUntil?.getTime(), at(2 * LEASE_MS).getTime())
    })

    t.test('past its retention, a record is purged by the next claim only when its lease is not live', async (t) => {
      const store = getStore().idempotency
      const expired = at(RETENTION_MS)

      const running = newRef()
      const first = await store.claim(claimInput(running, { leaseOwner: 'replica-a' }))
      t.ok(await store.renewLease(running, 'replica-a', at(RETENTION_MS + 1)))
      t.equal((await store.claim(claimInput(running, { now: expired }))).outcome, ClaimOutcome.IN_PROGRESS, 'a request still running keeps its key')

      const lapsed = newRef()
      await store.claim(claimInput(lapsed, { leaseOwner: 'replica-a' }))
      t.ok(await store.renewLease(lapsed, 'replica-a', expired))
      const fresh = await store.claim(claimInput(lapsed, { now: expired }))
      t.equal(fresh.outcome, ClaimOutcome.CLAIMED, 'a lease ending at that instant is not live: the key counts as new')
      t.not(fresh.record.operationId, first.record.operationId)

      const completed = newRef()
      await store.claim(claimInput(completed, { leaseOwner: 'replica-a' }))
      t.ok(await store.complete(completed, 'replica-a', accepted, expired))
      t.equal((await store.claim(claimInput(completed, { now: expired }))).outcome, ClaimOutcome.CLAIMED, 'a completed answer is not replayed past its retention')
    })

    t.test('a race of 30 takeovers of one expired lease has exactly one winner', async (t) => {
      const store = getStore().idempotency
      const ref = newRef()
      await store.claim(claimInput(ref))
      const now = at(LEASE_MS + 1)
      const results = await Promise.all(Array.from({ length: 30 }, () => store.claim(claimInput(ref, { now }))))
      t.equal(results.filter((r) => r.outcome === ClaimOutcome.TAKEN_OVER).length, 1)
      t.equal(results.filter((r) => r.outcome === ClaimOutcome.IN_PROGRESS).length, 29)
    })

    t.test('fencing: the owner whose lease was taken over can no longer write', async (t) => {
      const store = getStore().idempotency
      const ref = newRef()
      await store.claim(claimInput(ref, { leaseOwner: 'replica-a' }))
      await store.claim(claimInput(ref, { now: at(LEASE_MS), leaseOwner: 'replica-b' }))

      t.notOk(await store.complete(ref, 'replica-a', { ...accepted, body: 'late' }, at(RETENTION_MS)), 'late completion refused')
      t.notOk(await store.renewLease(ref, 'replica-a', at(10 * LEASE_MS)))
      t.notOk(await store.setRecoveryPoint(ref, 'replica-a', RecoveryPoint.AWS_CALL_ISSUED))
      t.notOk(await store.release(ref, 'replica-a'))
      const untouched = await store.get(ref)
      t.equal(untouched?.leaseOwner, 'replica-b')
      t.equal(untouched?.state, IdempotencyState.IN_PROGRESS)
      t.equal(untouched?.recoveryPoint, RecoveryPoint.STARTED)

      t.ok(await store.complete(ref, 'replica-b', accepted, at(RETENTION_MS)))
      t.same((await store.get(ref))?.response, accepted)
    })

    t.test('a new claim creates its operation record in the same statement; no other outcome creates one', async (t) => {
      const { idempotency, operations } = getStore()
      const ref = newRef()
      const operation = { principal: 'alice', action: 'associateIdentityProviderConfig', cluster: 'prod', resource: 'corp', clientRequestToken: 'eks-oidc-api-token' }
      const first = claimInput(ref)
      const claimed = await idempotency.claim({ ...first, operation })
      t.equal(claimed.outcome, ClaimOutcome.CLAIMED)
      t.match(await operations.get(first.operationId), { ...operation, status: OperationStatus.PENDING, updateId: null, error: null, details: {} })
      t.equal((await operations.get(first.operationId))?.createdAt.getTime(), T0.getTime(), 'created at the claim time')

      const losers = [
        claimInput(ref),
        claimInput(ref, { fingerprint: 'fp-other' }),
        claimInput(ref, { now: at(LEASE_MS), leaseOwner: 'next-replica' })
      ]
      const outcomes = []
      for (const input of losers) outcomes.push((await idempotency.claim({ ...input, operation: { ...operation, principal: 'mallory' } })).outcome)
      t.same(outcomes, [ClaimOutcome.IN_PROGRESS, ClaimOutcome.MISMATCH, ClaimOutcome.TAKEN_OVER])
      for (const input of losers) t.equal(await operations.get(input.operationId), undefined, `${input.leaseOwner}: no operation of its own`)
      t.equal((await operations.get(first.operationId))?.principal, 'alice', 'the first operation is untouched')
    })

    t.test('recordChange writes the answer, the operation\'s outcome and the audit record together, fenced alike', async (t) => {
      const store = getStore()
      const { idempotency, operations } = store
      const ref = newRef()
      const operation = { principal: 'alice', action: 'associateIdentityProviderConfig', cluster: 'prod', clientRequestToken: 'eks-oidc-api-token' }
      const input = claimInput(ref, { leaseOwner: 'replica-a' })
      await idempotency.claim({ ...input, operation })
      await idempotency.claim(claimInput(ref, { now: at(LEASE_MS), leaseOwner: 'replica-b' }))
      const calls = [{ service: 'eks' as const, operation: 'AssociateIdentityProviderConfig', outcome: 'success' as const, awsRequestId: 'aws-1' }]
      const patch = { status: OperationStatus.IN_PROGRESS, updateId: 'upd-1', resource: 'corp', error: null, details: { httpStatus: 202 }, awsCalls: calls, now: at(LEASE_MS + 5) }
      const audit = (id: string) => ({
        id: `${ref.key}-${id}`,
        time: at(LEASE_MS + 5),
        principal: 'alice',
        action: 'associateIdentityProviderConfig',
        cluster: `audit-${ref.key}`,
        outcome: AuditOutcome.SUCCEEDED,
        status: 202,
        requestId: id,
        dryRun: false,
        awsCalls: calls,
        operationId: input.operationId
      })
      const completion = (leaseOwner: string) => ({ ref, leaseOwner, response: accepted, expiresAt: at(RETENTION_MS) })

      const late = await store.recordChange({ completion: completion('replica-a'), operation: { id: input.operationId, patch: { ...patch, updateId: 'upd-late' } }, audit: audit('late') })
      t.same(late, { completed: false }, 'the fenced-out owner stores no answer')
      t.match(await operations.get(input.operationId), { status: OperationStatus.PENDING, updateId: null, awsCalls: [] }, 'and changes no operation')

      t.same(await store.recordChange({ completion: completion('replica-b'), operation: { id: input.operationId, patch }, audit: audit('owner') }), { completed: true })
      t.same((await idempotency.get(ref))?.response, accepted)
      const finished = await operations.get(input.operationId)
      t.match(finished, { status: OperationStatus.IN_PROGRESS, updateId: 'upd-1', resource: 'corp', error: null, details: { httpStatus: 202 }, awsCalls: calls })
      t.equal(finished?.updatedAt.getTime(), at(LEASE_MS + 5).getTime())
      const audited = await store.listAudit({ cluster: `audit-${ref.key}` })
      t.same(audited.items.map((r) => r.requestId).sort(), ['late', 'owner'], 'both requests are audited, whoever won')
      t.same(audited.items.find((r) => r.requestId === 'owner'), audit('owner'))

      const later = { status: OperationStatus.SUCCEEDED, now: at(LEASE_MS + 6) }
      t.same(await store.recordChange({ operation: { id: input.operationId, patch: later }, audit: audit('later') }), { completed: true }, 'without a completion')
      const after = await operations.get(input.operationId)
      t.equal(after?.status, OperationStatus.SUCCEEDED)
      t.same(after?.awsCalls, calls, 'a patch without AWS calls keeps those recorded')
    })

    t.test('recordChange is all or nothing: a failing audit insert stores no answer and no outcome', async (t) => {
      const store = getStore()
      const ref = newRef()
      const input = claimInput(ref, { leaseOwner: 'replica-a' })
      await store.idempotency.claim({ ...input, operation: { principal: 'alice', action: 'associateIdentityProviderConfig', cluster: 'prod' } })
      const duplicateId = `dup-${ref.key}`
      const audit = { id: duplicateId, time: T0, principal: 'alice', action: 'a', outcome: AuditOutcome.SUCCEEDED, status: 202, requestId: 'r', dryRun: false, awsCalls: [] }
      await store.appendAudit(audit)
      await t.rejects(store.recordChange({
        completion: { ref, leaseOwner: 'replica-a', response: accepted, expiresAt: at(RETENTION_MS) },
        operation: { id: input.operationId, patch: { status: OperationStatus.SUCCEEDED, now: at(5) } },
        audit
      }), 'the duplicate audit id fails the transaction')
      t.equal((await store.idempotency.get(ref))?.response, null, 'no answer stored')
      t.equal((await store.operations.get(input.operationId))?.status, OperationStatus.PENDING, 'no outcome stored')
    })

    t.test('text no database can hold (U+0000, lone surrogates) is stored escaped, never refused', async (t) => {
      const store = getStore()
      const cluster = `x\u0000y-${randomUUID()}`
      const id = randomUUID()
      await store.operations.create({ id, principal: 'mal\ud800lory', action: 'putOpenIDConnectProvider', cluster, resource: 'r\u0000', now: T0 })
      t.match(await store.operations.get(id), { principal: 'mal\\ud800lory', cluster: cluster.replace('\u0000', '\\u0000'), resource: 'r\\u0000' })
      await store.appendAudit({ id: `nul-${id}`, time: T0, principal: '\udc00', action: 'putOpenIDConnectProvider', cluster, outcome: AuditOutcome.DENIED, status: 401, requestId: 'r\u0000', dryRun: false, awsCalls: [{ service: 'iam', operation: 'X', outcome: 'error', error: 'E\u0000' }] })
      const [stored] = (await store.listAudit({ cluster: cluster.replace('\u0000', '\\u0000') })).items
      t.match(stored, { principal: '\\udc00', requestId: 'r\\u0000', awsCalls: [{ error: 'E\\u0000' }] })
    })

    t.test('renewing a lease keeps the record from being taken over', async (t) => {
      const store = getStore().idempotency
      const ref = newRef()
      await store.claim(claimInput(ref, { leaseOwner: 'owner' }))
      t.ok(await store.renewLease(ref, 'owner', at(3 * LEASE_MS)))
      const result = await store.claim(claimInput(ref, { now: at(2 * LEASE_MS) }))
      t.equal(result.outcome, ClaimOutcome.IN_PROGRESS)
    })

    t.test('a completed record replays its response and is no longer leased', async (t) => {
      const store = getStore().idempotency
      const ref = newRef()
      const first = await store.claim(claimInput(ref, { leaseOwner: 'owner' }))
      t.ok(await store.complete(ref, 'owner', accepted, at(RETENTION_MS)))
      t.notOk(await store.complete(ref, 'owner', { ...accepted, status: 200 }, at(RETENTION_MS)), 'completes only once')

      const replay = await store.claim(claimInput(ref, { now: at(LEASE_MS * 5) }))
      t.equal(replay.outcome, ClaimOutcome.COMPLETED)
      t.same(replay.record.response, accepted)
      t.equal(replay.record.operationId, first.record.operationId)
      t.equal(replay.record.state, IdempotencyState.COMPLETED)
      t.equal(replay.record.recoveryPoint, RecoveryPoint.FINISHED)
      t.equal(replay.record.leaseOwner, null)
      t.equal(replay.record.expiresAt.getTime(), at(RETENTION_MS).getTime())
    })

    t.test('a response with no body and no headers round-trips', async (t) => {
      const store = getStore().idempotency
      const ref = newRef()
      await store.claim(claimInput(ref, { leaseOwner: 'owner' }))
      const empty: StoredResponse = { status: 204, headers: {}, body: null }
      t.ok(await store.complete(ref, 'owner', empty, at(RETENTION_MS)))
      t.same((await store.claim(claimInput(ref))).record.response, empty)
    })

    t.test('a different fingerprint is a mismatch in any state and leaves the record untouched', async (t) => {
      const store = getStore().idempotency
      const ref = newRef()
      await store.claim(claimInput(ref, { leaseOwner: 'owner' }))
      const inProgress = await store.claim(claimInput(ref, { fingerprint: 'fp-2' }))
      t.equal(inProgress.outcome, ClaimOutcome.MISMATCH)
      const expiredLease = await store.claim(claimInput(ref, { fingerprint: 'fp-2', now: at(LEASE_MS * 2) }))
      t.equal(expiredLease.outcome, ClaimOutcome.MISMATCH, 'an expired lease is not taken over by another payload')
      const before = await store.get(ref)
      t.equal(before?.leaseOwner, 'owner')

      t.ok(await store.complete(ref, 'owner', accepted, at(RETENTION_MS)))
      const completed = await store.claim(claimInput(ref, { fingerprint: 'fp-2' }))
      t.equal(completed.outcome, ClaimOutcome.MISMATCH)
      t.equal((await store.get(ref))?.fingerprint, 'fp-1')
    })

    t.test('release keeps the record so the next claim takes over at once with the same operation id', async (t) => {
      const store = getStore().idempotency
      const ref = newRef()
      const first = await store.claim(claimInput(ref, { leaseOwner: 'owner' }))
      t.notOk(await store.release(ref, 'someone-else'), 'only the owner may release')
      t.ok(await store.release(ref, 'owner'))
      const released = await store.get(ref)
      t.equal(released?.state, IdempotencyState.IN_PROGRESS)
      t.equal(released?.leaseOwner, null)
      t.equal(released?.leaseUntil, null)

      const retry = await store.claim(claimInput(ref, { now: at(1000), leaseOwner: 'retry' }))
      t.equal(retry.outcome, ClaimOutcome.TAKEN_OVER)
      t.equal(retry.record.operationId, first.record.operationId)
    })

    t.test('after its expiry a key counts as new, whatever the payload', async (t) => {
      const store = getStore().idempotency
      const ref = newRef()
      const first = await store.claim(claimInput(ref, { leaseOwner: 'owner' }))
      t.ok(await store.complete(ref, 'owner', accepted, at(1000)))
      const again = await store.claim(claimInput(ref, { now: at(1000), fingerprint: 'fp-other' }))
      t.equal(again.outcome, ClaimOutcome.CLAIMED)
      t.not(again.record.operationId, first.record.operationId)
      t.equal(again.record.fingerprint, 'fp-other')
    })

    t.test('purgeExpired deletes expired records but never one held by a live lease', async (t) => {
      const store = getStore().idempotency
      const completedOld = newRef()
      const completedFresh = newRef()
      const abandoned = newRef()
      const longRunning = newRef()
      const purgeAt = at(RETENTION_MS * 3)

      await store.claim(claimInput(completedOld, { leaseOwner: 'o' }))
      await store.complete(completedOld, 'o', accepted, at(RETENTION_MS))
      await store.claim(claimInput(completedFresh, { leaseOwner: 'o' }))
      await store.complete(completedFresh, 'o', accepted, at(RETENTION_MS * 4))
      await store.claim(claimInput(abandoned))
      await store.claim(claimInput(longRunning, { leaseOwner: 'o' }))
      await store.renewLease(longRunning, 'o', new Date(purgeAt.getTime() + LEASE_MS))

      const purged = await store.purgeExpired(purgeAt)
      t.ok(purged >= 2, `purged ${purged}`)
      t.equal(await store.get(completedOld), undefined)
      t.equal(await store.get(abandoned), undefined)
      t.ok(await store.get(completedFresh))
      t.ok(await store.get(longRunning))
      t.equal(await store.purgeExpired(purgeAt), 0, 'nothing left to purge at the same instant')
    })
  })

  t.test('operation records', async (t) => {
    const store = () => getStore().operations

    t.test('create, create again, update and get', async (t) => {
      const id = randomUUID()
      const created = await store().create({
        id,
        principal: 'alice',
        action: 'associateIdentityProviderConfig',
        cluster: 'prod',
        resource: 'corp-idp',
        clientRequestToken: 'eks-oidc-api-' + id,
        details: { issuerUrl: 'https://idp.example.com' },
        now: T0
      })
      t.match(created, {
        id,
        principal: 'alice',
        cluster: 'prod',
        resource: 'corp-idp',
        status: OperationStatus.PENDING,
        updateId: null,
        error: null,
        details: { issuerUrl: 'https://idp.example.com' }
      })
      t.equal(created.createdAt.getTime(), T0.getTime())

      const again = await store().create({ id, principal: 'bob', action: 'x', cluster: 'other', now: at(5) })
      t.same(again, created, 'creating an existing id returns it unchanged')

      const updated = await store().update(id, {
        status: OperationStatus.IN_PROGRESS, updateId: 'upd-1', details: { attempts: 1 }, now: at(1000)
      })
      t.match(updated, {
        status: OperationStatus.IN_PROGRESS,
        updateId: 'upd-1',
        resource: 'corp-idp',
        details: { issuerUrl: 'https://idp.example.com', attempts: 1 }
      })
      t.equal(updated?.updatedAt.getTime(), at(1000).getTime())
      t.equal(updated?.createdAt.getTime(), T0.getTime())

      const failed = await store().update(id, { status: OperationStatus.FAILED, error: { code: 'Boom', message: 'it broke' }, now: at(2000) })
      t.same(failed?.error, { code: 'Boom', message: 'it broke' })
      t.equal(failed?.updateId, 'upd-1', 'fields absent from the patch are kept')
      const cleared = await store().update(id, { error: null, now: at(3000) })
      t.equal(cleared?.error, null)
      t.equal(cleared?.status, OperationStatus.FAILED)

      t.same(await store().get(id), cleared)
      t.equal(await store().get(randomUUID()), undefined)
      t.equal(await store().get('not-a-uuid'), undefined)
      t.equal(await store().update(randomUUID(), { status: OperationStatus.FAILED, now: T0 }), undefined)
    })

    t.test('listByCluster pages newest first, filters by principal, and rejects forged tokens', async (t) => {
      const cluster = `cluster-${randomUUID()}`
      const ids: string[] = []
      for (let i = 0; i < 5; i++) {
        const id = randomUUID()
        ids.push(id)
        await store().create({ id, principal: i % 2 === 0 ? 'alice' : 'bob', action: 'a', cluster, now: at(i * 1000) })
      }
      await store().create({ id: randomUUID(), principal: 'alice', action: 'a', cluster: cluster + '-x', now: at(9000) })

      const seen: string[] = []
      let nextToken: string | undefined
      const pageSizes: number[] = []
      do {
        const page = await store().listByCluster({ cluster, limit: 2, nextToken })
        pageSizes.push(page.items.length)
        seen.push(...page.items.map((op) => op.id))
        nextToken = page.nextToken
      } while (nextToken !== undefined)
      t.same(pageSizes, [2, 2, 1])
      t.same(seen, [...ids].reverse())

      const alice = await store().listByCluster({ cluster, principal: 'alice' })
      t.same(alice.items.map((op) => op.id), [ids[4], ids[2], ids[0]])
      t.equal(alice.nextToken, undefined)

      await t.rejects(store().listByCluster({ cluster, nextToken: 'garbage' }), { name: 'InvalidParameterException', status: 400 })
      const forged = Buffer.from(JSON.stringify({ t: T0.toISOString(), i: 'not-a-uuid' })).toString('base64url')
      await t.rejects(store().listByCluster({ cluster, nextToken: forged }), { name: 'InvalidParameterException', status: 400 })
    })

    t.test('listAwaitingUpdate', async (t) => {
      // Older than anything else in the shared store, so these lead the oldest-first list; each
      // subtest finishes its operations again, so the next one starts from the same list.
      const early = (ms: number) => new Date(Date.UTC(1990, 0, 1) + ms)
      const seed = async (t: SubTest, fields: Partial<NewOperation> & { createdAt: Date }) => {
        const id = randomUUID()
        const { createdAt, ...rest } = fields
        await store().create({
          id, principal: 'alice', action: 'associateIdentityProviderConfig', cluster: 'prod', status: OperationStatus.IN_PROGRESS, updateId: `upd-${id}`, ...rest, now: createdAt
        })
        t.teardown(async () => { await store().update(id, { status: OperationStatus.SUCCEEDED, now: T0 }) })
        return id
      }
      const listed = async (query: AwaitingUpdateQuery) => (await store().listAwaitingUpdate(query)).map((op) => op.id)

      t.test('only in-progress operations on an update and without steps, oldest first', async (t) => {
        const second = await seed(t, { createdAt: early(2000) })
        const first = await seed(t, { createdAt: early(1000) })
        const excluded: string[] = [
          await seed(t, { createdAt: early(0), status: OperationStatus.PENDING }),
          await seed(t, { createdAt: early(0), updateId: undefined }),
          await seed(t, { createdAt: early(0), status: OperationStatus.SUCCEEDED }),
          await seed(t, { createdAt: early(0), status: OperationStatus.FAILED }),
          await seed(t, { createdAt: early(0), details: { steps: [] } })
        ]
        const all = await listed({ limit: 100 })
        t.same(all.slice(0, 2), [first, second], 'oldest first, ahead of everything newer')
        t.same(all.filter((id) => excluded.includes(id)), [], 'none of the others')
        const [record] = await store().listAwaitingUpdate({ limit: 1 })
        t.match(record, { id: first, status: OperationStatus.IN_PROGRESS, updateId: `upd-${first}`, cluster: 'prod' })
      })

      t.test('leaseFreeAt leaves out operations whose lease is live at that instant', async (t) => {
        const leased = await seed(t, { createdAt: early(0) })
        t.ok(await store().acquireLease(leased, { owner: 'follower-a', now: T0, until: at(LEASE_MS) }))
        t.notOk((await listed({ leaseFreeAt: at(LEASE_MS - 1), limit: 100 })).includes(leased), 'left out while the lease lives')
        t.same(await listed({ leaseFreeAt: at(LEASE_MS), limit: 1 }), [leased], 'listed once it has expired')
        t.same(await listed({ limit: 1 }), [leased], 'leases do not matter without leaseFreeAt')
        t.ok(await store().releaseLease(leased, 'follower-a'))
        t.same(await listed({ leaseFreeAt: T0, limit: 1 }), [leased], 'listed once released')
      })

      t.test('limit: default 50, at most 100, at least 1', async (t) => {
        const ids: string[] = []
        for (let i = 0; i < 101; i++) ids.push(await seed(t, { createdAt: early(i) }))
        t.same(await listed({}), ids.slice(0, 50))
        t.same(await listed({ limit: 500 }), ids.slice(0, 100))
        t.same(await listed({ limit: 0 }), ids.slice(0, 1))
      })
    })
  })

  t.test('records carry the account and region they acted in (migration 4)', async (t) => {
    const { idempotency, operations } = getStore()
    const cluster = `scoped-${randomUUID()}`
    const base = { principal: 'alice', action: 'putOpenIDConnectProvider', cluster, now: T0 }
    const inA = await operations.create({ ...base, id: randomUUID(), accountId: '111111111111', region: 'eu-west-1' })
    const inB = await operations.create({ ...base, id: randomUUID(), accountId: '222222222222', region: 'eu-west-1', now: at(1) })
    const before = await operations.create({ ...base, id: randomUUID(), now: at(2) })
    t.match(await operations.get(inA.id), { accountId: '111111111111', region: 'eu-west-1' })
    t.match(before, { accountId: null, region: null }, 'an operation of no known account records none')

    const ref = newRef()
    const claim = claimInput(ref)
    await idempotency.claim({ ...claim, operation: { principal: 'alice', action: 'putOpenIDConnectProvider', cluster, accountId: '222222222222', region: 'us-east-2' } })
    t.match(await operations.get(claim.operationId), { accountId: '222222222222', region: 'us-east-2' }, 'the operation a claim creates carries its scope')

    const ids = async (query: { accountId?: string, region?: string }) => (await operations.listByCluster({ cluster, ...query })).items.map((op) => op.id)
    t.same(await ids({ accountId: '111111111111', region: 'eu-west-1' }), [inA.id], 'listByCluster in account A answers only A')
    t.same(await ids({ accountId: '222222222222', region: 'eu-west-1' }), [inB.id], 'and in account B only B')
    t.same(new Set(await ids({})), new Set([inA.id, inB.id, before.id, claim.operationId]), 'without a scope, every account')

    const audit: AuditRecord = { id: `audit-${randomUUID()}`, time: T0, principal: 'alice', action: 'putOpenIDConnectProvider', cluster, accountId: '222222222222', region: 'eu-west-1', outcome: AuditOutcome.SUCCEEDED, status: 200, requestId: 'r-scope', dryRun: false, awsCalls: [] }
    await getStore().appendAudit(audit)
    t.same((await getStore().listAudit({ cluster })).items, [audit], 'audit records round-trip their scope')
    t.same((await getStore().listAudit({ cluster, accountId: '222222222222', region: 'eu-west-1' })).items, [audit], 'and are found by account and region')
    t.same((await getStore().listAudit({ cluster, accountId: '111111111111' })).items, [], 'not by another account')
    t.same((await getStore().listAudit({ cluster, region: 'us-east-1' })).items, [], 'nor by another region')
  })

  t.test('audit records', async (t) => {
    const cluster = `cluster-${randomUUID()}`
    const records: AuditRecord[] = [
      { id: 'a1', time: at(1000), principal: 'alice', action: 'associateIdentityProviderConfig', cluster, resource: 'idp-1', outcome: AuditOutcome.SUCCEEDED, status: 202, requestId: 'r1', clientRequestToken: 'tok-1', awsRequestId: 'aws-1', operationId: randomUUID(), awsCalls: [{ service: 'eks' as const, operation: 'AssociateIdentityProviderConfig', outcome: 'success' as const, awsRequestId: 'aws-1' }] },
      { id: 'a2', time: at(2000), principal: 'bob', action: 'disassociateIdentityProviderConfig', cluster, outcome: AuditOutcome.FAILED, status: 409, requestId: 'r2' },
      { id: 'a3', time: at(3000), principal: 'alice', action: 'putOidcProvider', cluster, outcome: AuditOutcome.DENIED, status: 403, requestId: 'r3' },
      { id: 'a4', time: at(4000), principal: 'alice', action: 'associateIdentityProviderConfig', cluster, outcome: AuditOutcome.REPLAYED, status: 202, requestId: 'r4' },
      { id: 'a5', time: at(4000), principal: 'carol', action: 'putOidcProvider', cluster, outcome: AuditOutcome.SUCCEEDED, status: 200, requestId: 'r5', dryRun: true }
    ].map((r) => ({ dryRun: false, awsCalls: [], ...r, id: `${cluster}-${r.id}` }))
    for (const record of records) await getStore().appendAudit(record)
    const ids = (page: { items: AuditRecord[] }) => page.items.map((r) => r.id.slice(cluster.length + 1))
    const list = (filter: Parameters<Store['listAudit']>[0]) => getStore().listAudit({ cluster, ...filter })

    t.test('records round-trip, optional fields stay absent', async (t) => {
      const page = await list({})
      t.same(page.items.find((r) => r.id.endsWith('-a1')), records[0])
      const bare = page.items.find((r) => r.id.endsWith('-a2'))
      t.same(bare, records[1])
      t.notOk(bare !== undefined && 'resource' in bare)
    })

    t.test('filters combine', async (t) => {
      t.same(ids(await list({})), ['a5', 'a4', 'a3', 'a2', 'a1'], 'newest first, ties by id')
      t.same(ids(await list({ principal: 'alice' })), ['a4', 'a3', 'a1'])
      t.same(ids(await list({ action: 'putOidcProvider' })), ['a5', 'a3'])
      t.same(ids(await list({ outcome: AuditOutcome.SUCCEEDED })), ['a5', 'a1'])
      t.same(ids(await list({ since: at(2000), until: at(4000) })), ['a3', 'a2'], 'since inclusive, until exclusive')
      t.same(ids(await list({ principal: 'alice', action: 'associateIdentityProviderConfig', outcome: AuditOutcome.REPLAYED })), ['a4'])
      t.same(ids(await getStore().listAudit({ cluster: cluster + '-none' })), [])
    })

    t.test('cursor pagination walks every record once, including equal timestamps', async (t) => {
      const walked: string[] = []
      let nextToken: string | undefined
      let pages = 0
      do {
        const page = await list({ limit: 2, nextToken })
        walked.push(...ids(page))
        nextToken = page.nextToken
        pages++
      } while (nextToken !== undefined && pages < 10)
      t.same(walked, ['a5', 'a4', 'a3', 'a2', 'a1'])
      t.equal(pages, 3)
      await t.rejects(list({ nextToken: 'not*a*token' }), { status: 400, code: 'InvalidParameterException' })
    })

    t.test('a duplicate id is refused', async (t) => {
      await t.rejects(getStore().appendAudit(records[0]))
    })
  })
}
