import t from 'tap'
import {
  AssociateIdentityProviderConfigCommand, DescribeClusterCommand, DescribeIdentityProviderConfigCommand,
  DescribeUpdateCommand, DisassociateIdentityProviderConfigCommand, ListIdentityProviderConfigsCommand, ListUpdatesCommand
} from '@aws-sdk/client-eks'
import { caught, eksClient, fakeClock, startEmulator, token } from './helpers.ts'

const DELAY_MS = 60_000
const clock = fakeClock()
const emulator = await startEmulator(t, {
  clock: clock.now,
  transitionDelayMs: DELAY_MS,
  seed: { clusters: [{ name: 'demo' }, { name: 'other' }] }
})
const eks = eksClient(t, emulator)

const oidc = { identityProviderConfigName: 'corp', issuerUrl: 'https://issuer.example.com', clientId: 'kubernetes' }
const ref = { type: 'oidc', name: 'corp' }
const clusterStatus = async (name = 'demo') => (await eks.send(new DescribeClusterCommand({ name }))).cluster?.status
const configStatus = async () => (await eks.send(new DescribeIdentityProviderConfigCommand({ clusterName: 'demo', identityProviderConfig: ref })))
  .identityProviderConfig?.oidc?.status
const updateStatus = async (updateId?: string) => (await eks.send(new DescribeUpdateCommand({ name: 'demo', updateId }))).update?.status

t.test('associate: InProgress/CREATING/UPDATING until the delay passes on the injected clock', async t => {
  const startedAt = clock.now()
  const { update } = await eks.send(new AssociateIdentityProviderConfigCommand({ clusterName: 'demo', oidc, clientRequestToken: token('assoc') }))
  t.equal(update?.status, 'InProgress')
  t.equal(update?.createdAt?.getTime(), startedAt, 'createdAt keeps the fractional second of the clock')
  t.equal(await configStatus(), 'CREATING')
  t.equal(await clusterStatus(), 'UPDATING')
  t.equal(await clusterStatus('other'), 'ACTIVE', 'other clusters are unaffected')

  const busy = await caught(t, () => eks.send(new DisassociateIdentityProviderConfigCommand({ clusterName: 'demo', identityProviderConfig: ref })))
  t.equal(busy.name, 'ResourceInUseException')
  t.equal(busy.$metadata?.httpStatusCode, 409)
  t.equal(busy.message, `Cannot DisassociateIdentityProviderConfig because cluster demo currently has update ${update?.id} in progress`)
  const busyAssociate = await caught(t, () => eks.send(new AssociateIdentityProviderConfigCommand({
    clusterName: 'demo', oidc: { ...oidc, identityProviderConfigName: 'x' }
  })))
  t.equal(busyAssociate.name, 'ResourceInUseException')

  clock.advance(DELAY_MS - 1)
  t.equal(await updateStatus(update?.id), 'InProgress')
  t.equal(await configStatus(), 'CREATING')
  clock.advance(1)
  t.equal(await updateStatus(update?.id), 'Successful')
  t.equal(await configStatus(), 'ACTIVE')
  t.equal(await clusterStatus(), 'ACTIVE')
})

t.test('a reused clientRequestToken returns the original update, or is refused with other parameters', async t => {
  const before = (await eks.send(new ListUpdatesCommand({ name: 'demo' }))).updateIds
  const replay = await eks.send(new AssociateIdentityProviderConfigCommand({ clusterName: 'demo', oidc, clientRequestToken: token('assoc') }))
  t.equal(replay.update?.id, before?.[0], 'same update id')
  t.equal(replay.update?.status, 'Successful', 'the update as it stands now')
  t.same((await eks.send(new ListUpdatesCommand({ name: 'demo' }))).updateIds, before, 'no new update')

  const mismatch = await caught(t, () => eks.send(new AssociateIdentityProviderConfigCommand({
    clusterName: 'demo', oidc: { ...oidc, clientId: 'other' }, clientRequestToken: token('assoc')
  })))
  t.equal(mismatch.name, 'InvalidParameterException')
  t.equal(mismatch.$metadata?.httpStatusCode, 400)
  t.match(mismatch.message, /already been used/)

  const acrossOperations = await caught(t, () => eks.send(new DisassociateIdentityProviderConfigCommand({
    clusterName: 'demo', identityProviderConfig: ref, clientRequestToken: token('assoc')
  })))
  t.equal(acrossOperations.name, 'InvalidParameterException')
})

t.test('disassociate: DELETING, then gone; a replay during the update returns it instead of 409', async t => {
  const { update } = await eks.send(new DisassociateIdentityProviderConfigCommand({
    clusterName: 'demo', identityProviderConfig: ref, clientRequestToken: token('dis')
  }))
  t.equal(update?.status, 'InProgress')
  t.equal(await configStatus(), 'DELETING')
  t.same((await eks.send(new ListIdentityProviderConfigsCommand({ clusterName: 'demo' }))).identityProviderConfigs, [ref],
    'a DELETING config is still listed')
  t.equal(await clusterStatus(), 'UPDATING')

  const replay = await eks.send(new DisassociateIdentityProviderConfigCommand({
    clusterName: 'demo', identityProviderConfig: ref, clientRequestToken: token('dis')
  }))
  t.equal(replay.update?.id, update?.id)
  t.equal(replay.update?.status, 'InProgress')

  clock.advance(DELAY_MS)
  t.equal(await updateStatus(update?.id), 'Successful')
  const gone = await caught(t, () => configStatus())
  t.equal(gone.name, 'ResourceNotFoundException')
  t.same((await eks.send(new ListIdentityProviderConfigsCommand({ clusterName: 'demo' }))).identityProviderConfigs, [])
  t.equal(await clusterStatus(), 'ACTIVE')
  t.equal((await eks.send(new ListUpdatesCommand({ name: 'demo' }))).updateIds?.length, 2, 'updates are kept')
})

t.test('the SDK auto-fills a 36-character UUID token when none is given, and it is accepted', async t => {
  const { update } = await eks.send(new AssociateIdentityProviderConfigCommand({ clusterName: 'other', oidc }))
  t.equal(update?.status, 'InProgress')
  const cluster = emulator.state.clusters.get('other')
  const tokens = [...cluster?.clientTokens.keys() ?? []]
  t.equal(tokens.length, 1)
  t.match(tokens[0], /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/)
})
