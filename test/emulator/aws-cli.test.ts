/**
 * Conformance with Debian's AWS CLI v2 (/usr/bin/aws, never another `aws` on PATH): every emulated
 * operation through the real CLI, asserting exit codes, parsed JSON and the CLI's error lines.
 * Independent chains of calls run concurrently, at most CLI_CONCURRENCY processes at a time.
 */
import t from 'tap'
import { execFile, execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { AssociateIdentityProviderConfigCommand } from '@aws-sdk/client-eks'
import { eksClient, startEmulator, token } from './helpers.ts'
import { cliHome } from './aws-cli-support.ts'

const AWS_CLI = '/usr/bin/aws'
const CLI_CONCURRENCY = 4
const CLI_TIMEOUT_MS = 30_000
const NOW = Date.parse('2026-01-15T10:00:00.250Z')

function cliProblem (): string | undefined {
  if (!existsSync(AWS_CLI)) return `${AWS_CLI} is not installed`
  try {
    const version = execFileSync(AWS_CLI, ['--version'], { encoding: 'utf8', timeout: CLI_TIMEOUT_MS, env: { PATH: '/usr/bin:/bin', HOME: tmpdir() } })
    return version.startsWith('aws-cli/2') ? undefined : `${AWS_CLI} is not AWS CLI v2: ${version.trim()}`
  } catch (error) {
    return `${AWS_CLI} --version failed: ${(error as Error).message}`
  }
}

// Each CLI process costs about a CPU second; on a loaded machine the runner's default file timeout is too short.
t.setTimeout(300_000)

const problem = cliProblem()
if (problem && process.env.CI === 'true') t.fail(`AWS CLI conformance cannot run under CI: ${problem}`)

t.test('AWS CLI v2 conformance', { skip: problem ? `skipped: ${problem} (set CI=true to make this a failure)` : false }, async t => {
  const emulator = await startEmulator(t, {
    clock: () => NOW,
    seed: { clusters: [{ name: 'payments-prod', version: '1.31' }, { name: 'analytics-dev' }, { name: 'extra' }] }
  })
  const { env } = cliHome(t)

  let running = 0
  const waiting: Array<() => void> = []
  /** Runs the CLI; `credentials` replace the default test keys in its environment. */
  async function awsAs (credentials: Record<string, string>, args: string[]) {
    if (running >= CLI_CONCURRENCY) await new Promise<void>(resolve => waiting.push(resolve))
    running++
    try {
      return await new Promise<{ code: number, stdout: string, stderr: string, json: any }>(resolve => {
        execFile(AWS_CLI, ['--endpoint-url', emulator.url, '--output', 'json', ...args], { env: { ...env, ...credentials }, timeout: CLI_TIMEOUT_MS }, (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0
          resolve({ code, stdout, stderr, json: code === 0 && stdout.trim() !== '' ? JSON.parse(stdout) : undefined })
        })
      })
    } finally {
      running--
      waiting.shift()?.()
    }
  }
  const aws = (...args: string[]) => awsAs({}, args)
  async function okAs (credentials: Record<string, string>, ...args: string[]) {
    const result = await awsAs(credentials, args)
    t.equal(result.code, 0, `aws ${args.slice(0, 2).join(' ')} exits 0${result.code === 0 ? '' : ': ' + result.stderr}`)
    return result.json
  }
  async function ok (...args: string[]) {
    const result = await aws(...args)
    t.equal(result.code, 0, `aws ${args.slice(0, 2).join(' ')} exits 0${result.code === 0 ? '' : ': ' + result.stderr}`)
    return result.json
  }
  /** The CLI prints `An error occurred (Code) when calling the Op operation[ (reached max retries: 0)]: message`. */
  async function fails (code: string, operation: string, message: string, ...args: string[]) {
    const result = await aws(...args)
    t.equal(result.code, 254, `aws ${args.slice(0, 2).join(' ')} exits 254 on ${code}`)
    const line = result.stderr.trim().replace(' (reached max retries: 0)', '')
    t.equal(line, `An error occurred (${code}) when calling the ${operation} operation: ${message}`, `stderr names ${code}`)
  }

  const OTHER = '444455556666'
  const rootTrust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'sts:AssumeRole' }] }
  const crossArn = `arn:aws:iam::${OTHER}:role/cross`
  const clusterArn = (name: string) => `arn:aws:eks:us-east-1:111122223333:cluster/${name}`
  const providerUrl = (n: number) => `https://idp${n}.example.com/oidc`
  const providerArn = (n: number) => `arn:aws:iam::111122223333:oidc-provider/idp${n}.example.com/oidc`
  const ref = 'type=oidc,name=corp-oidc'
  const fullOidc = 'identityProviderConfigName=corp-oidc,issuerUrl=https://issuer.example.com,clientId=kubernetes,' +
    'usernameClaim=email,usernamePrefix=oidc:,groupsClaim=groups,groupsPrefix=oidc:,requiredClaims={hd=example.com}'
  const minimalOidc = 'identityProviderConfigName=corp-oidc,issuerUrl=https://issuer.example.com,clientId=kubernetes'

  // Every CLI call below is independent: the state each one needs is seeded here, so they can run concurrently.
  const seededConfig = { identityProviderConfigName: 'corp-oidc', issuerUrl: 'https://issuer.example.com', clientId: 'kubernetes', tags: { team: 'platform' } }
  emulator.seed({
    clusters: [
      { name: 'demo', tags: { env: 'dev' }, identityProviderConfig: seededConfig },
      { name: 'gamma', identityProviderConfig: seededConfig },
      { name: 'delta' },
      { name: 'tagged', tags: { a: '1', b: '2', c: '3' } },
      { name: 'long-names' }
    ],
    iamOidcProviders: [1, 2, 3, 4, 5, 6].map(n => ({
      url: providerUrl(n), clientIds: ['sts.amazonaws.com', 'other-aud'], thumbprints: ['9e99a48a9960b14926bb7f3b02e22da2b0ab7280'], tags: { team: 'platform', env: 'dev' }
    })),
    roles: [
      { roleName: 'cli-role', path: '/cli/', assumeRolePolicyDocument: rootTrust, description: 'read by the CLI', maxSessionDuration: 7200 },
      { roleName: 'cli-update', assumeRolePolicyDocument: rootTrust }
    ],
    accounts: [{
      accountId: OTHER,
      roles: [{ roleName: 'cross', assumeRolePolicyDocument: { ...rootTrust, Statement: [{ ...rootTrust.Statement[0], Condition: { StringEquals: { 'sts:ExternalId': 'cli-external' } } }] } }],
      regions: [{ region: 'us-east-1', clusters: [{ name: 'remote' }] }]
    }]
  })
  const demo = emulator.state.clusters.get('demo')
  const demoConfigArn = demo?.configs.get('corp-oidc')?.arn as string
  const deltaUpdate = await eksClient(t, emulator).send(new AssociateIdentityProviderConfigCommand({
    clusterName: 'delta', oidc: { identityProviderConfigName: 'corp-oidc', issuerUrl: 'https://issuer.example.com', clientId: 'kubernetes' }
  }))
  const deltaUpdateId = deltaUpdate.update?.id as string

  const cases: Array<() => Promise<void>> = [
    async () => {
      t.same((await ok('eks', 'list-clusters', '--page-size', '3')).clusters,
        ['analytics-dev', 'delta', 'demo', 'extra', 'gamma', 'long-names', 'payments-prod', 'tagged'], 'the CLI follows nextToken across pages')
    },
    async () => {
      const limited = await ok('eks', 'list-clusters', '--include', 'all', '--page-size', '1', '--max-items', '1')
      t.same(limited.clusters, ['analytics-dev'])
      t.type(limited.NextToken, 'string')
    },
    async () => {
      const { cluster } = await ok('eks', 'describe-cluster', '--name', 'demo')
      t.equal(cluster.createdAt, '2026-01-15T10:00:00.250000+00:00', 'epoch seconds rendered as ISO by the CLI')
      t.equal(cluster.arn, clusterArn('demo'))
      t.equal(cluster.status, 'ACTIVE')
      t.same(cluster.tags, { env: 'dev' })
      t.match(cluster.identity.oidc.issuer, /\/id\/[0-9A-F]{32}$/)
      t.match(cluster.platformVersion, /^eks\.\d+$/)
      t.match(cluster.resourcesVpcConfig, { subnetIds: [/^subnet-/, /^subnet-/], clusterSecurityGroupId: /^sg-/, vpcId: /^vpc-/, endpointPublicAccess: true })
      // CLI 2.9.19 (Debian 12) predates accessConfig and elasticLoadBalancing and drops them; eks-wire.test.ts reads them with the SDK.
      t.same(cluster.kubernetesNetworkConfig, { serviceIpv4Cidr: '10.100.0.0/16', ipFamily: 'ipv4' })
      t.same(cluster.logging.clusterLogging, [{ types: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'], enabled: false }])
      t.same((await ok('eks', 'describe-cluster', '--name', 'delta')).cluster.tags, {}, 'a cluster without tags has an empty map')
    },
    () => fails('ResourceNotFoundException', 'DescribeCluster', 'No cluster found for name: nope.', 'eks', 'describe-cluster', '--name', 'nope'),
    async () => {
      const associated = await ok('eks', 'associate-identity-provider-config', '--cluster-name', 'payments-prod', '--oidc', fullOidc,
        '--tags', 'team=platform,env=dev', '--client-request-token', token('cli-associate'))
      t.equal(associated.update.status, 'InProgress')
      t.equal(associated.update.type, 'AssociateIdentityProviderConfig')
      t.equal(associated.update.createdAt, '2026-01-15T10:00:00.250000+00:00')
      t.same(associated.update.params, [{ type: 'IdentityProviderConfig', value: '[{"type":"oidc","name":"corp-oidc"}]' }])
      t.same(associated.update.errors, [])
      t.same(associated.tags, { team: 'platform', env: 'dev' })
      t.same(emulator.state.clusters.get('payments-prod')?.configs.get('corp-oidc')?.requiredClaims, { hd: 'example.com' })
    },
    async () => {
      const minimal = await ok('eks', 'associate-identity-provider-config', '--cluster-name', 'extra', '--oidc', minimalOidc)
      t.equal(minimal.update.status, 'InProgress', 'the CLI-generated token (a UUID) is accepted')
      t.notOk('tags' in minimal, 'absent tags are omitted')
    },
    () => fails('ResourceInUseException', 'AssociateIdentityProviderConfig',
      'Cluster gamma already has identity provider config corp-oidc; only one OIDC identity provider config can be associated with a cluster.',
      'eks', 'associate-identity-provider-config', '--cluster-name', 'gamma', '--oidc', minimalOidc.replace('corp-oidc', 'second')),
    () => fails('InvalidParameterException', 'AssociateIdentityProviderConfig',
      'Incorrect Identity Provider URL configuration. The Identity Provider URL cannot be same as OpenID Connect (OIDC) issuer URL',
      'eks', 'associate-identity-provider-config', '--cluster-name', 'analytics-dev',
      '--oidc', `identityProviderConfigName=self,issuerUrl=${emulator.state.clusters.get('analytics-dev')?.issuer},clientId=kubernetes`),
    async () => {
      const { identityProviderConfig } = await ok('eks', 'describe-identity-provider-config', '--cluster-name', 'demo', '--identity-provider-config', ref)
      t.same(identityProviderConfig.oidc, {
        identityProviderConfigName: 'corp-oidc',
        identityProviderConfigArn: demoConfigArn,
        clusterName: 'demo',
        issuerUrl: 'https://issuer.example.com',
        clientId: 'kubernetes',
        tags: { team: 'platform' },
        status: 'ACTIVE'
      })
    },
    () => fails('ResourceNotFoundException', 'DescribeIdentityProviderConfig', 'No config found for cluster: analytics-dev, config type: oidc, config name: corp-oidc',
      'eks', 'describe-identity-provider-config', '--cluster-name', 'analytics-dev', '--identity-provider-config', ref),
    async () => {
      t.same((await ok('eks', 'list-identity-provider-configs', '--cluster-name', 'demo', '--page-size', '1')).identityProviderConfigs,
        [{ type: 'oidc', name: 'corp-oidc' }])
    },
    async () => {
      const disassociated = await ok('eks', 'disassociate-identity-provider-config', '--cluster-name', 'gamma',
        '--identity-provider-config', ref, '--client-request-token', token('cli-disassociate'))
      t.equal(disassociated.update.type, 'DisassociateIdentityProviderConfig')
      t.equal(disassociated.update.status, 'InProgress')
      t.same(disassociated.update.params, [{ type: 'IdentityProviderConfig', value: '[]' }])
    },
    async () => {
      // The EKS model sets no limit on the config name or the token; the service's own rules are stricter.
      const name = 'c'.repeat(200)
      const associated = await ok('eks', 'associate-identity-provider-config', '--cluster-name', 'long-names',
        '--oidc', minimalOidc.replace('corp-oidc', name), '--client-request-token', 'short')
      t.same(associated.update.params, [{ type: 'IdentityProviderConfig', value: JSON.stringify([{ type: 'oidc', name }]) }])
    },
    () => fails('BadRequestException', 'TagResource', 'Tag key aws:owner is not valid: keys beginning with "aws:" are reserved for AWS use.',
      'eks', 'tag-resource', '--resource-arn', clusterArn('tagged'), '--tags', 'aws:owner=me'),
    () => fails('InvalidRequestException', 'DisassociateIdentityProviderConfig', 'Identity provider config is not associated with cluster',
      'eks', 'disassociate-identity-provider-config', '--cluster-name', 'analytics-dev', '--identity-provider-config', ref),
    async () => {
      const { update } = await ok('eks', 'describe-update', '--name', 'delta', '--update-id', deltaUpdateId)
      t.equal(update.id, deltaUpdateId)
      t.equal(update.status, 'Successful')
      t.equal(update.createdAt, '2026-01-15T10:00:00.250000+00:00')
    },
    async () => {
      t.same((await ok('eks', 'list-updates', '--name', 'delta')).updateIds, [deltaUpdateId])
    },
    async () => {
      await ok('eks', 'tag-resource', '--resource-arn', demoConfigArn, '--tags', 'owner=sre,env=prod')
      t.same(demo?.configs.get('corp-oidc')?.tags, { team: 'platform', owner: 'sre', env: 'prod' })
    },
    async () => {
      await ok('eks', 'untag-resource', '--resource-arn', clusterArn('tagged'), '--tag-keys', 'a', 'b')
      t.same(emulator.state.clusters.get('tagged')?.tags, { c: '3' })
    },
    async () => {
      t.same((await ok('eks', 'list-tags-for-resource', '--resource-arn', clusterArn('demo'))).tags, { env: 'dev' })
    },
    async () => {
      t.equal((await ok('sts', 'get-caller-identity')).Account, '111122223333')
    },
    async () => {
      // CLI 2.9.19 still models ThumbprintList as required, so it always sends one.
      const created = await ok('iam', 'create-open-id-connect-provider', '--url', 'https://oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789',
        '--client-id-list', 'sts.amazonaws.com', 'other-aud', '--thumbprint-list', '9e99a48a9960b14926bb7f3b02e22da2b0ab7280',
        '--tags', 'Key=team,Value=platform', 'Key=env,Value=dev')
      t.equal(created.OpenIDConnectProviderArn, 'arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789')
      t.same(created.Tags, [{ Key: 'env', Value: 'dev' }, { Key: 'team', Value: 'platform' }])
    },
    () => fails('EntityAlreadyExists', 'CreateOpenIDConnectProvider', `Provider with url ${providerUrl(1)} already exists.`,
      'iam', 'create-open-id-connect-provider', '--url', providerUrl(1), '--client-id-list', 'a', '--thumbprint-list', 'a'.repeat(40)),
    async () => {
      const listed = await ok('iam', 'list-open-id-connect-providers')
      t.ok(listed.OpenIDConnectProviderList.some((entry: { Arn: string }) => entry.Arn === providerArn(1)))
    },
    async () => {
      const got = await ok('iam', 'get-open-id-connect-provider', '--open-id-connect-provider-arn', providerArn(1))
      t.same(got, {
        Url: 'idp1.example.com/oidc',
        ClientIDList: ['sts.amazonaws.com', 'other-aud'],
        ThumbprintList: ['9e99a48a9960b14926bb7f3b02e22da2b0ab7280'],
        CreateDate: '2026-01-15T10:00:00+00:00',
        Tags: [{ Key: 'env', Value: 'dev' }, { Key: 'team', Value: 'platform' }]
      })
    },
    () => fails('NoSuchEntity', 'GetOpenIDConnectProvider', `OpenIDConnect Provider not found for arn ${providerArn(9)}`,
      'iam', 'get-open-id-connect-provider', '--open-id-connect-provider-arn', providerArn(9)),
    async () => {
      await ok('iam', 'update-open-id-connect-provider-thumbprint', '--open-id-connect-provider-arn', providerArn(2), '--thumbprint-list', 'a'.repeat(40), 'b'.repeat(40))
      t.same(emulator.state.oidcProviders.get(providerArn(2))?.thumbprints, ['a'.repeat(40), 'b'.repeat(40)])
    },
    async () => {
      await ok('iam', 'add-client-id-to-open-id-connect-provider', '--open-id-connect-provider-arn', providerArn(3), '--client-id', 'new-aud')
      t.ok(emulator.state.oidcProviders.get(providerArn(3))?.clientIds.includes('new-aud'))
    },
    async () => {
      await ok('iam', 'remove-client-id-from-open-id-connect-provider', '--open-id-connect-provider-arn', providerArn(4), '--client-id', 'other-aud')
      t.same(emulator.state.oidcProviders.get(providerArn(4))?.clientIds, ['sts.amazonaws.com'])
    },
    async () => {
      await ok('iam', 'tag-open-id-connect-provider', '--open-id-connect-provider-arn', providerArn(2), '--tags', 'Key=k1,Value=v1')
      t.same(emulator.state.oidcProviders.get(providerArn(2))?.tags, { team: 'platform', env: 'dev', k1: 'v1' })
    },
    async () => {
      await ok('iam', 'untag-open-id-connect-provider', '--open-id-connect-provider-arn', providerArn(3), '--tag-keys', 'team')
      t.same(emulator.state.oidcProviders.get(providerArn(3))?.tags, { env: 'dev' })
    },
    async () => {
      const tags = await ok('iam', 'list-open-id-connect-provider-tags', '--open-id-connect-provider-arn', providerArn(1))
      t.same(tags.Tags, [{ Key: 'env', Value: 'dev' }, { Key: 'team', Value: 'platform' }])
      t.equal(tags.IsTruncated, false)
    },
    async () => {
      await ok('iam', 'delete-open-id-connect-provider', '--open-id-connect-provider-arn', providerArn(5))
      t.notOk(emulator.state.oidcProviders.has(providerArn(5)))
    },
    async () => {
      await ok('iam', 'delete-open-id-connect-provider', '--open-id-connect-provider-arn', providerArn(9))
      t.pass('deleting a provider that does not exist succeeds (documented as idempotent)')
    },
    () => fails('InvalidInput', 'CreateOpenIDConnectProvider', 'Duplicate tag keys found.',
      'iam', 'create-open-id-connect-provider', '--url', providerUrl(7), '--client-id-list', 'a', '--thumbprint-list', 'a'.repeat(40),
      '--tags', 'Key=team,Value=a', 'Key=team,Value=b'),
    () => fails('InvalidInput', 'TagOpenIDConnectProvider', 'Tag key AWS:team is not valid: keys beginning with "aws:" are reserved for AWS use.',
      'iam', 'tag-open-id-connect-provider', '--open-id-connect-provider-arn', providerArn(1), '--tags', 'Key=AWS:team,Value=a'),
    () => fails('ValidationError', 'CreateOpenIDConnectProvider',
      `1 validation error detected: Value 'https://${'u'.repeat(248)}' at 'url' failed to satisfy constraint: Member must have length less than or equal to 255`,
      'iam', 'create-open-id-connect-provider', '--url', `https://${'u'.repeat(248)}`, '--client-id-list', 'a', '--thumbprint-list', 'a'.repeat(40)),
    async () => {
      const assumed = await ok('sts', 'assume-role', '--role-arn', crossArn, '--role-session-name', 'cli-session', '--external-id', 'cli-external', '--duration-seconds', '900')
      t.match(assumed.Credentials, { AccessKeyId: /^ASIA/, SecretAccessKey: /./, SessionToken: /./, Expiration: '2026-01-15T10:15:00+00:00' })
      t.equal(assumed.AssumedRoleUser.Arn, `arn:aws:sts::${OTHER}:assumed-role/cross/cli-session`)
      const asRole = { AWS_ACCESS_KEY_ID: assumed.Credentials.AccessKeyId, AWS_SECRET_ACCESS_KEY: assumed.Credentials.SecretAccessKey, AWS_SESSION_TOKEN: assumed.Credentials.SessionToken }
      const identity = await okAs(asRole, 'sts', 'get-caller-identity')
      t.same(identity, { UserId: `${assumed.AssumedRoleUser.AssumedRoleId}`, Account: OTHER, Arn: `arn:aws:sts::${OTHER}:assumed-role/cross/cli-session` })
      t.equal((await okAs(asRole, 'eks', 'describe-cluster', '--name', 'remote')).cluster.arn, `arn:aws:eks:us-east-1:${OTHER}:cluster/remote`)
      const { code, stderr } = await awsAs({ ...asRole, AWS_SESSION_TOKEN: 'forged' }, ['sts', 'get-caller-identity'])
      t.equal(code, 254)
      t.equal(stderr.trim().replace(' (reached max retries: 0)', ''),
        'An error occurred (InvalidClientTokenId) when calling the GetCallerIdentity operation: The security token included in the request is invalid.')
    },
    () => fails('AccessDenied', 'AssumeRole', `User: arn:aws:iam::111122223333:user/emulator is not authorized to perform: sts:AssumeRole on resource: ${crossArn}`,
      'sts', 'assume-role', '--role-arn', crossArn, '--role-session-name', 'cli-session', '--external-id', 'wrong-external'),
    () => fails('ValidationError', 'AssumeRole', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
      'sts', 'assume-role', '--role-arn', crossArn, '--role-session-name', 'cli-session', '--external-id', 'cli-external', '--duration-seconds', '3601'),
    async () => {
      const { Role } = await ok('iam', 'get-role', '--role-name', 'cli-role')
      t.match(Role, { Path: '/cli/', RoleName: 'cli-role', RoleId: /^AROA/, Arn: 'arn:aws:iam::111122223333:role/cli/cli-role', CreateDate: '2026-01-15T10:00:00+00:00', Description: 'read by the CLI', MaxSessionDuration: 7200 })
      t.same(Role.AssumeRolePolicyDocument, rootTrust, 'the CLI decodes the URL-encoded document into JSON, as it does for IAM')
    },
    () => fails('NoSuchEntity', 'GetRole', 'The role with name nobody cannot be found.', 'iam', 'get-role', '--role-name', 'nobody'),
    async () => {
      const { Roles } = await ok('iam', 'list-roles', '--path-prefix', '/cli/')
      t.same(Roles.map((role: { RoleName: string }) => role.RoleName), ['cli-role'])
      t.same(Roles[0].AssumeRolePolicyDocument, rootTrust)
    },
    async () => {
      const next = { ...rootTrust, Statement: [{ ...rootTrust.Statement[0], Principal: { AWS: `arn:aws:iam::${OTHER}:root` } }] }
      await ok('iam', 'update-assume-role-policy', '--role-name', 'cli-update', '--policy-document', JSON.stringify(next))
      t.same(JSON.parse(emulator.state.roles.get('cli-update')?.assumeRolePolicyDocument ?? ''), next)
    },
    async () => {
      const { Role } = await ok('iam', 'create-role', '--role-name', 'cli-created', '--assume-role-policy-document', JSON.stringify(rootTrust), '--tags', 'Key=team,Value=platform')
      t.equal(Role.Arn, 'arn:aws:iam::111122223333:role/cli-created')
      t.same(Role.AssumeRolePolicyDocument, rootTrust)
      t.same(Role.Tags, [{ Key: 'team', Value: 'platform' }])
    },
    () => fails('MalformedPolicyDocument', 'CreateRole', 'This policy contains invalid Json',
      'iam', 'create-role', '--role-name', 'cli-malformed', '--assume-role-policy-document', '{"Version":'),
    async () => {
      await ok('iam', 'tag-open-id-connect-provider', '--open-id-connect-provider-arn', providerArn(6), '--tags', 'Key=Team,Value=sre')
      t.same((await ok('iam', 'list-open-id-connect-provider-tags', '--open-id-connect-provider-arn', providerArn(6))).Tags,
        [{ Key: 'Team', Value: 'sre' }, { Key: 'env', Value: 'dev' }, { Key: 'team', Value: 'platform' }], 'tag keys of a provider are case sensitive')
    }
  ]
  await Promise.all(cases.map(run => run()))
  t.equal(emulator.calls['eks:ListClusters'], 4, 'three pages for --page-size 3 over 8 clusters, one for --max-items 1')
})
