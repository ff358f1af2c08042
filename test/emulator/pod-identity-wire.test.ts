/** EKS Pod Identity associations and add-ons on the wire: the SDK (v3) against the emulator. */
import t from 'tap'
import {
  CreatePodIdentityAssociationCommand, DeletePodIdentityAssociationCommand, DescribeAddonCommand,
  DescribePodIdentityAssociationCommand, ListAddonsCommand, ListPodIdentityAssociationsCommand,
  UpdatePodIdentityAssociationCommand, paginateListPodIdentityAssociations
} from '@aws-sdk/client-eks'
import { caught, eksClient, fakeClock, startEmulator, token } from './helpers.ts'
import { MAX_ASSOCIATIONS_PER_CLUSTER } from '../../emulator/pod-identity.ts'

const clock = fakeClock()
const emulator = await startEmulator(t, {
  clock: clock.now,
  seed: {
    clusters: [
      { name: 'demo', addons: [{ name: 'eks-pod-identity-agent', status: 'ACTIVE' }, { name: 'vpc-cni' }] },
      { name: 'sick', addons: [{ name: 'eks-pod-identity-agent', status: 'DEGRADED' }] },
      { name: 'bare' },
      { name: 'crowded' }
    ]
  }
})
const eks = eksClient(t, emulator)
const account = emulator.accountId
const role = (name: string, accountId = account) => `arn:aws:iam::${accountId}:role/${name}`

t.test('create, describe, update and delete an association', async t => {
  const created = await eks.send(new CreatePodIdentityAssociationCommand({
    clusterName: 'demo', namespace: 'shop', serviceAccount: 'cart', roleArn: role('cart'), tags: { team: 'shop' }
  }))
  const association = created.association!
  t.match(association.associationId, /^a-[a-z0-9]{17}$/)
  t.equal(association.associationArn, `arn:aws:eks:us-east-1:${account}:podidentityassociation/demo/${association.associationId}`)
  t.same({ ns: association.namespace, sa: association.serviceAccount, role: association.roleArn, tags: association.tags, disable: association.disableSessionTags },
    { ns: 'shop', sa: 'cart', role: role('cart'), tags: { team: 'shop' }, disable: false })
  t.ok(association.createdAt instanceof Date, 'createdAt is a timestamp')
  t.equal(association.targetRoleArn, undefined)

  const described = await eks.send(new DescribePodIdentityAssociationCommand({ clusterName: 'demo', associationId: association.associationId }))
  t.same(described.association, association)

  clock.advance(60_000)
  const updated = await eks.send(new UpdatePodIdentityAssociationCommand({
    clusterName: 'demo', associationId: association.associationId, targetRoleArn: role('bucket-reader', '444455556666'), disableSessionTags: true
  }))
  t.equal(updated.association?.roleArn, role('cart'), 'the role is kept')
  t.equal(updated.association?.targetRoleArn, role('bucket-reader', '444455556666'))
  t.equal(updated.association?.externalId, `us-east-1/${account}/demo/shop/cart`)
  t.equal(updated.association?.disableSessionTags, true)
  t.equal(updated.association!.modifiedAt!.getTime() - updated.association!.createdAt!.getTime(), 60_000)

  const cleared = await eks.send(new UpdatePodIdentityAssociationCommand({ clusterName: 'demo', associationId: association.associationId, targetRoleArn: '' }))
  t.equal(cleared.association?.targetRoleArn, undefined, 'an empty targetRoleArn removes the target role')
  t.equal(cleared.association?.externalId, undefined)

  const deleted = await eks.send(new DeletePodIdentityAssociationCommand({ clusterName: 'demo', associationId: association.associationId }))
  t.equal(deleted.association?.associationId, association.associationId)
  const gone = await caught(t, () => eks.send(new DescribePodIdentityAssociationCommand({ clusterName: 'demo', associationId: association.associationId })))
  t.same({ name: gone.name, status: gone.$metadata?.httpStatusCode }, { name: 'ResourceNotFoundException', status: 404 })
  const again = await caught(t, () => eks.send(new DeletePodIdentityAssociationCommand({ clusterName: 'demo', associationId: association.associationId })))
  t.equal(again.name, 'ResourceNotFoundException', 'a second delete finds nothing')
})

t.test('one association per service account; the same token replays, a different request with it is refused', async t => {
  const input = { clusterName: 'demo', namespace: 'billing', serviceAccount: 'invoicer', roleArn: role('invoicer'), clientRequestToken: token('billing') }
  const first = await eks.send(new CreatePodIdentityAssociationCommand(input))
  const replay = await eks.send(new CreatePodIdentityAssociationCommand(input))
  t.equal(replay.association?.associationId, first.association?.associationId, 'same token and input answer the same association')

  const mismatch = await caught(t, () => eks.send(new CreatePodIdentityAssociationCommand({ ...input, roleArn: role('other') })))
  t.same({ name: mismatch.name, status: mismatch.$metadata?.httpStatusCode }, { name: 'InvalidParameterException', status: 400 })

  const second = await caught(t, () => eks.send(new CreatePodIdentityAssociationCommand({ ...input, clientRequestToken: undefined, roleArn: role('other') })))
  t.same({ name: second.name, status: second.$metadata?.httpStatusCode }, { name: 'ResourceInUseException', status: 409 })
  t.match(second.message, first.association!.associationId!)

  const { associations } = await eks.send(new ListPodIdentityAssociationsCommand({ clusterName: 'demo', namespace: 'billing' }))
  t.equal(associations?.length, 1)
})

t.test('inputs are checked as the EKS model and user guide say', async t => {
  const base = { clusterName: 'demo', namespace: 'checks', serviceAccount: 'sa', roleArn: role('checks') }
  const refusals: Array<[string, Record<string, unknown>]> = [
    ['role ARN that is not a role', { roleArn: 'arn:aws:iam::111122223333:user/alice' }],
    ['role in another account', { roleArn: role('x', '444455556666') }],
    ['target role that is not a role', { targetRoleArn: 'not-an-arn' }],
    ['policy without disableSessionTags', { policy: '{"Version":"2012-10-17","Statement":[]}' }],
    ['policy that is not JSON', { policy: 'allow all', disableSessionTags: true }],
    ['51 tags', { tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) }],
    ['a reserved tag key', { tags: { 'aws:owner': 'me' } }]
  ]
  for (const [what, change] of refusals) {
    const error = await caught(t, () => eks.send(new CreatePodIdentityAssociationCommand({ ...base, ...change })))
    t.same({ name: error.name, status: error.$metadata?.httpStatusCode }, { name: 'InvalidParameterException', status: 400 }, what)
  }
  const unknown = await caught(t, () => eks.send(new CreatePodIdentityAssociationCommand({ ...base, clusterName: 'nope' })))
  t.equal(unknown.name, 'ResourceNotFoundException')

  const created = await eks.send(new CreatePodIdentityAssociationCommand({ ...base, disableSessionTags: true, policy: '{"Version":"2012-10-17","Statement":[]}' }))
  t.equal(created.association?.policy, '{"Version":"2012-10-17","Statement":[]}', 'a policy with session tags disabled is kept')
  const nothing = await caught(t, () => eks.send(new UpdatePodIdentityAssociationCommand({ clusterName: 'demo', associationId: created.association!.associationId })))
  t.equal(nothing.name, 'InvalidParameterException', 'an update must change something')
  const tagsBack = await caught(t, () => eks.send(new UpdatePodIdentityAssociationCommand({ clusterName: 'demo', associationId: created.association!.associationId, disableSessionTags: false })))
  t.equal(tagsBack.name, 'InvalidParameterException', 'session tags cannot come back while a policy is set')
})

t.test('list filters by namespace and service account and pages with maxResults 1..100', async t => {
  for (const sa of ['a', 'b', 'c']) {
    await eks.send(new CreatePodIdentityAssociationCommand({ clusterName: 'bare', namespace: 'paging', serviceAccount: sa, roleArn: role(sa) }))
  }
  await eks.send(new CreatePodIdentityAssociationCommand({ clusterName: 'bare', namespace: 'other', serviceAccount: 'a', roleArn: role('a') }))
  const first = await eks.send(new ListPodIdentityAssociationsCommand({ clusterName: 'bare', namespace: 'paging', maxResults: 2 }))
  t.same(first.associations?.map(a => a.serviceAccount), ['a', 'b'])
  t.type(first.nextToken, 'string')
  const names: string[] = []
  for await (const page of paginateListPodIdentityAssociations({ client: eks, pageSize: 1 }, { clusterName: 'bare', namespace: 'paging' })) {
    names.push(...(page.associations ?? []).map(a => a.serviceAccount!))
  }
  t.same(names, ['a', 'b', 'c'])
  const bySa = await eks.send(new ListPodIdentityAssociationsCommand({ clusterName: 'bare', serviceAccount: 'a' }))
  t.same(bySa.associations?.map(a => a.namespace), ['paging', 'other'])
  t.same(Object.keys(bySa.associations![0]).sort(), ['associationArn', 'associationId', 'clusterName', 'namespace', 'serviceAccount'])
  for (const maxResults of [0, 101]) {
    const error = await caught(t, () => eks.send(new ListPodIdentityAssociationsCommand({ clusterName: 'bare', maxResults })))
    t.equal(error.name, 'InvalidParameterException', `maxResults ${maxResults} is refused`)
  }
})

t.test(`a cluster holds at most ${MAX_ASSOCIATIONS_PER_CLUSTER} associations`, async t => {
  const state = emulator.state.podIdentityOf('crowded')
  // Fill the cluster directly: a thousand wire calls would only slow the test.
  for (let i = 0; i < MAX_ASSOCIATIONS_PER_CLUSTER; i++) {
    state.associations.set(`a-fill${i}`, {
      associationId: `a-fill${i}`,
      associationArn: `arn:aws:eks:us-east-1:${account}:podidentityassociation/crowded/a-fill${i}`,
      seq: state.nextSeq++,
      clusterName: 'crowded',
      namespace: 'fill',
      serviceAccount: `sa-${i}`,
      roleArn: role('fill'),
      disableSessionTags: false,
      tags: {},
      createdAtMs: 0,
      modifiedAtMs: 0
    })
  }
  const error = await caught(t, () => eks.send(new CreatePodIdentityAssociationCommand({ clusterName: 'crowded', namespace: 'fill', serviceAccount: 'one-more', roleArn: role('fill') })))
  t.same({ name: error.name, status: error.$metadata?.httpStatusCode }, { name: 'ResourceLimitExceededException', status: 400 })
  state.associations.delete('a-fill0')
  const fits = await eks.send(new CreatePodIdentityAssociationCommand({ clusterName: 'crowded', namespace: 'fill', serviceAccount: 'one-more', roleArn: role('fill') }))
  t.ok(fits.association?.associationId, 'below the quota again, a create succeeds')
})

t.test('DescribeAddon and ListAddons answer the seeded add-ons', async t => {
  const agent = await eks.send(new DescribeAddonCommand({ clusterName: 'demo', addonName: 'eks-pod-identity-agent' }))
  t.same({ status: agent.addon?.status, issues: agent.addon?.health?.issues }, { status: 'ACTIVE', issues: [] })
  const sick = await eks.send(new DescribeAddonCommand({ clusterName: 'sick', addonName: 'eks-pod-identity-agent' }))
  t.equal(sick.addon?.status, 'DEGRADED')
  t.equal(sick.addon?.health?.issues?.[0]?.code, 'InsufficientNumberOfReplicas')
  const absent = await caught(t, () => eks.send(new DescribeAddonCommand({ clusterName: 'bare', addonName: 'eks-pod-identity-agent' })))
  t.same({ name: absent.name, status: absent.$metadata?.httpStatusCode, addonName: absent.addonName }, { name: 'ResourceNotFoundException', status: 404, addonName: 'eks-pod-identity-agent' })
  const listed = await eks.send(new ListAddonsCommand({ clusterName: 'demo' }))
  t.same(listed.addons, ['eks-pod-identity-agent', 'vpc-cni'])
})
