/**
 * IRSA trust policies over real HTTP: roles created in the emulator with the SDK, each with one
 * of the common mistakes, diagnosed with the right failing check, fixed with apply=true, then
 * diagnosed all-pass; a retried fix makes no second UpdateAssumeRolePolicy.
 */
import t from 'tap'
import { CreateOpenIDConnectProviderCommand, CreateRoleCommand, GetRoleCommand, IAMClient } from '@aws-sdk/client-iam'
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts'
import { STS_ACTIONS } from '../../emulator/sts.ts'
import { credentials, iamClient } from '../emulator/helpers.ts'
import { assertProblem, callsOf, idempotencyKey, startHarness, writeCalls } from './support.ts'

t.test('IRSA trust policies: render, diagnose each mistake, fix once, re-diagnose', async t => {
  const { emulator, call } = await startHarness(t, {
    emulator: { seed: { clusters: [{ name: 'demo' }, { name: 'other' }] } },
    env: { THUMBPRINT_CACHE_TTL_SECONDS: '0' }
  })
  const iam = iamClient(t, emulator)
  const demo = (await call('GET', '/clusters/demo/oidc-provider')).body
  const other = (await call('GET', '/clusters/other/oidc-provider')).body
  const issuerKey = demo.OpenIDConnectProviderArn.split(':oidc-provider/')[1]
  const otherKey = other.OpenIDConnectProviderArn.split(':oidc-provider/')[1]
  const roleArn = (name: string) => `arn:aws:iam::${emulator.accountId}:role/${name}`

  const rendered = await call('GET', '/clusters/demo/oidc-provider/trust-policy?namespace=apps&serviceAccount=web')
  t.equal(rendered.status, 200)
  t.equal(rendered.body.exists, false)
  t.equal(rendered.body.policy.Statement[0].Condition.StringEquals[`${issuerKey}:sub`], 'system:serviceaccount:apps:web')

  const statement = (federated: string, key: string, sub: string, aud = 'sts.amazonaws.com', operator = 'StringEquals') => ({
    Effect: 'Allow',
    Principal: { Federated: federated },
    Action: 'sts:AssumeRoleWithWebIdentity',
    Condition: operator === 'StringEquals'
      ? { StringEquals: { [`${key}:sub`]: sub, [`${key}:aud`]: aud } }
      : { [operator]: { [`${key}:sub`]: sub }, StringEquals: { [`${key}:aud`]: aud } }
  })
  const createRole = (name: string, statements: object[]) => iam.send(new CreateRoleCommand({
    RoleName: name,
    AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: statements }, null, 2)
  }))
  const diagnosis = (name: string) => call('GET', `/clusters/demo/oidc-provider/trust-policy/diagnosis?roleArn=${encodeURIComponent(roleArn(name))}&namespace=apps&serviceAccount=web`)
  const failing = (body: { checks: Array<{ id: string, status: string }> }) => body.checks.filter(c => c.status === 'fail').map(c => c.id)

  await t.test('the rendered policy, before the provider exists: only provider-exists fails, and no fix is offered', async t => {
    await createRole('rendered', rendered.body.policy.Statement)
    const d = await diagnosis('rendered')
    t.equal(d.status, 200)
    t.same(failing(d.body), ['provider-exists'])
    t.match(d.body.checks[0].reason, `has no IAM OIDC provider for this cluster's issuer (${demo.OpenIDConnectProviderArn})`)
    t.equal(d.body.fix, undefined)
    t.equal((await call('PUT', '/clusters/demo/oidc-provider', { body: {} })).status, 201)
    const after = await diagnosis('rendered')
    t.equal(after.body.allowed, true)
    t.same(failing(after.body), [], 'once the provider exists, every check passes')
  })

  const mistakes: Array<[string, object, string, RegExp]> = [
    ['wrong-sub', statement(demo.OpenIDConnectProviderArn, issuerKey, 'system:serviceaccount:apps:api'), 'sub-condition', /"system:serviceaccount:apps:api", which the token's "system:serviceaccount:apps:web" does not satisfy/],
    ['wrong-aud', statement(demo.OpenIDConnectProviderArn, issuerKey, 'system:serviceaccount:apps:web', 'sts.amazonaws.com.cn'), 'aud-condition', /"sts.amazonaws.com.cn", which the token's "sts.amazonaws.com"/],
    ['wildcard-equals', statement(demo.OpenIDConnectProviderArn, issuerKey, 'system:serviceaccount:apps:*'), 'operator-fits-value', /StringEquals compares "system:serviceaccount:apps:\*" literally/],
    ['other-issuer', statement(other.OpenIDConnectProviderArn, otherKey, 'system:serviceaccount:apps:web'), 'federated-principal', new RegExp(`issuer "${otherKey}", not this cluster's issuer "${issuerKey}"`)]
  ]

  for (const [name, broken, check, reason] of mistakes) {
    await t.test(`${name}: diagnosed by ${check}, fixed once, then all-pass`, async t => {
      await createRole(name, [broken])
      const before = await diagnosis(name)
      t.equal(before.status, 200)
      t.equal(before.body.allowed, false)
      t.ok(failing(before.body).includes(check), `${check} fails`)
      t.match(before.body.checks.find((c: { id: string }) => c.id === check).reason, reason)
      t.ok(before.body.fix, 'a fix is offered')

      emulator.resetCalls()
      const headers = { 'idempotency-key': idempotencyKey() }
      const body = { roleArn: roleArn(name), namespace: 'apps', serviceAccount: 'web' }
      const fixed = await call('POST', '/clusters/demo/oidc-provider/trust-policy/diagnosis?apply=true', { body, headers })
      t.equal(fixed.status, 200)
      t.equal(fixed.body.allowed, true)
      t.same(writeCalls(emulator, 'iam'), { 'iam:UpdateAssumeRolePolicy': 1 })
      t.same(callsOf(emulator, 'iam:GetRole'), { 'iam:GetRole': 1 })

      const stored = JSON.parse(decodeURIComponent((await iam.send(new GetRoleCommand({ RoleName: name }))).Role!.AssumeRolePolicyDocument!))
      t.same(stored, fixed.body.policy, 'IAM holds the policy the answer shows')
      t.same(stored, before.body.fix.policy, 'which is the fix the diagnosis offered')

      const again = await diagnosis(name)
      t.equal(again.body.allowed, true)
      t.same(failing(again.body), [], 're-diagnosed: no check fails')

      emulator.resetCalls()
      const retried = await call('POST', '/clusters/demo/oidc-provider/trust-policy/diagnosis?apply=true', { body, headers })
      t.equal(retried.headers.get('idempotent-replayed'), 'true')
      const unkeyed = await call('POST', '/clusters/demo/oidc-provider/trust-policy/diagnosis?apply=true', { body })
      t.same(unkeyed.body.changes, [])
      t.same(writeCalls(emulator, 'iam'), {}, 'no second UpdateAssumeRolePolicy')
    })
  }

  await t.test('a role in an account the service does not reach is a 400 naming roleArn, and nothing is called there', async t => {
    emulator.resetCalls()
    const url = `/clusters/demo/oidc-provider/trust-policy/diagnosis?roleArn=${encodeURIComponent('arn:aws:iam::444455556666:role/web')}&namespace=apps&serviceAccount=web`
    const body = assertProblem(t, await call('GET', url), 400, 'AccountNotReachable')
    t.same(body.errors.map((e: { pointer: string }) => e.pointer), ['/querystring/roleArn'])
    t.same(callsOf(emulator, 'iam:GetRole'), { 'iam:GetRole': 0 })
  })

  await t.test('a role that does not exist is a 404 problem naming it', async t => {
    const body = assertProblem(t, await diagnosis('nobody'), 404, 'NoSuchEntityException')
    t.match(body.detail, 'Role "nobody" does not exist')
  })
})

const OWN = '111122223333'
const B = '444455556666'
const SERVICE_ROLE_B = `arn:aws:iam::${B}:role/eks-oidc-api`

t.test('a role in another account of the registry: read and repaired in that account', { skip: 'AssumeRole' in STS_ACTIONS ? false : 'the emulator does not serve STS AssumeRole' }, async t => {
  const trustOwnAccount = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OWN}:root` }, Action: ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'] }] }
  const ACCOUNTS = JSON.stringify({ accounts: [{ accountId: OWN, regions: ['us-east-1'] }, { accountId: B, roleArn: SERVICE_ROLE_B, regions: ['us-east-1'] }] })
  const { emulator, call } = await startHarness(t, {
    emulator: { seed: { clusters: [{ name: 'demo' }], accounts: [{ accountId: B, roles: [{ roleName: 'eks-oidc-api', assumeRolePolicyDocument: trustOwnAccount }] }] } },
    env: { ACCOUNTS, THUMBPRINT_CACHE_TTL_SECONDS: '0' }
  })
  const demo = (await call('GET', '/clusters/demo/oidc-provider')).body
  const issuerKey = demo.OpenIDConnectProviderArn.split(':oidc-provider/')[1]
  const providerInB = `arn:aws:iam::${B}:oidc-provider/${issuerKey}`
  const scoped = await call('GET', `/accounts/${OWN}/regions/us-east-1/clusters/demo/oidc-provider/trust-policy?namespace=apps&serviceAccount=web&accountId=${B}`)
  t.equal(scoped.status, 200, 'the account-scoped form renders too')
  t.match(scoped.body, { OpenIDConnectProviderArn: providerInB, exists: false }, 'B is reached: its provider is looked up there (none yet)')

  // What a platform team does in account B by hand: the provider for the cluster's issuer, and a
  // role whose trust policy was copied from the cluster's own account.
  const sts = new STSClient({ endpoint: emulator.url, region: 'us-east-1', credentials, maxAttempts: 1 })
  t.teardown(() => sts.destroy())
  const assumed = (await sts.send(new AssumeRoleCommand({ RoleArn: SERVICE_ROLE_B, RoleSessionName: 'e2e-setup' }))).Credentials!
  const iamB = new IAMClient({
    endpoint: emulator.url,
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: { accessKeyId: assumed.AccessKeyId!, secretAccessKey: assumed.SecretAccessKey!, sessionToken: assumed.SessionToken }
  })
  t.teardown(() => iamB.destroy())
  await iamB.send(new CreateOpenIDConnectProviderCommand({ Url: demo.issuerUrl, ClientIDList: ['sts.amazonaws.com'] }))
  const copied = {
    Version: '2012-10-17',
    Statement: [{
      Effect: 'Allow',
      Principal: { Federated: demo.OpenIDConnectProviderArn },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringEquals: { [`${issuerKey}:sub`]: 'system:serviceaccount:apps:web', [`${issuerKey}:aud`]: 'sts.amazonaws.com' } }
    }]
  }
  await iamB.send(new CreateRoleCommand({ RoleName: 'web', AssumeRolePolicyDocument: JSON.stringify(copied) }))

  const url = `/clusters/demo/oidc-provider/trust-policy/diagnosis?roleArn=${encodeURIComponent(`arn:aws:iam::${B}:role/web`)}&namespace=apps&serviceAccount=web`
  const before = await call('GET', url)
  t.equal(before.status, 200, JSON.stringify(before.body))
  t.equal(before.body.OpenIDConnectProviderArn, providerInB, 'the provider the role must trust is the one in its own account')
  t.same(before.body.checks.filter((c: { status: string }) => c.status === 'fail').map((c: { id: string }) => c.id), ['federated-principal'])
  t.match(before.body.checks[1].reason, `through the provider in account ${OWN}`)
  t.equal(before.body.checks[0].status, 'pass', 'the provider exists in account B')

  emulator.resetCalls()
  const body = { roleArn: `arn:aws:iam::${B}:role/web`, namespace: 'apps', serviceAccount: 'web' }
  const fixed = await call('POST', '/clusters/demo/oidc-provider/trust-policy/diagnosis?apply=true', { body, headers: { 'idempotency-key': idempotencyKey() } })
  t.equal(fixed.status, 200)
  t.equal(fixed.body.allowed, true)
  t.same(writeCalls(emulator, 'iam'), { 'iam:UpdateAssumeRolePolicy': 1 })
  const stored = JSON.parse(decodeURIComponent((await iamB.send(new GetRoleCommand({ RoleName: 'web' }))).Role!.AssumeRolePolicyDocument!))
  t.same(stored.Statement.map((s: { Principal: { Federated: string } }) => s.Principal.Federated), [demo.OpenIDConnectProviderArn, providerInB], 'the copied statement stays; one naming B\'s provider is added')
  t.equal(emulator.state.roles.has('web'), false, 'nothing was written in the cluster\'s account')
})
