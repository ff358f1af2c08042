import t from 'tap'
import {
  AssociateIdentityProviderConfigCommand, DescribeClusterCommand, DescribeIdentityProviderConfigCommand,
  DescribeUpdateCommand, DisassociateIdentityProviderConfigCommand, ListClustersCommand,
  ListIdentityProviderConfigsCommand, ListTagsForResourceCommand, ListUpdatesCommand, TagResourceCommand,
  UntagResourceCommand, paginateListClusters, paginateListUpdates, type AssociateIdentityProviderConfigCommandInput
} from '@aws-sdk/client-eks'
import { caught, eksClient, fakeClock, startEmulator, token } from './helpers.ts'

const clock = fakeClock()
const emulator = await startEmulator(t, {
  clock: clock.now,
  seed: {
    clusters: [
      { name: 'demo', version: '1.32', tags: { env: 'dev' }, createdAt: '2025-03-01T12:00:00.500Z' },
      { name: 'payments-prod', version: '1.31' },
      { name: 'analytics-dev' },
      { name: 'booting', status: 'CREATING' },
      { name: 'broken', status: 'FAILED' }
    ]
  }
})
const eks = eksClient(t, emulator)

const baseOidc = { identityProviderConfigName: 'corp', issuerUrl: 'https://issuer.example.com', clientId: 'kubernetes' }
const associateInput = (clusterName: string, name = 'corp'): AssociateIdentityProviderConfigCommandInput => ({
  clusterName,
  oidc: { ...baseOidc, identityProviderConfigName: name }
})

t.test('ListClusters returns names sorted and pages with an opaque nextToken', async t => {
  const all = await eks.send(new ListClustersCommand({}))
  t.same(all.clusters, ['analytics-dev', 'booting', 'broken', 'demo', 'payments-prod'])
  t.equal(all.nextToken, undefined)

  const first = await eks.send(new ListClustersCommand({ maxResults: 2 }))
  t.same(first.clusters, ['analytics-dev', 'booting'])
  t.type(first.nextToken, 'string')
  t.notOk(first.nextToken?.includes('booting'), 'token does not expose the key in clear text')
  const second = await eks.send(new ListClustersCommand({ maxResults: 2, nextToken: first.nextToken, include: ['all'] }))
  t.same(second.clusters, ['broken', 'demo'])

  const names: string[] = []
  for await (const page of paginateListClusters({ client: eks, pageSize: 3 }, {})) names.push(...page.clusters ?? [])
  t.same(names, all.clusters, 'the SDK paginator walks every page')
})

t.test('ListClusters rejects maxResults outside 1..100, bad tokens and unknown include values', async t => {
  for (const maxResults of [0, 101]) {
    const error = await caught(t, () => eks.send(new ListClustersCommand({ maxResults })))
    t.equal(error.name, 'InvalidParameterException')
    t.equal(error.$metadata?.httpStatusCode, 400)
    t.match(error.message, /maxResults/)
  }
  const badToken = await caught(t, () => eks.send(new ListClustersCommand({ nextToken: 'abc' })))
  t.equal(badToken.name, 'InvalidParameterException')
  const badInclude = await caught(t, () => eks.send(new ListClustersCommand({ include: ['ALL'] })))
  t.equal(badInclude.name, 'InvalidParameterException')
})

t.test('DescribeCluster returns the cluster with Date timestamps and its own issuer', async t => {
  const { cluster } = await eks.send(new DescribeClusterCommand({ name: 'demo' }))
  t.ok(cluster?.createdAt instanceof Date)
  t.equal(cluster?.createdAt?.toISOString(), '2025-03-01T12:00:00.500Z')
  t.equal(cluster?.arn, 'arn:aws:eks:us-east-1:111122223333:cluster/demo')
  t.equal(cluster?.version, '1.32')
  t.equal(cluster?.status, 'ACTIVE')
  t.same(cluster?.tags, { env: 'dev' })
  t.match(cluster?.identity?.oidc?.issuer, new RegExp(`^${emulator.issuerBaseUrl}/id/[0-9A-F]{32}$`))
  t.match(Buffer.from(cluster?.certificateAuthority?.data ?? '', 'base64').toString(), /BEGIN CERTIFICATE/)

  const defaulted = await eks.send(new DescribeClusterCommand({ name: 'analytics-dev' }))
  t.equal(defaulted.cluster?.createdAt?.getTime(), clock.now(), 'createdAt defaults to the injected clock')
  t.same(defaulted.cluster?.tags, {}, 'a cluster without tags has an empty tag map, as on AWS')
  t.match(cluster, {
    resourcesVpcConfig: { subnetIds: [/^subnet-[0-9a-f]{17}$/, /^subnet-[0-9a-f]{17}$/], clusterSecurityGroupId: /^sg-/, vpcId: /^vpc-/, endpointPublicAccess: true, endpointPrivateAccess: false },
    kubernetesNetworkConfig: { serviceIpv4Cidr: '10.100.0.0/16', ipFamily: 'ipv4' },
    logging: { clusterLogging: [{ enabled: false }] },
    accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' },
    platformVersion: /^eks\./
  }, 'the members every real cluster has, for clients that read them')
})

t.test('DescribeCluster of an unknown cluster is ResourceNotFoundException 404 with the AWS message', async t => {
  const error = await caught(t, () => eks.send(new DescribeClusterCommand({ name: 'nope' })))
  t.equal(error.name, 'ResourceNotFoundException')
  t.equal(error.$metadata?.httpStatusCode, 404)
  t.equal(error.message, 'No cluster found for name: nope.')
  t.equal(error.clusterName, 'nope')
})

t.test('the wire shape: epoch-second numbers, omitted members, X-Amzn-Errortype and JSON on unknown routes', async t => {
  const ok = await fetch(`${emulator.url}/clusters/demo`)
  t.equal(ok.status, 200)
  t.match(ok.headers.get('content-type'), /application\/json/)
  const body = await ok.json() as { cluster: Record<string, unknown> }
  t.equal(body.cluster.createdAt, 1740830400.5)

  const missing = await fetch(`${emulator.url}/clusters/nope`)
  t.equal(missing.status, 404)
  t.equal(missing.headers.get('x-amzn-errortype'), 'ResourceNotFoundException')
  t.same(await missing.json(), { message: 'No cluster found for name: nope.', clusterName: 'nope' })

  const unknown = await fetch(`${emulator.url}/no/such/route`, { method: 'PUT' })
  t.equal(unknown.status, 404)
  t.equal(unknown.headers.get('x-amzn-errortype'), 'UnknownOperationException')
  t.type((await unknown.json() as { message: string }).message, 'string')

  const badJson = await fetch(`${emulator.url}/clusters/demo/identity-provider-configs/describe`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: '{oops'
  })
  t.equal(badJson.status, 400)
  t.equal(badJson.headers.get('x-amzn-errortype'), 'SerializationException')
})

t.test('AssociateIdentityProviderConfig, DescribeIdentityProviderConfig and tags on the config', async t => {
  const before = clock.now()
  const result = await eks.send(new AssociateIdentityProviderConfigCommand({
    clusterName: 'payments-prod',
    oidc: {
      identityProviderConfigName: 'corp',
      issuerUrl: 'https://issuer.example.com/tenant',
      clientId: 'kubernetes',
      usernameClaim: 'email',
      usernamePrefix: 'oidc:',
      groupsClaim: 'groups',
      groupsPrefix: 'oidc:',
      requiredClaims: { hd: 'example.com' }
    },
    tags: { team: 'platform' },
    clientRequestToken: token('full')
  }))
  t.equal(result.$metadata.httpStatusCode, 200)
  t.equal(result.update?.status, 'InProgress')
  t.equal(result.update?.type, 'AssociateIdentityProviderConfig')
  t.match(result.update?.id, /^[0-9a-f-]{36}$/)
  t.same(result.update?.params, [{ type: 'IdentityProviderConfig', value: '[{"type":"oidc","name":"corp"}]' }])
  t.equal(result.update?.createdAt?.getTime(), before)
  t.same(result.update?.errors, [])
  t.same(result.tags, { team: 'platform' })

  const described = await eks.send(new DescribeIdentityProviderConfigCommand({
    clusterName: 'payments-prod', identityProviderConfig: { type: 'oidc', name: 'corp' }
  }))
  const oidc = described.identityProviderConfig?.oidc
  t.match(oidc?.identityProviderConfigArn,
    /^arn:aws:eks:us-east-1:111122223333:identityproviderconfig\/payments-prod\/oidc\/corp\/[0-9a-f-]{36}$/)
  t.equal(oidc?.status, 'ACTIVE', 'with no transition delay the config is ACTIVE on the next read')
  t.equal(oidc?.clusterName, 'payments-prod')
  t.equal(oidc?.issuerUrl, 'https://issuer.example.com/tenant')
  t.equal(oidc?.usernameClaim, 'email')
  t.equal(oidc?.groupsPrefix, 'oidc:')
  t.same(oidc?.requiredClaims, { hd: 'example.com' })
  t.same(oidc?.tags, { team: 'platform' })

  const resourceArn = oidc?.identityProviderConfigArn as string
  await eks.send(new TagResourceCommand({ resourceArn, tags: { env: 'prod', owner: 'sre' } }))
  t.same((await eks.send(new ListTagsForResourceCommand({ resourceArn }))).tags, { team: 'platform', env: 'prod', owner: 'sre' })
  await eks.send(new UntagResourceCommand({ resourceArn, tagKeys: ['team', 'owner'] }))
  t.same((await eks.send(new ListTagsForResourceCommand({ resourceArn }))).tags, { env: 'prod' })
  const again = await eks.send(new DescribeIdentityProviderConfigCommand({
    clusterName: 'payments-prod', identityProviderConfig: { type: 'oidc', name: 'corp' }
  }))
  t.same(again.identityProviderConfig?.oidc?.tags, { env: 'prod' }, 'Describe shows the tags changed through TagResource')

  const listed = await eks.send(new ListIdentityProviderConfigsCommand({ clusterName: 'payments-prod', maxResults: 1 }))
  t.same(listed.identityProviderConfigs, [{ type: 'oidc', name: 'corp' }])
  t.equal(listed.nextToken, undefined)
})

t.test('Associate: one config per cluster, own issuer refused, validation like AWS', async t => {
  await eks.send(new AssociateIdentityProviderConfigCommand(associateInput('analytics-dev', 'first')))
  const raw = await fetch(`${emulator.url}/clusters/analytics-dev/identity-provider-configs/describe`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ identityProviderConfig: { type: 'oidc', name: 'first' } })
  })
  const { identityProviderConfig } = await raw.json() as { identityProviderConfig: { oidc: Record<string, unknown> } }
  t.same(Object.keys(identityProviderConfig.oidc).sort(),
    ['clientId', 'clusterName', 'identityProviderConfigArn', 'identityProviderConfigName', 'issuerUrl', 'status'],
    'absent optional members are omitted on the wire')

  const second = await caught(t, () => eks.send(new AssociateIdentityProviderConfigCommand(associateInput('analytics-dev', 'second'))))
  t.equal(second.name, 'ResourceInUseException')
  t.equal(second.$metadata?.httpStatusCode, 409)
  t.match(second.message, /only one OIDC identity provider config/)

  const { cluster } = await eks.send(new DescribeClusterCommand({ name: 'demo' }))
  const own = await caught(t, () => eks.send(new AssociateIdentityProviderConfigCommand({
    clusterName: 'demo',
    oidc: { identityProviderConfigName: 'self', issuerUrl: cluster?.identity?.oidc?.issuer, clientId: 'k' }
  })))
  t.equal(own.name, 'InvalidParameterException')
  t.equal(own.$metadata?.httpStatusCode, 400)
  t.equal(own.message, 'Incorrect Identity Provider URL configuration. The Identity Provider URL cannot be same as OpenID Connect (OIDC) issuer URL')

  const cases: Array<[string, AssociateIdentityProviderConfigCommandInput, RegExp]> = [
    ['http issuer', { ...associateInput('demo'), oidc: { ...baseOidc, issuerUrl: 'http://issuer.example.com' } }, /https/],
    ['issuer with a query', { ...associateInput('demo'), oidc: { ...baseOidc, issuerUrl: 'https://issuer.example.com/?a=b' } }, /query/],
    ['missing clientId', { ...associateInput('demo'), oidc: { identityProviderConfigName: 'x', issuerUrl: 'https://i.example.com' } as never }, /oidc\.clientId/],
    ['missing oidc', { clusterName: 'demo' } as never, /'oidc'/],
    ['system: prefix', { ...associateInput('demo'), oidc: { ...baseOidc, groupsPrefix: 'system:masters' } }, /system:/],
    ['required claim value too long', { ...associateInput('demo'), oidc: { ...baseOidc, requiredClaims: { hd: 'x'.repeat(254) } } }, /253/],
    ['51 tags', { ...associateInput('demo'), tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) }, /50/],
    ['reserved tag key', { ...associateInput('demo'), tags: { 'AWS:owner': 'me' } }, /^Tag key AWS:owner is not valid: keys beginning with "aws:" are reserved for AWS use\.$/]
  ]
  for (const [name, input, message] of cases) {
    const error = await caught(t, () => eks.send(new AssociateIdentityProviderConfigCommand(input)))
    t.equal(error.name, 'InvalidParameterException', name)
    t.equal(error.$metadata?.httpStatusCode, 400, name)
    t.match(error.message, message, name)
  }

  const unknown = await caught(t, () => eks.send(new AssociateIdentityProviderConfigCommand(associateInput('nope'))))
  t.equal(unknown.name, 'ResourceNotFoundException')
  t.equal(unknown.$metadata?.httpStatusCode, 404)

  const creating = await caught(t, () => eks.send(new AssociateIdentityProviderConfigCommand(associateInput('booting'))))
  t.equal(creating.name, 'ResourceInUseException')
  const failed = await caught(t, () => eks.send(new AssociateIdentityProviderConfigCommand(associateInput('broken'))))
  t.equal(failed.name, 'InvalidRequestException')
  t.equal(failed.$metadata?.httpStatusCode, 400)
})

t.test('Associate accepts what the EKS model accepts: any config name and any clientRequestToken string', async t => {
  // OidcIdentityProviderConfigRequest.identityProviderConfigName and clientRequestToken are plain Strings in the model.
  const cases: Array<[string, string, string | undefined]> = [
    ['a 150-character name', 'n'.repeat(150), undefined],
    ['a 200-character name with other characters', 'Corp OIDC/é.' + 'x'.repeat(188), undefined],
    ['a 1-character token', 'corp', 'x'],
    ['a 200-character token', 'corp', 't'.repeat(200)]
  ]
  for (const [name, configName, clientRequestToken] of cases) {
    const clusterName = `accepts-${cases.findIndex(entry => entry[0] === name)}`
    emulator.addCluster({ name: clusterName })
    const associated = await eks.send(new AssociateIdentityProviderConfigCommand({ ...associateInput(clusterName, configName), clientRequestToken }))
    t.equal(associated.update?.status, 'InProgress', name)
    const described = await eks.send(new DescribeIdentityProviderConfigCommand({ clusterName, identityProviderConfig: { type: 'oidc', name: configName } }))
    t.equal(described.identityProviderConfig?.oidc?.identityProviderConfigName, configName, name)
    if (clientRequestToken === undefined) continue
    const replayed = await eks.send(new AssociateIdentityProviderConfigCommand({ ...associateInput(clusterName, configName), clientRequestToken }))
    t.equal(replayed.update?.id, associated.update?.id, `${name}: the token still deduplicates`)
  }
  const notString = await caught(t, () => eks.send(new AssociateIdentityProviderConfigCommand({ ...associateInput('demo'), clientRequestToken: 42 as never })))
  t.equal(notString.name, 'InvalidParameterException', 'a token that is not a string is refused')
})

t.test('Describe and Disassociate of configs that are not there', async t => {
  const missing = await caught(t, () => eks.send(new DescribeIdentityProviderConfigCommand({
    clusterName: 'demo', identityProviderConfig: { type: 'oidc', name: 'ghost' }
  })))
  t.equal(missing.name, 'ResourceNotFoundException')
  t.equal(missing.$metadata?.httpStatusCode, 404)
  t.equal(missing.message, 'No config found for cluster: demo, config type: oidc, config name: ghost')

  const wrongType = await caught(t, () => eks.send(new DescribeIdentityProviderConfigCommand({
    clusterName: 'demo', identityProviderConfig: { type: 'saml', name: 'ghost' }
  })))
  t.equal(wrongType.name, 'InvalidParameterException')

  const notAssociated = await caught(t, () => eks.send(new DisassociateIdentityProviderConfigCommand({
    clusterName: 'demo', identityProviderConfig: { type: 'oidc', name: 'ghost' }
  })))
  t.equal(notAssociated.name, 'InvalidRequestException')
  t.equal(notAssociated.$metadata?.httpStatusCode, 400)
  t.equal(notAssociated.message, 'Identity provider config is not associated with cluster')

  const noCluster = await caught(t, () => eks.send(new ListIdentityProviderConfigsCommand({ clusterName: 'nope' })))
  t.equal(noCluster.name, 'ResourceNotFoundException')
  const badMax = await caught(t, () => eks.send(new ListIdentityProviderConfigsCommand({ clusterName: 'demo', maxResults: 101 })))
  t.equal(badMax.name, 'InvalidParameterException')
  t.same((await eks.send(new ListIdentityProviderConfigsCommand({ clusterName: 'demo' }))).identityProviderConfigs, [])
})

t.test('Disassociate, DescribeUpdate and ListUpdates with paging', async t => {
  const associated = await eks.send(new AssociateIdentityProviderConfigCommand(associateInput('demo')))
  const disassociated = await eks.send(new DisassociateIdentityProviderConfigCommand({
    clusterName: 'demo', identityProviderConfig: { type: 'oidc', name: 'corp' }
  }))
  t.equal(disassociated.update?.type, 'DisassociateIdentityProviderConfig')
  t.equal(disassociated.update?.status, 'InProgress')
  t.same(disassociated.update?.params, [{ type: 'IdentityProviderConfig', value: '[]' }])
  const reassociated = await eks.send(new AssociateIdentityProviderConfigCommand(associateInput('demo', 'corp2')))

  const described = await eks.send(new DescribeUpdateCommand({ name: 'demo', updateId: associated.update?.id }))
  t.equal(described.update?.status, 'Successful')
  t.equal(described.update?.id, associated.update?.id)
  t.ok(described.update?.createdAt instanceof Date)

  const expected = [associated.update?.id, disassociated.update?.id, reassociated.update?.id]
  const first = await eks.send(new ListUpdatesCommand({ name: 'demo', maxResults: 2 }))
  t.same(first.updateIds, expected.slice(0, 2))
  t.type(first.nextToken, 'string')
  const ids: string[] = []
  for await (const page of paginateListUpdates({ client: eks, pageSize: 1 }, { name: 'demo' })) ids.push(...page.updateIds ?? [])
  t.same(ids, expected)

  const unknown = await caught(t, () => eks.send(new DescribeUpdateCommand({ name: 'demo', updateId: '11111111-2222-3333-4444-555555555555' })))
  t.equal(unknown.name, 'ResourceNotFoundException')
  t.equal(unknown.$metadata?.httpStatusCode, 404)
  const nodegroup = await caught(t, () => eks.send(new DescribeUpdateCommand({ name: 'demo', updateId: associated.update?.id, nodegroupName: 'ng' })))
  t.equal(nodegroup.name, 'ResourceNotFoundException')
  const noCluster = await caught(t, () => eks.send(new ListUpdatesCommand({ name: 'nope' })))
  t.equal(noCluster.message, 'No cluster found for name: nope.')
  const badMax = await caught(t, () => eks.send(new ListUpdatesCommand({ name: 'demo', maxResults: 0 })))
  t.equal(badMax.name, 'InvalidParameterException')
})

t.test('tag operations on clusters and their errors', async t => {
  const resourceArn = 'arn:aws:eks:us-east-1:111122223333:cluster/analytics-dev'
  await eks.send(new TagResourceCommand({ resourceArn, tags: { a: '1' } }))
  t.same((await eks.send(new DescribeClusterCommand({ name: 'analytics-dev' }))).cluster?.tags, { a: '1' })

  const notFound = await caught(t, () => eks.send(new ListTagsForResourceCommand({ resourceArn: 'arn:aws:eks:us-east-1:111122223333:cluster/ghost' })))
  t.equal(notFound.name, 'NotFoundException')
  t.equal(notFound.$metadata?.httpStatusCode, 404)
  const badArn = await caught(t, () => eks.send(new ListTagsForResourceCommand({ resourceArn: 'not-an-arn' })))
  t.equal(badArn.name, 'BadRequestException')
  t.equal(badArn.$metadata?.httpStatusCode, 400)
  const tooMany = await caught(t, () => eks.send(new TagResourceCommand({
    resourceArn, tags: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`key${i}`, 'v']))
  })))
  t.equal(tooMany.name, 'BadRequestException', '1 existing + 50 new tags exceed 50')
  const noKeys = await caught(t, () => eks.send(new UntagResourceCommand({ resourceArn, tagKeys: [] })))
  t.equal(noKeys.name, 'BadRequestException')
  for (const key of ['aws:owner', 'AWS:owner', 'Aws:Owner']) {
    const reserved = await caught(t, () => eks.send(new TagResourceCommand({ resourceArn, tags: { [key]: 'me' } })))
    t.equal(reserved.name, 'BadRequestException', `${key}: TagResource lists only BadRequest and NotFound`)
    t.equal(reserved.$metadata?.httpStatusCode, 400)
    t.equal(reserved.message, `Tag key ${key} is not valid: keys beginning with "aws:" are reserved for AWS use.`)
  }
  t.same((await eks.send(new ListTagsForResourceCommand({ resourceArn }))).tags, { a: '1' }, 'refused tags change nothing')
})
