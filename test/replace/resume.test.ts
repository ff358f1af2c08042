/**
 * The replacement is durable state: a new app on the same store resumes it where the last one
 * stopped, a lease left by a dead replica is honoured until it expires, and of two runners on one
 * store only the lease holder drives an operation. (Store-level leases: operation-leases.test.ts.)
 */
import { randomUUID } from 'node:crypto'
import t from 'tap'
import type { Scope } from '../../src/accounts/scopes.ts'
import { ReplaceRunner } from '../../src/replace/runner.ts'
import { REPLACE_ACTION, initialSteps } from '../../src/replace/plan.ts'
import { ClusterService } from '../../src/services/clusters.ts'
import { IdentityProviderConfigService } from '../../src/services/identity-provider-configs.ts'
import { build, testStore } from '../support/build.ts'
import { createFakeAws } from '../support/fake-aws.ts'
import { buildReplace, CLUSTER_ISSUER, eventually, NEW, OLD, REPLACE_ENV, seedConfig, updateIdOf, writeCalls } from './support.ts'

const silent = { debug () {}, info () {}, warn () {}, error () {} }

t.test('a new app on the same store resumes the replacement and starts no second update', async t => {
  const first = await buildReplace(t)
  const { aws, cluster, store } = first
  seedConfig(aws, cluster, OLD)
  const reply = await first.app.inject({ method: 'PUT', url: `/clusters/${cluster}/identity-provider-configs/corp?skipIssuerChecks=true`, payload: { oidc: NEW } })
  t.equal(reply.statusCode, 202)
  const { operationId } = reply.json()
  const disassociation = await updateIdOf(aws, cluster, 'DisassociateIdentityProviderConfig')
  await eventually(async () => (replaceSteps(await store.operations.get(operationId))[0]?.updateId === disassociation) || undefined)
  await first.app.close()

  // The disassociation completes while no service runs.
  aws.settleUpdate(disassociation)
  const second = await buildReplace(t, { cluster, deps: { eks: aws.eks, iam: aws.iam, store } })
  aws.settleUpdate(await updateIdOf(aws, cluster, 'AssociateIdentityProviderConfig'))
  const done = await eventually(async () => { const op = await store.operations.get(operationId); return op?.status === 'succeeded' ? op : undefined })
  t.same(replaceSteps(done).map(s => `${s.name}:${s.status}`), ['disassociate:succeeded', 'wait-gone:succeeded', 'associate:succeeded'])
  t.same(writeCalls(aws), ['DisassociateIdentityProviderConfig', 'AssociateIdentityProviderConfig'], 'exactly one update each')
  const seen = await second.app.inject({ method: 'GET', url: `/clusters/${cluster}/operations/${operationId}` })
  t.equal(seen.json().status, 'succeeded', 'the new app reports it')
})

t.test('a lease left by a dead replica is honoured until it expires, then the replacement resumes', async t => {
  const first = await buildReplace(t)
  const { aws, cluster, store } = first
  seedConfig(aws, cluster, OLD)
  const { operationId } = (await first.app.inject({ method: 'PUT', url: `/clusters/${cluster}/identity-provider-configs/corp?skipIssuerChecks=true`, payload: { oidc: NEW } })).json()
  const disassociation = await updateIdOf(aws, cluster, 'DisassociateIdentityProviderConfig')
  await eventually(async () => (replaceSteps(await store.operations.get(operationId))[0]?.updateId === disassociation) || undefined)
  await first.app.close()
  // As if the replica had died holding the operation: its lease outlives it.
  const deadLease = (ms: number) => ({ owner: 'dead-replica', now: new Date(), until: new Date(Date.now() + ms) })
  t.ok(await store.operations.acquireLease(operationId, deadLease(60_000)))
  aws.settleUpdate(disassociation)

  const second = await buildReplace(t, { cluster, deps: { eks: aws.eks, iam: aws.iam, store }, env: { REPLACE_LEASE_SECONDS: '1' } })
  for (let sweep = 0; sweep < 2; sweep++) await second.app.services.scopes.default.replacements.runner.sweep()
  t.match(replaceSteps(await store.operations.get(operationId))[1], { status: 'pending' }, 'not touched while the lease lives, across sweeps')
  t.same(writeCalls(aws), ['DisassociateIdentityProviderConfig'])
  const expiry = deadLease(100)
  await store.operations.acquireLease(operationId, expiry)
  const association = await updateIdOf(aws, cluster, 'AssociateIdentityProviderConfig')
  t.ok(Date.now() >= expiry.until.getTime(), 'resumed by a later sweep once the lease expired')
  aws.settleUpdate(association)
  await eventually(async () => (await store.operations.get(operationId))?.status === 'succeeded' || undefined)
  t.same(writeCalls(aws), ['DisassociateIdentityProviderConfig', 'AssociateIdentityProviderConfig'])
})

t.test('of two runners on one store, only the lease holder drives; the other takes over when it is released', async t => {
  const store = await testStore()
  const cluster = `c-${randomUUID().slice(0, 8)}`
  const aws = createFakeAws([{ name: cluster, issuer: CLUSTER_ISSUER }])
  seedConfig(aws, cluster, OLD)
  const configs = new IdentityProviderConfigService({ eks: aws.eks, clusters: new ClusterService({ eks: aws.eks }), issuers: { preflightIssuer: async () => [] } })
  const runner = () => new ReplaceRunner({ operations: store.operations, configsOf: () => configs, pollIntervalMs: 5, maxPollIntervalMs: 20, leaseMs: 60_000, log: silent })
  const a = runner()
  const b = runner()
  t.teardown(async () => { await a.close(); await b.close() })

  const id = randomUUID()
  await store.operations.create({ id, principal: 'test', action: REPLACE_ACTION, cluster, resource: 'corp', now: new Date() })
  const started = await store.operations.startExclusive(id, { action: REPLACE_ACTION, cluster, resource: 'corp', details: { desired: { oidc: NEW }, steps: initialSteps('replace', id) }, lease: a.lease() })
  t.ok(started.started)
  b.kick(id)
  await b.idle(id)
  t.same(writeCalls(aws), [], 'the runner without the lease did nothing')
  a.kick(id)
  const disassociation = await updateIdOf(aws, cluster, 'DisassociateIdentityProviderConfig')
  b.kick(id)
  await b.idle(id)

  await a.close()
  t.notOk((await store.operations.get(id))?.details.lease, 'closing hands the lease back')
  aws.settleUpdate(disassociation)
  await b.sweep()
  aws.settleUpdate(await updateIdOf(aws, cluster, 'AssociateIdentityProviderConfig'))
  await eventually(async () => (await store.operations.get(id))?.status === 'succeeded' || undefined)
  t.same(writeCalls(aws), ['DisassociateIdentityProviderConfig', 'AssociateIdentityProviderConfig'], 'one update each across both runners')
})

function replaceSteps (record: { details: Record<string, unknown> } | undefined) {
  return (record?.details.steps ?? []) as Array<{ name: string, status: string, updateId?: string }>
}

t.test('a replacement started in another account is resumed in that account and region', async t => {
  const A = '111122223333'
  const B = '444455556666'
  const ACCOUNTS = JSON.stringify({ accounts: [{ accountId: A, regions: ['us-east-1'] }, { accountId: B, roleArn: `arn:aws:iam::${B}:role/eks-oidc-api`, regions: ['eu-west-1'] }] })
  const cluster = `c-${randomUUID().slice(0, 8)}`
  const inA = createFakeAws([{ name: cluster, issuer: CLUSTER_ISSUER }])
  const inB = createFakeAws([{ name: cluster, issuer: CLUSTER_ISSUER }])
  seedConfig(inA, cluster, OLD)
  seedConfig(inB, cluster, OLD)
  const sts = { assumeRole: async () => { throw new Error('not used') }, getCallerIdentity: async () => ({ $metadata: {} }) }
  const scopePorts = (scope: Scope) => ({ ...(scope.account.accountId === B ? inB : inA), sts })
  const store = await testStore()
  const appOn = () => build(t, { env: { ...REPLACE_ENV, ACCOUNTS }, deps: { store, scopePorts } })

  const first = await appOn()
  const reply = await first.app.inject({ method: 'PUT', url: `/accounts/${B}/regions/eu-west-1/clusters/${cluster}/identity-provider-configs/corp?skipIssuerChecks=true`, payload: { oidc: NEW } })
  t.equal(reply.statusCode, 202)
  t.equal(reply.headers.location, `/accounts/${B}/regions/eu-west-1/clusters/${cluster}/operations/${reply.json().operationId}`)
  const { operationId } = reply.json()
  const disassociation = await updateIdOf(inB, cluster, 'DisassociateIdentityProviderConfig')
  await eventually(async () => (replaceSteps(await store.operations.get(operationId))[0]?.updateId === disassociation) || undefined)
  await first.app.close()

  inB.settleUpdate(disassociation)
  await appOn()
  inB.settleUpdate(await updateIdOf(inB, cluster, 'AssociateIdentityProviderConfig'))
  const done = await eventually(async () => { const op = await store.operations.get(operationId); return op?.status === 'succeeded' ? op : undefined })
  t.match(done, { accountId: B, region: 'eu-west-1', action: REPLACE_ACTION })
  t.same(writeCalls(inB), ['DisassociateIdentityProviderConfig', 'AssociateIdentityProviderConfig'], 'both steps in account B')
  t.same(writeCalls(inA), [], 'nothing written in the default account')
})
