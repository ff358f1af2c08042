/** Many accounts and regions through the real SDK clients: STS AssumeRole, and where each call lands. */
import t, { type Test } from 'tap'
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient, type Credentials } from '@aws-sdk/client-sts'
import { DescribeClusterCommand, EKSClient, ListClustersCommand } from '@aws-sdk/client-eks'
import { CreateOpenIDConnectProviderCommand, IAMClient, ListOpenIDConnectProvidersCommand, ListRolesCommand } from '@aws-sdk/client-iam'
import type { AwsEmulator } from '../../emulator/aws-emulator.ts'
import { caught, credentials, fakeClock, startEmulator } from './helpers.ts'

const DEFAULT = '111122223333'
const OTHER = '444455556666'
const trustOf = (statement: Record<string, unknown>) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', ...statement }] })

const clock = fakeClock(Date.parse('2026-03-01T12:00:00Z'))
const emulator = await startEmulator(t, {
  clock: clock.now,
  seed: {
    clusters: [{ name: 'home' }],
    roles: [{ roleName: 'local', assumeRolePolicyDocument: trustOf({ Principal: { AWS: `arn:aws:iam::${DEFAULT}:root` } }) }],
    accounts: [
      { accountId: DEFAULT, regions: [{ region: 'eu-west-1', clusters: [{ name: 'home-eu' }] }] },
      {
        accountId: OTHER,
        disabledRegions: ['ap-east-1'],
        roles: [
          {
            roleName: 'eks-oidc-api',
            maxSessionDuration: 7200,
            assumeRolePolicyDocument: {
              Version: '2012-10-17',
              Statement: [
                { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${DEFAULT}:root` }, Action: ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'], Condition: { StringEquals: { 'sts:ExternalId': 'ext-123' } } }
              ]
            }
          },
          { roleName: 'no-source-identity', assumeRolePolicyDocument: trustOf({ Principal: { AWS: DEFAULT } }) },
          { roleName: 'chained', path: '/ops/', assumeRolePolicyDocument: trustOf({ Principal: { AWS: `arn:aws:iam::${OTHER}:role/eks-oidc-api` }, Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'] }) },
          { roleName: 'denied', assumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:*' }, { Effect: 'Deny', Principal: { AWS: DEFAULT }, Action: 'sts:AssumeRole' }] } }
        ],
        regions: [{ region: 'us-east-1', clusters: [{ name: 'remote' }] }, { region: 'eu-west-1', clusters: [{ name: 'remote-eu' }] }]
      }
    ]
  }
})

type Creds = { accessKeyId: string, secretAccessKey: string, sessionToken?: string }

function clients (t: Test, target: AwsEmulator, creds: Creds = credentials, region = 'us-east-1') {
  const options = { endpoint: target.url, region, credentials: creds, maxAttempts: 1 }
  const made = { sts: new STSClient(options), eks: new EKSClient(options), iam: new IAMClient({ ...options, region: 'us-east-1' }) }
  t.teardown(() => Object.values(made).forEach(client => client.destroy()))
  return made
}

const fromSts = (issued: Credentials | undefined): Creds =>
  ({ accessKeyId: issued?.AccessKeyId as string, secretAccessKey: issued?.SecretAccessKey as string, sessionToken: issued?.SessionToken })

const OTHER_ROLE = `arn:aws:iam::${OTHER}:role/eks-oidc-api`
const assumeOther = (extra: Record<string, unknown> = {}) =>
  new AssumeRoleCommand({ RoleArn: OTHER_ROLE, RoleSessionName: 'req-0001', ExternalId: 'ext-123', ...extra })

t.test('each region of each account has its own clusters; ARNs and issuers name them', async t => {
  const home = clients(t, emulator)
  t.same((await home.eks.send(new ListClustersCommand({}))).clusters, ['home'])
  const eu = clients(t, emulator, credentials, 'eu-west-1')
  t.same((await eu.eks.send(new ListClustersCommand({}))).clusters, ['home-eu'], 'a cluster in eu-west-1 is not visible in us-east-1')
  const described = (await eu.eks.send(new DescribeClusterCommand({ name: 'home-eu' }))).cluster
  t.equal(described?.arn, `arn:aws:eks:eu-west-1:${DEFAULT}:cluster/home-eu`)
  t.match(described?.endpoint, /\.gr7\.eu-west-1\.eks\.amazonaws\.com$/)
  t.match(described?.identity?.oidc?.issuer, new RegExp(`^${emulator.issuerBaseUrl}/eu-west-1/id/[0-9A-F]{32}$`))
  await t.resolves(emulator.mintIdToken(described?.identity?.oidc?.issuer as string), 'the emulator serves the regional issuer')
  t.equal((await caught(t, () => home.eks.send(new DescribeClusterCommand({ name: 'home-eu' })))).name, 'ResourceNotFoundException')
})

t.test('AssumeRole issues credentials that reach only the role account', async t => {
  const home = clients(t, emulator)
  const assumed = await home.sts.send(assumeOther({ SourceIdentity: 'alice@example.com', DurationSeconds: 7200 }))
  t.match(assumed.Credentials?.AccessKeyId, /^ASIA[A-Z2-7]{17}$/)
  t.same(assumed.Credentials?.Expiration, new Date(clock.now() + 7200_000))
  t.equal(assumed.AssumedRoleUser?.Arn, `arn:aws:sts::${OTHER}:assumed-role/eks-oidc-api/req-0001`)
  t.match(assumed.AssumedRoleUser?.AssumedRoleId, /^AROA[A-Z2-7]{17}:req-0001$/)
  t.equal(assumed.SourceIdentity, 'alice@example.com')

  const remote = clients(t, emulator, fromSts(assumed.Credentials))
  const identity = await remote.sts.send(new GetCallerIdentityCommand({}))
  t.equal(identity.Account, OTHER)
  t.equal(identity.Arn, `arn:aws:sts::${OTHER}:assumed-role/eks-oidc-api/req-0001`)
  t.same((await remote.eks.send(new ListClustersCommand({}))).clusters, ['remote'])
  const remoteEu = clients(t, emulator, fromSts(assumed.Credentials), 'eu-west-1')
  t.same((await remoteEu.eks.send(new ListClustersCommand({}))).clusters, ['remote-eu'])
  t.equal((await remote.eks.send(new DescribeClusterCommand({ name: 'remote' }))).cluster?.arn, `arn:aws:eks:us-east-1:${OTHER}:cluster/remote`)

  await remote.iam.send(new CreateOpenIDConnectProviderCommand({ Url: 'https://oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789', ThumbprintList: ['a'.repeat(40)] }))
  t.same((await remote.iam.send(new ListOpenIDConnectProvidersCommand({}))).OpenIDConnectProviderList?.map(p => p.Arn),
    [`arn:aws:iam::${OTHER}:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789`])
  t.same((await home.iam.send(new ListOpenIDConnectProvidersCommand({}))).OpenIDConnectProviderList, [], 'the default account has no such provider')
  t.same((await remote.iam.send(new ListRolesCommand({}))).Roles?.map(role => role.RoleName), ['chained', 'denied', 'eks-oidc-api', 'no-source-identity'])
  t.same((await home.iam.send(new ListRolesCommand({}))).Roles?.map(role => role.RoleName), ['local'])

  const logged = emulator.callLog.filter(entry => entry.accessKeyId === assumed.Credentials?.AccessKeyId)
  t.ok(logged.length >= 5)
  t.ok(logged.every(entry => entry.accountId === OTHER && entry.sessionName === 'req-0001' && entry.sourceIdentity === 'alice@example.com' &&
    entry.principalArn === identity.Arn))
  t.same(logged.filter(entry => entry.operation === 'eks:ListClusters').map(entry => entry.region), ['us-east-1', 'eu-west-1'])
  const session = emulator.sessions.find(candidate => candidate.accessKeyId === assumed.Credentials?.AccessKeyId)
  t.equal(session?.issuedTo, `arn:aws:iam::${DEFAULT}:user/emulator`)
})

t.test('temporary keys need their own session token, in a region their account has enabled, until they expire', async t => {
  const refused = async (call: () => Promise<unknown>, name: string, message: string) => {
    const error = await caught(t, call)
    t.same({ name: error.name, status: error.$metadata?.httpStatusCode, message: error.message }, { name, status: 403, message })
  }
  const INVALID = 'The security token included in the request is invalid.'
  const EXPIRED = 'The security token included in the request is expired'
  const home = clients(t, emulator)
  const issued = fromSts((await home.sts.send(assumeOther())).Credentials)
  for (const creds of [{ ...issued, sessionToken: undefined }, { ...issued, sessionToken: 'forged' }, { ...issued, accessKeyId: 'ASIAUNKNOWNKEY000001' }]) {
    const wrong = clients(t, emulator, creds)
    await refused(() => wrong.sts.send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId', INVALID)
    await refused(() => wrong.iam.send(new ListRolesCommand({})), 'InvalidClientTokenId', INVALID)
    await refused(() => wrong.eks.send(new ListClustersCommand({})), 'UnrecognizedClientException', INVALID)
  }
  const disabled = clients(t, emulator, issued, 'ap-east-1')
  await refused(() => disabled.eks.send(new ListClustersCommand({})), 'UnrecognizedClientException', INVALID)
  t.ok(await clients(t, emulator, issued, 'eu-west-1').eks.send(new ListClustersCommand({})), 'an enabled region knows them')
  clock.advance(3600_000)
  const late = clients(t, emulator, issued)
  await refused(() => late.sts.send(new GetCallerIdentityCommand({})), 'ExpiredToken', EXPIRED)
  await refused(() => late.iam.send(new ListRolesCommand({})), 'ExpiredToken', EXPIRED)
  await refused(() => late.eks.send(new ListClustersCommand({})), 'ExpiredTokenException', EXPIRED)
})

t.test('AssumeRole refuses as STS does', async t => {
  const home = clients(t, emulator)
  const expectError = async (command: AssumeRoleCommand, name: string, status: number, message: RegExp | string, from = home) => {
    const error = await caught(t, () => from.sts.send(command))
    t.equal(error.name, name, JSON.stringify(command.input))
    t.equal(error.$metadata?.httpStatusCode, status)
    t.match(error.message, message)
  }
  const notAuthorized = (action: string, resource = OTHER_ROLE) => `User: arn:aws:iam::${DEFAULT}:user/emulator is not authorized to perform: ${action} on resource: ${resource}`

  await expectError(assumeOther({ RoleSessionName: 'x' }), 'ValidationError', 400, /Value 'x' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2/)
  await expectError(assumeOther({ RoleSessionName: 'has space' }), 'ValidationError', 400, /'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: \[\\w\+=,\.@-\]\*/)
  await expectError(assumeOther({ RoleSessionName: 's'.repeat(65) }), 'ValidationError', 400, /Member must have length less than or equal to 64/)
  await expectError(assumeOther({ RoleArn: 'arn:aws:iam::1:r' }), 'ValidationError', 400, /at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20/)
  await expectError(assumeOther({ DurationSeconds: 899 }), 'ValidationError', 400, /at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900/)
  await expectError(assumeOther({ DurationSeconds: 43201 }), 'ValidationError', 400, /Member must have value less than or equal to 43200/)
  await expectError(assumeOther({ ExternalId: 'x' }), 'ValidationError', 400, /at 'externalId'/)
  await expectError(assumeOther({ ExternalId: 'e'.repeat(1225) }), 'ValidationError', 400, /at 'externalId' failed to satisfy constraint: Member must have length less than or equal to 1224/)
  await expectError(assumeOther({ SourceIdentity: 'a' }), 'ValidationError', 400, /at 'sourceIdentity'/)
  await expectError(assumeOther({ Tags: Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })) }), 'ValidationError', 400, /at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50/)
  await expectError(assumeOther({ Tags: [{ Key: 'a', Value: '1' }], TransitiveTagKeys: ['b'] }), 'ValidationError', 400, 'Transitive tag key b is not one of the session tags.')
  await expectError(new AssumeRoleCommand({} as never), 'ValidationError', 400, /^2 validation errors detected: Value null at 'roleArn'.*Value null at 'roleSessionName'/)
  await expectError(assumeOther({ DurationSeconds: 7201 }), 'ValidationError', 400, 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.')
  await expectError(assumeOther({ RoleArn: `arn:aws:iam::${OTHER}:role/no-source-identity`, DurationSeconds: 3601 }), 'ValidationError', 400, 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.')

  await expectError(assumeOther({ ExternalId: undefined }), 'AccessDenied', 403, notAuthorized('sts:AssumeRole'))
  await expectError(assumeOther({ ExternalId: 'wrong-id' }), 'AccessDenied', 403, notAuthorized('sts:AssumeRole'))
  await expectError(assumeOther({ RoleArn: `arn:aws:iam::${OTHER}:role/missing` }), 'AccessDenied', 403, notAuthorized('sts:AssumeRole', `arn:aws:iam::${OTHER}:role/missing`))
  await expectError(assumeOther({ RoleArn: 'arn:aws:iam::999999999999:role/eks-oidc-api' }), 'AccessDenied', 403, notAuthorized('sts:AssumeRole', 'arn:aws:iam::999999999999:role/eks-oidc-api'))
  await expectError(assumeOther({ RoleArn: `arn:aws:iam::${OTHER}:role/denied` }), 'AccessDenied', 403, notAuthorized('sts:AssumeRole', `arn:aws:iam::${OTHER}:role/denied`))
  await expectError(assumeOther({ RoleArn: `arn:aws:iam::${OTHER}:role/no-source-identity`, SourceIdentity: 'alice' }), 'AccessDenied', 403,
    notAuthorized('sts:SetSourceIdentity', `arn:aws:iam::${OTHER}:role/no-source-identity`))
  await expectError(assumeOther({ RoleArn: `arn:aws:iam::${OTHER}:role/no-source-identity`, Tags: [{ Key: 'team', Value: 'a' }] }), 'AccessDenied', 403,
    notAuthorized('sts:TagSession', `arn:aws:iam::${OTHER}:role/no-source-identity`))
  t.ok(await home.sts.send(assumeOther({ RoleArn: `arn:aws:iam::${OTHER}:role/no-source-identity`, ExternalId: undefined })), 'an account id as principal names the root')
  t.ok(await home.sts.send(assumeOther({ Tags: [{ Key: 'team', Value: 'a' }], TransitiveTagKeys: ['team'] })), 'tags with sts:TagSession')
  await expectError(assumeOther({ Policy: '{nope' }), 'MalformedPolicyDocumentException', 400, /valid JSON/)

  const disabled = clients(t, emulator, credentials, 'ap-east-1')
  await expectError(assumeOther(), 'RegionDisabledException', 403, `STS is not activated in this region for account:${OTHER}. Your account administrator can activate STS in this region using the IAM Console.`, disabled)
})

t.test('a chained session is capped at one hour and keeps its SourceIdentity', async t => {
  const home = clients(t, emulator)
  const first = await home.sts.send(assumeOther({ SourceIdentity: 'alice' }))
  const hop = clients(t, emulator, fromSts(first.Credentials))
  const CHAINED = `arn:aws:iam::${OTHER}:role/ops/chained`
  const tooLong = await caught(t, () => hop.sts.send(new AssumeRoleCommand({ RoleArn: CHAINED, RoleSessionName: 'hop', DurationSeconds: 3601 })))
  t.equal(tooLong.name, 'ValidationError')
  t.equal(tooLong.message, 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.')
  const changed = await caught(t, () => hop.sts.send(new AssumeRoleCommand({ RoleArn: CHAINED, RoleSessionName: 'hop', SourceIdentity: 'mallory' })))
  t.equal(changed.name, 'AccessDenied')

  const second = await hop.sts.send(new AssumeRoleCommand({ RoleArn: CHAINED, RoleSessionName: 'hop' }))
  t.equal(second.SourceIdentity, 'alice', 'the source identity passes on')
  t.equal(second.AssumedRoleUser?.Arn, `arn:aws:sts::${OTHER}:assumed-role/chained/hop`, 'the assumed-role ARN has no path')
  const third = clients(t, emulator, fromSts(second.Credentials))
  const refused = await caught(t, () => third.sts.send(new AssumeRoleCommand({ RoleArn: CHAINED, RoleSessionName: 'again' })))
  t.equal(refused.name, 'AccessDenied', 'chained only trusts the eks-oidc-api role')
  t.match(refused.message, `User: arn:aws:sts::${OTHER}:assumed-role/chained/hop is not authorized to perform: sts:AssumeRole on resource: ${CHAINED}`)
})

t.test('unsigned requests and long-term keys stay in the default account and region', async t => {
  const response = await fetch(emulator.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'Action=GetCallerIdentity&Version=2011-06-15' })
  const text = await response.text()
  t.match(text, `<Account>${DEFAULT}</Account>`)
  t.match(text, `<Arn>arn:aws:iam::${DEFAULT}:user/emulator</Arn>`)
  const listed = await (await fetch(`${emulator.url}/clusters`)).json() as { clusters: string[] }
  t.same(listed.clusters, ['home'])
  const other = clients(t, emulator, { accessKeyId: 'AKIAOTHERKEY', secretAccessKey: 'x', sessionToken: 'any' })
  t.equal((await other.sts.send(new GetCallerIdentityCommand({}))).Account, DEFAULT, 'a long-term key with any token is the default account')
})

t.test('the admin API reads and changes a chosen scope', async t => {
  const admin = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${emulator.url}/_emulator/${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) })
    return { status: response.status, body: response.status === 204 ? undefined : await response.json() as any }
  }
  const created = await admin('POST', `clusters?accountId=${OTHER}&region=eu-west-1`, { name: 'added' })
  t.equal(created.status, 201)
  t.equal(created.body.cluster.arn, `arn:aws:eks:eu-west-1:${OTHER}:cluster/added`)
  t.same((await admin('GET', `clusters?accountId=${OTHER}&region=eu-west-1`)).body.clusters.map((c: { name: string }) => c.name), ['remote-eu', 'added'])
  t.same(emulator.scope({ accountId: OTHER, region: 'eu-west-1' }).clusters.has('added'), true)
  t.equal((await admin('DELETE', `clusters/added?accountId=${OTHER}`)).status, 404, 'the default region of that account has no such cluster')
  t.equal((await admin('DELETE', `clusters/added?accountId=${OTHER}&region=eu-west-1`)).status, 204)
  t.equal((await admin('GET', 'clusters?accountId=000000000000')).status, 400)

  const accounts = (await admin('GET', 'accounts')).body.accounts
  const other = accounts.find((account: { accountId: string }) => account.accountId === OTHER)
  t.same(other.disabledRegions, ['ap-east-1'])
  t.ok(other.roles.includes(OTHER_ROLE))
  t.same(other.regions.map((r: { region: string }) => r.region).sort(), ['eu-west-1', 'us-east-1'])
  const sessions = (await admin('GET', 'sessions')).body.sessions
  t.ok(sessions.length > 0)
  t.equal(sessions[0].secretAccessKey, undefined, 'secrets are not listed')
  t.type(sessions[0].sessionToken, 'string')
  const log = (await admin('GET', 'call-log')).body.calls
  t.ok(log.some((entry: { accountId: string }) => entry.accountId === OTHER))
  t.equal((await admin('DELETE', 'calls')).status, 204)
  t.same((await admin('GET', 'call-log')).body.calls, [])

  emulator.reset()
  t.same(emulator.sessions, [])
  t.same(emulator.scope({ accountId: OTHER, region: 'us-east-1' }).clusters.size, 1, 'reset seeds the accounts again')
})
