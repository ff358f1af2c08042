import t from 'tap'
import {
  AssociateAccessPolicyCommand, CreateAccessEntryCommand, DeleteAccessEntryCommand, DescribeAccessEntryCommand,
  DescribeClusterCommand, DescribeUpdateCommand, DisassociateAccessPolicyCommand, ListAccessEntriesCommand,
  ListAssociatedAccessPoliciesCommand, UpdateAccessEntryCommand, UpdateClusterConfigCommand,
  paginateListAccessEntries, paginateListAccessPolicies
} from '@aws-sdk/client-eks'
import { caught, eksClient, fakeClock, startEmulator, token } from './helpers.ts'
import { seedRoles } from './roles.ts'

const ACCOUNT = '111122223333'
const VIEW = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy'
const ADMIN = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminPolicy'
const role = (name: string, account = ACCOUNT) => `arn:aws:iam::${account}:role/${name}`

const clock = fakeClock()
const emulator = await startEmulator(t, {
  clock: clock.now,
  transitionDelayMs: 60_000,
  seed: {
    roles: seedRoles('dev/apps/deployer', 'nodes', 'fargate', 'ci', 'x'),
    clusters: [
      { name: 'demo' },
      { name: 'legacy', authenticationMode: 'CONFIG_MAP' },
      { name: 'modes', authenticationMode: 'CONFIG_MAP' },
      { name: 'api-only', authenticationMode: 'API' }
    ]
  }
})
const eks = eksClient(t, emulator)

t.test('CreateAccessEntry fills in the type, username and groups EKS sets by default', async t => {
  const { accessEntry: standard } = await eks.send(new CreateAccessEntryCommand({
    clusterName: 'demo', principalArn: role('dev/apps/deployer'), kubernetesGroups: ['deployers'], tags: { team: 'apps' }
  }))
  t.match(standard, {
    clusterName: 'demo',
    principalArn: role('dev/apps/deployer'),
    type: 'STANDARD',
    // The path of the role is dropped in the username EKS generates.
    username: `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/{{SessionName}}`,
    kubernetesGroups: ['deployers'],
    tags: { team: 'apps' }
  })
  t.match(standard?.accessEntryArn, /^arn:aws:eks:us-east-1:111122223333:access-entry\/demo\/role\/111122223333\/deployer\//)
  t.type(standard?.createdAt, Date)

  const { accessEntry: user } = await eks.send(new CreateAccessEntryCommand({ clusterName: 'demo', principalArn: `arn:aws:iam::${ACCOUNT}:user/alice` }))
  t.equal(user?.username, `arn:aws:iam::${ACCOUNT}:user/alice`)
  t.same(user?.kubernetesGroups, [])

  const { accessEntry: node } = await eks.send(new CreateAccessEntryCommand({ clusterName: 'demo', principalArn: role('nodes'), type: 'EC2_LINUX' }))
  t.match(node, { type: 'EC2_LINUX', username: 'system:node:{{EC2PrivateDNSName}}', kubernetesGroups: ['system:nodes'] })
  const { accessEntry: fargate } = await eks.send(new CreateAccessEntryCommand({ clusterName: 'demo', principalArn: role('fargate'), type: 'FARGATE_LINUX' }))
  t.equal(fargate?.username, 'system:node:{{SessionName}}')

  const described = await eks.send(new DescribeAccessEntryCommand({ clusterName: 'demo', principalArn: role('dev/apps/deployer') }))
  t.same(described.accessEntry, standard, 'Describe answers what Create did')
})

t.test('CreateAccessEntry refuses what EKS refuses', async t => {
  const refused = async (input: Record<string, unknown>, name: string, pattern: RegExp) => {
    const error = await caught(t, () => eks.send(new CreateAccessEntryCommand({ clusterName: 'demo', principalArn: role('x'), ...input })))
    t.equal(error.name, name, JSON.stringify(input))
    t.match(error.message, pattern)
    return error
  }
  const duplicate = await refused({ principalArn: role('nodes') }, 'ResourceInUseException', /already in use/)
  t.equal(duplicate.$metadata?.httpStatusCode, 409)
  await refused({ principalArn: `arn:aws:sts::${ACCOUNT}:assumed-role/admin/alice` }, 'InvalidParameterException', /STS session/)
  await refused({ principalArn: 'not-an-arn' }, 'InvalidParameterException', /principalArn is invalid/)
  await refused({ principalArn: role('aws-service-role/eks.amazonaws.com/AWSServiceRoleForAmazonEKS') }, 'InvalidParameterException', /service-linked/)
  await refused({ type: 'WINDOWS' }, 'InvalidParameterException', /type WINDOWS is invalid/)
  await refused({ type: 'EC2_LINUX', kubernetesGroups: ['admins'] }, 'InvalidParameterException', /kubernetesGroups cannot be specified/)
  await refused({ type: 'EC2_LINUX', principalArn: `arn:aws:iam::${ACCOUNT}:user/bob` }, 'InvalidParameterException', /IAM role/)
  await refused({ type: 'HYBRID_LINUX', principalArn: role('hybrid', '444455556666') }, 'InvalidParameterException', /cluster's account/)
  await refused({ username: 'system:admin' }, 'InvalidParameterException', /must not start with system:/)
  await refused({ username: 'john{{SessionName}}' }, 'InvalidParameterException', /preceded by a colon/)
  await refused({ principalArn: role('never-created') }, 'InvalidParameterException', /role arn:aws:iam::111122223333:role\/never-created does not exist/)
  await refused({ principalArn: role('other-path/nodes') }, 'InvalidParameterException', /does not exist/)
  const missing = await caught(t, () => eks.send(new CreateAccessEntryCommand({ clusterName: 'demo', principalArn: undefined })))
  t.equal(missing.name, 'InvalidParameterException')

  const crossAccount = await eks.send(new CreateAccessEntryCommand({ clusterName: 'demo', principalArn: role('auditor', '444455556666'), username: 'auditor:{{SessionName}}' }))
  t.equal(crossAccount.accessEntry?.username, 'auditor:{{SessionName}}', 'a STANDARD entry may name another account')
})

t.test('a cluster in CONFIG_MAP mode refuses every access entry call', async t => {
  const error = await caught(t, () => eks.send(new ListAccessEntriesCommand({ clusterName: 'legacy' })))
  t.equal(error.name, 'InvalidRequestException')
  t.match(error.message, /authentication mode must be set to one of \[API, API_AND_CONFIG_MAP\]/)
  const create = await caught(t, () => eks.send(new CreateAccessEntryCommand({ clusterName: 'legacy', principalArn: role('x') })))
  t.equal(create.name, 'InvalidRequestException')
  const unknown = await caught(t, () => eks.send(new ListAccessEntriesCommand({ clusterName: 'nope' })))
  t.equal(unknown.name, 'ResourceNotFoundException')
})

t.test('a clientRequestToken replays the first answer and refuses another request', async t => {
  const input = { clusterName: 'api-only', principalArn: role('ci'), clientRequestToken: token('create-ci') }
  const first = await eks.send(new CreateAccessEntryCommand(input))
  const again = await eks.send(new CreateAccessEntryCommand(input))
  t.same(again.accessEntry, first.accessEntry)
  const other = await caught(t, () => eks.send(new CreateAccessEntryCommand({ ...input, kubernetesGroups: ['x'] })))
  t.equal(other.name, 'InvalidParameterException')
})

t.test('UpdateAccessEntry changes groups and username of a STANDARD entry only', async t => {
  clock.advance(1000)
  const { accessEntry } = await eks.send(new UpdateAccessEntryCommand({
    clusterName: 'demo', principalArn: role('dev/apps/deployer'), kubernetesGroups: ['deployers', 'viewers'], username: 'deployer:{{SessionName}}'
  }))
  t.same(accessEntry?.kubernetesGroups, ['deployers', 'viewers'])
  t.equal(accessEntry?.username, 'deployer:{{SessionName}}')
  t.ok(accessEntry!.modifiedAt! > accessEntry!.createdAt!, 'modifiedAt moves')
  const node = await caught(t, () => eks.send(new UpdateAccessEntryCommand({ clusterName: 'demo', principalArn: role('nodes'), kubernetesGroups: ['x'] })))
  t.equal(node.name, 'InvalidParameterException')
  const missing = await caught(t, () => eks.send(new UpdateAccessEntryCommand({ clusterName: 'demo', principalArn: role('ghost'), username: 'a:b' })))
  t.equal(missing.name, 'ResourceNotFoundException')
})

t.test('access policies: associate with a scope, change it, list, filter entries by it, disassociate', async t => {
  const principalArn = role('dev/apps/deployer')
  const { associatedAccessPolicy } = await eks.send(new AssociateAccessPolicyCommand({
    clusterName: 'demo', principalArn, policyArn: VIEW, accessScope: { type: 'namespace', namespaces: ['dev-*', 'shared'] }
  }))
  t.same(associatedAccessPolicy?.accessScope, { type: 'namespace', namespaces: ['dev-*', 'shared'] })
  clock.advance(1000)
  const changed = await eks.send(new AssociateAccessPolicyCommand({ clusterName: 'demo', principalArn, policyArn: VIEW, accessScope: { type: 'cluster' } }))
  t.same(changed.associatedAccessPolicy?.accessScope, { type: 'cluster', namespaces: [] }, 'associating again changes the scope')
  t.same(changed.associatedAccessPolicy?.associatedAt, associatedAccessPolicy?.associatedAt)
  t.ok(changed.associatedAccessPolicy!.modifiedAt! > associatedAccessPolicy!.modifiedAt!)

  const listed = await eks.send(new ListAssociatedAccessPoliciesCommand({ clusterName: 'demo', principalArn }))
  t.same(listed.associatedAccessPolicies?.map(policy => policy.policyArn), [VIEW])
  t.equal(listed.principalArn, principalArn)
  const filtered = await eks.send(new ListAccessEntriesCommand({ clusterName: 'demo', associatedPolicyArn: VIEW }))
  t.same(filtered.accessEntries, [principalArn])

  const scopeErrors = [
    [{ type: 'namespace' }, /namespaces is required/],
    [{ type: 'cluster', namespaces: ['a'] }, /must be empty/],
    [{ type: 'everything' }, /scope type everything is invalid/]
  ] as const
  for (const [accessScope, pattern] of scopeErrors) {
    const error = await caught(t, () => eks.send(new AssociateAccessPolicyCommand({ clusterName: 'demo', principalArn, policyArn: ADMIN, accessScope: accessScope as never })))
    t.equal(error.name, 'InvalidParameterException')
    t.match(error.message, pattern)
  }
  const unknownPolicy = await caught(t, () => eks.send(new AssociateAccessPolicyCommand({
    clusterName: 'demo', principalArn, policyArn: 'arn:aws:eks::aws:cluster-access-policy/Mine', accessScope: { type: 'cluster' }
  })))
  t.equal(unknownPolicy.name, 'InvalidParameterException')
  const onNode = await caught(t, () => eks.send(new AssociateAccessPolicyCommand({ clusterName: 'demo', principalArn: role('nodes'), policyArn: VIEW, accessScope: { type: 'cluster' } })))
  t.equal(onNode.name, 'InvalidRequestException')
  t.match(onNode.message, /STANDARD/)

  await eks.send(new DisassociateAccessPolicyCommand({ clusterName: 'demo', principalArn, policyArn: VIEW }))
  const after = await eks.send(new ListAssociatedAccessPoliciesCommand({ clusterName: 'demo', principalArn }))
  t.same(after.associatedAccessPolicies, [])
  const again = await caught(t, () => eks.send(new DisassociateAccessPolicyCommand({ clusterName: 'demo', principalArn, policyArn: VIEW })))
  t.equal(again.name, 'ResourceNotFoundException')
})

t.test('ListAccessEntries pages in principal order; DeleteAccessEntry removes one', async t => {
  const arns: string[] = []
  for await (const page of paginateListAccessEntries({ client: eks, pageSize: 2 }, { clusterName: 'demo' })) arns.push(...page.accessEntries ?? [])
  t.same(arns, [...arns].sort())
  t.ok(arns.length >= 5)
  await eks.send(new DeleteAccessEntryCommand({ clusterName: 'demo', principalArn: role('fargate') }))
  const gone = await caught(t, () => eks.send(new DescribeAccessEntryCommand({ clusterName: 'demo', principalArn: role('fargate') })))
  t.equal(gone.name, 'ResourceNotFoundException')
  t.equal(gone.$metadata?.httpStatusCode, 404)
  const twice = await caught(t, () => eks.send(new DeleteAccessEntryCommand({ clusterName: 'demo', principalArn: role('fargate') })))
  t.equal(twice.name, 'ResourceNotFoundException')
})

t.test('ListAccessPolicies answers the AWS-managed policies, paged', async t => {
  const policies: Array<{ name?: string, arn?: string }> = []
  for await (const page of paginateListAccessPolicies({ client: eks, pageSize: 10 }, {})) policies.push(...page.accessPolicies ?? [])
  const names = policies.map(policy => policy.name)
  for (const name of ['AmazonEKSClusterAdminPolicy', 'AmazonEKSAdminPolicy', 'AmazonEKSEditPolicy', 'AmazonEKSViewPolicy', 'AmazonEKSAdminViewPolicy']) {
    t.ok(names.includes(name), name)
  }
  t.ok(policies.every(policy => policy.arn === `arn:aws:eks::aws:cluster-access-policy/${policy.name}`))
})

t.test('UpdateClusterConfig moves the authentication mode one step forward as an AccessConfigUpdate', async t => {
  const mode = async () => (await eks.send(new DescribeClusterCommand({ name: 'modes' }))).cluster?.accessConfig?.authenticationMode
  t.equal(await mode(), 'CONFIG_MAP')
  const skip = await caught(t, () => eks.send(new UpdateClusterConfigCommand({ name: 'modes', accessConfig: { authenticationMode: 'API' } })))
  t.equal(skip.name, 'InvalidParameterException')
  t.equal(skip.message, 'Unsupported authentication mode update from CONFIG_MAP to API')

  const { update } = await eks.send(new UpdateClusterConfigCommand({ name: 'modes', accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' }, clientRequestToken: token('mode-1') }))
  t.match(update, { type: 'AccessConfigUpdate', status: 'InProgress', params: [{ type: 'AuthenticationMode', value: 'API_AND_CONFIG_MAP' }] })
  const replay = await eks.send(new UpdateClusterConfigCommand({ name: 'modes', accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' }, clientRequestToken: token('mode-1') }))
  t.equal(replay.update?.id, update?.id, 'the same token answers the same update')
  const busy = await caught(t, () => eks.send(new UpdateClusterConfigCommand({ name: 'modes', accessConfig: { authenticationMode: 'API' } })))
  t.equal(busy.name, 'ResourceInUseException')
  t.equal(await mode(), 'CONFIG_MAP', 'the mode changes when the update ends')

  clock.advance(60_000)
  const done = await eks.send(new DescribeUpdateCommand({ name: 'modes', updateId: update!.id! }))
  t.equal(done.update?.status, 'Successful')
  t.equal(await mode(), 'API_AND_CONFIG_MAP')
  const same = await caught(t, () => eks.send(new UpdateClusterConfigCommand({ name: 'modes', accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' } })))
  t.equal(same.message, 'Unsupported authentication mode update from API_AND_CONFIG_MAP to API_AND_CONFIG_MAP')
  const back = await caught(t, () => eks.send(new UpdateClusterConfigCommand({ name: 'modes', accessConfig: { authenticationMode: 'CONFIG_MAP' } })))
  t.equal(back.name, 'InvalidParameterException')
  t.equal(back.$metadata?.httpStatusCode, 400)
  const badMode = await caught(t, () => eks.send(new UpdateClusterConfigCommand({ name: 'modes', accessConfig: { authenticationMode: 'OPEN' as never } })))
  t.match(badMode.message, /enum value set/)
  const nothing = await caught(t, () => eks.send(new UpdateClusterConfigCommand({ name: 'modes' })))
  t.equal(nothing.name, 'InvalidParameterException')
})

t.test('the seed refuses what the API refuses', async t => {
  t.throws(() => emulator.seed({ clusters: [{ name: 'seeded-legacy', authenticationMode: 'CONFIG_MAP', accessEntries: [{ principalArn: role('a') }] }] }), /CONFIG_MAP mode cannot have access entries/)
  t.throws(() => emulator.seed({ clusters: [{ name: 'seeded-bad', accessEntries: [{ principalArn: role('n'), type: 'EC2_LINUX', kubernetesGroups: ['x'] }] }] }), /kubernetesGroups cannot be specified/)
  t.throws(() => emulator.seed({ clusters: [{ name: 'seeded-mode', authenticationMode: 'OPEN' as never }] }), /invalid authenticationMode/)
})
