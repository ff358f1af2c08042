import t from 'tap'
import {
  CreateRoleCommand, DeleteRoleCommand, GetRoleCommand, ListRolesCommand, UpdateAssumeRolePolicyCommand
} from '@aws-sdk/client-iam'
import { TRUST_POLICY_SIZE_QUOTA } from '../../emulator/trust-policy.ts'
import { caught, fakeClock, iamClient, startEmulator } from './helpers.ts'

const clock = fakeClock(Date.parse('2026-02-01T08:30:15.789Z'))
const emulator = await startEmulator(t, { clock: clock.now })
const iam = iamClient(t, emulator)

const trust = (principal: unknown, extra: Record<string, unknown> = {}) => JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole', ...extra }]
})
const ROOT_TRUST = trust({ AWS: 'arn:aws:iam::111122223333:root' })

t.test('CreateRole, GetRole answer the IAM Role shape with the trust policy URL-encoded', async t => {
  const created = await iam.send(new CreateRoleCommand({
    RoleName: 'deployer',
    Path: '/platform/',
    AssumeRolePolicyDocument: ROOT_TRUST,
    Description: 'deploys',
    MaxSessionDuration: 7200,
    Tags: [{ Key: 'team', Value: 'platform' }]
  }))
  t.equal(created.Role?.Arn, 'arn:aws:iam::111122223333:role/platform/deployer')
  t.match(created.Role?.RoleId, /^AROA[A-Z2-7]{17}$/)
  t.same(created.Role?.CreateDate, new Date('2026-02-01T08:30:15Z'))
  t.same(created.Role?.Tags, [{ Key: 'team', Value: 'platform' }])

  const got = (await iam.send(new GetRoleCommand({ RoleName: 'DEPLOYER' }))).Role
  t.equal(got?.RoleName, 'deployer', 'role names are looked up regardless of case')
  t.equal(got?.AssumeRolePolicyDocument, encodeURIComponent(ROOT_TRUST), 'the SDK hands over the document URL-encoded, as IAM sends it')
  t.same(JSON.parse(decodeURIComponent(got?.AssumeRolePolicyDocument ?? '')), JSON.parse(ROOT_TRUST))
  t.equal(got?.MaxSessionDuration, 7200)
  t.equal(got?.Description, 'deploys')
  t.same(got?.RoleLastUsed, {})

  const duplicate = await caught(t, () => iam.send(new CreateRoleCommand({ RoleName: 'Deployer', AssumeRolePolicyDocument: ROOT_TRUST })))
  t.equal(duplicate.name, 'EntityAlreadyExistsException')
  t.equal(duplicate.$metadata?.httpStatusCode, 409)
  t.equal(duplicate.message, 'Role with name Deployer already exists.')

  const missing = await caught(t, () => iam.send(new GetRoleCommand({ RoleName: 'nobody' })))
  t.equal(missing.name, 'NoSuchEntityException')
  t.equal(missing.$metadata?.httpStatusCode, 404)
  t.equal(missing.message, 'The role with name nobody cannot be found.')
})

t.test('the model constraints of the role operations give ValidationError', async t => {
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ RoleName: 'a'.repeat(65), AssumeRolePolicyDocument: ROOT_TRUST }, /at 'roleName' failed to satisfy constraint: Member must have length less than or equal to 64/],
    [{ RoleName: 'bad name', AssumeRolePolicyDocument: ROOT_TRUST }, /at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern/],
    [{ RoleName: 'p', Path: 'no-slash', AssumeRolePolicyDocument: ROOT_TRUST }, /at 'path' failed to satisfy constraint/],
    [{ RoleName: 'd', AssumeRolePolicyDocument: ROOT_TRUST, MaxSessionDuration: 3599 }, /at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600/],
    [{ RoleName: 'd', AssumeRolePolicyDocument: ROOT_TRUST, MaxSessionDuration: 43201 }, /Member must have value less than or equal to 43200/],
    [{ RoleName: 'd', AssumeRolePolicyDocument: 'caf\u00e9 \u0100' }, /at 'assumeRolePolicyDocument' failed to satisfy constraint: Member must satisfy regular expression pattern/]
  ]
  for (const [input, message] of cases) {
    const error = await caught(t, () => iam.send(new CreateRoleCommand(input as never)))
    t.equal(error.name, 'ValidationError', JSON.stringify(input))
    t.equal(error.$metadata?.httpStatusCode, 400)
    t.match(error.message, message)
  }
  const both = await caught(t, () => iam.send(new CreateRoleCommand({} as never)))
  t.match(both.message, /^2 validation errors detected: Value null at 'roleName'.*Value null at 'assumeRolePolicyDocument'/)
})

t.test('trust policies are checked as policy documents', async t => {
  const cases: Array<[string, string]> = [
    ['{not json', 'This policy contains invalid Json'],
    [JSON.stringify({ Version: '2013-01-01', Statement: [] }), 'The policy must contain a valid version string'],
    [JSON.stringify({ Version: '2012-10-17' }), 'Missing required field Statement'],
    [trust({ AWS: '111122223333' }, { Effect: 'Maybe' }), 'Invalid effect: Maybe'],
    [JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole' }] }), 'Missing required field Principal'],
    [trust({ AWS: 'not-an-arn' }), 'Invalid principal in policy: "AWS":"not-an-arn"'],
    [trust({ Robot: 'x' }), 'Invalid principal in policy: "Robot"'],
    [trust({ AWS: '111122223333' }, { Action: 'AssumeRole' }), 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.'],
    [trust({ AWS: '111122223333' }, { Resource: '*' }), 'Has prohibited field Resource']
  ]
  for (const [document, message] of cases) {
    const error = await caught(t, () => iam.send(new CreateRoleCommand({ RoleName: 'malformed', AssumeRolePolicyDocument: document })))
    t.equal(error.name, 'MalformedPolicyDocumentException', document)
    t.equal(error.$metadata?.httpStatusCode, 400)
    t.equal(error.message, message)
  }
  await t.rejects(iam.send(new GetRoleCommand({ RoleName: 'malformed' })), { name: 'NoSuchEntityException' }, 'nothing was created')
})

t.test('the trust policy quota counts characters without white space', async t => {
  const padded = (size: number) => {
    const base = trust({ AWS: '111122223333' }, { Sid: '' })
    return base.replace('"Sid":""', `"Sid":"${'a'.repeat(size - base.length)}"`)
  }
  const atQuota = padded(TRUST_POLICY_SIZE_QUOTA)
  t.equal(atQuota.length, TRUST_POLICY_SIZE_QUOTA)
  await iam.send(new CreateRoleCommand({ RoleName: 'at-quota', AssumeRolePolicyDocument: JSON.stringify(JSON.parse(atQuota), null, 8) }))
  const over = await caught(t, () => iam.send(new CreateRoleCommand({ RoleName: 'over-quota', AssumeRolePolicyDocument: padded(TRUST_POLICY_SIZE_QUOTA + 1) })))
  t.equal(over.name, 'LimitExceededException')
  t.equal(over.$metadata?.httpStatusCode, 409)
  t.equal(over.message, 'Cannot exceed quota for ACLSizePerRole: 2048')
  const update = await caught(t, () => iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'at-quota', PolicyDocument: padded(TRUST_POLICY_SIZE_QUOTA + 1) })))
  t.equal(update.name, 'LimitExceededException')
})

t.test('UpdateAssumeRolePolicy replaces the document; DeleteRole removes the role', async t => {
  await iam.send(new CreateRoleCommand({ RoleName: 'updatable', AssumeRolePolicyDocument: ROOT_TRUST }))
  const next = trust({ AWS: 'arn:aws:iam::444455556666:root' }, { Condition: { StringEquals: { 'sts:ExternalId': 'ext-1' } } })
  t.same(await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'updatable', PolicyDocument: next })).then(() => 'ok'), 'ok')
  const got = await iam.send(new GetRoleCommand({ RoleName: 'updatable' }))
  t.equal(decodeURIComponent(got.Role?.AssumeRolePolicyDocument ?? ''), next)
  const bad = await caught(t, () => iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'updatable', PolicyDocument: '[]' })))
  t.equal(bad.name, 'MalformedPolicyDocumentException')
  t.equal(decodeURIComponent((await iam.send(new GetRoleCommand({ RoleName: 'updatable' }))).Role?.AssumeRolePolicyDocument ?? ''), next, 'a refused update changes nothing')
  const missing = await caught(t, () => iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'ghost', PolicyDocument: next })))
  t.equal(missing.name, 'NoSuchEntityException')

  await iam.send(new DeleteRoleCommand({ RoleName: 'updatable' }))
  t.equal((await caught(t, () => iam.send(new DeleteRoleCommand({ RoleName: 'updatable' })))).name, 'NoSuchEntityException')
})

t.test('ListRoles filters by PathPrefix and pages with Marker/MaxItems', async t => {
  emulator.reset()
  for (const name of ['c-role', 'a-role', 'B-role']) await iam.send(new CreateRoleCommand({ RoleName: name, Path: '/team/', AssumeRolePolicyDocument: ROOT_TRUST }))
  await iam.send(new CreateRoleCommand({ RoleName: 'other', AssumeRolePolicyDocument: ROOT_TRUST, Tags: [{ Key: 'k', Value: 'v' }] }))

  const all = await iam.send(new ListRolesCommand({}))
  t.same(all.Roles?.map(role => role.RoleName), ['a-role', 'B-role', 'c-role', 'other'])
  t.equal(all.IsTruncated, false)
  t.equal(all.Roles?.[3].Tags, undefined, 'ListRoles does not return tags')

  const names: string[] = []
  let marker: string | undefined
  let pages = 0
  do {
    const page = await iam.send(new ListRolesCommand({ PathPrefix: '/team/', MaxItems: 2, Marker: marker }))
    names.push(...(page.Roles ?? []).map(role => role.RoleName as string))
    marker = page.IsTruncated ? page.Marker : undefined
    pages++
  } while (marker !== undefined)
  t.same(names, ['a-role', 'B-role', 'c-role'])
  t.equal(pages, 2)

  t.equal((await caught(t, () => iam.send(new ListRolesCommand({ Marker: 'not a marker' })))).name, 'InvalidInputException')
  t.equal((await caught(t, () => iam.send(new ListRolesCommand({ MaxItems: 0 })))).name, 'ValidationError')
  t.equal((await caught(t, () => iam.send(new ListRolesCommand({ PathPrefix: 'team' })))).name, 'ValidationError')
})
