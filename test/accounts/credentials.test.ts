/** Assumed-role sessions: cached per (account, principal), renewed before expiry, one AssumeRole at a time, bounded, and clear problems. */
import t from 'tap'
import type { AssumeRoleCommandInput, AssumeRoleCommandOutput } from '@aws-sdk/client-sts'
import { AssumedRoles } from '../../src/accounts/credentials.ts'
import { parseAccountRegistry } from '../../src/accounts/registry.ts'
import { roleSessionNameOf, sourceIdentityOf, stsName } from '../../src/accounts/session-identity.ts'
import type { StsPort } from '../../src/aws/ports.ts'
import { ServiceError } from '../../src/errors.ts'

const ROLE = 'arn:aws:iam::444455556666:role/eks-oidc-api'
const registry = parseAccountRegistry({
  accounts: [
    { accountId: '111122223333', regions: ['eu-west-1'] },
    { accountId: '444455556666', roleArn: ROLE, externalId: 'ext-42', sessionDurationSeconds: 900, regions: ['eu-west-1'] }
  ]
}, 'ACCOUNTS')
const account = registry.find('444455556666')!
const HOUR = 3600_000

/** A fake STS whose answers the test releases by hand; every call is recorded. */
function fakeSts (now: () => number) {
  const calls: AssumeRoleCommandInput[] = []
  const pending: Array<{ resolve (output: AssumeRoleCommandOutput): void, reject (error: Error): void }> = []
  const sts: StsPort = {
    assumeRole (input) {
      calls.push(input)
      return new Promise((resolve, reject) => pending.push({ resolve, reject }))
    },
    getCallerIdentity: async () => ({ $metadata: {} })
  }
  const answer = (lifetimeMs = HOUR) => pending.shift()!.resolve({
    Credentials: { AccessKeyId: `AKID${calls.length}`, SecretAccessKey: 'secret', SessionToken: 'token', Expiration: new Date(now() + lifetimeMs) },
    $metadata: {}
  })
  const fail = (name: string) => pending.shift()!.reject(Object.assign(new Error(name + ' from STS'), { name }))
  return { sts, calls, pending, answer, fail }
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve))

t.test('one session per (account, principal): single flight, cached, renewed before expiry', async t => {
  let clock = 1_000_000
  const now = () => clock
  const fake = fakeSts(now)
  const roles = new AssumedRoles({ sts: fake.sts, timeoutMs: 60_000, now })
  const alice = { principal: 'alice', requestId: 'req-1' }

  const concurrent = [roles.credentials(account, alice), roles.credentials(account, { principal: 'alice', requestId: 'req-2' })]
  await settle()
  t.equal(fake.calls.length, 1, 'concurrent requests of one principal share one AssumeRole')
  t.same(fake.calls[0], { RoleArn: ROLE, RoleSessionName: 'eks-oidc-api-req-1', SourceIdentity: 'alice', DurationSeconds: 900, ExternalId: 'ext-42' },
    'the session names the principal and the request that opened it, with the account\'s ExternalId and duration')
  fake.answer()
  const [first, second] = await Promise.all(concurrent)
  t.equal(first, second, 'both get the same credentials')

  clock += HOUR - 6 * 60_000
  t.equal(await roles.credentials(account, alice), first, 'reused while more than 5 minutes are left')
  t.equal(fake.calls.length, 1)

  const bob = roles.credentials(account, { principal: 'bob', requestId: 'req-3' })
  await settle()
  t.equal(fake.calls.length, 2, 'another principal gets a session of its own')
  t.equal(fake.calls[1].SourceIdentity, 'bob')
  fake.answer()
  await bob

  clock += 2 * 60_000
  const renewed = roles.credentials(account, alice)
  await settle()
  t.equal(fake.calls.length, 3, 'renewed once less than 5 minutes are left')
  fake.answer()
  t.not(await renewed, first, 'new credentials')
  t.equal(roles.size, 2)
})

t.test('a failed renewal keeps a session that has time left; an expired one fails', async t => {
  let clock = 0
  const now = () => clock
  const fake = fakeSts(now)
  const roles = new AssumedRoles({ sts: fake.sts, timeoutMs: 60_000, now })
  const caller = { principal: 'alice' }
  const first = roles.credentials(account, caller)
  await settle()
  fake.answer(10 * 60_000)
  const held = await first
  clock += 8 * 60_000
  const renewal = roles.credentials(account, caller)
  await settle()
  fake.fail('Throttling')
  t.equal(await renewal, held, 'the held session still serves')
  clock += 3 * 60_000
  const expired = roles.credentials(account, caller)
  await settle()
  fake.fail('Throttling')
  await t.rejects(expired, { code: 'AccountUnreachable' })
})

t.test('refusals are problems naming the account and the role; a hang is bounded', async t => {
  const fake = fakeSts(Date.now)
  const roles = new AssumedRoles({ sts: fake.sts, timeoutMs: 50 })
  const denied = roles.credentials(account, { principal: 'a' })
  await settle()
  fake.fail('AccessDenied')
  const error = await denied.catch((e: unknown) => e) as ServiceError
  t.ok(error instanceof ServiceError)
  t.equal(error.status, 403)
  t.equal(error.code, 'AccountAccessDenied')
  t.match(error.message, /account 444455556666 \(role arn:aws:iam::444455556666:role\/eks-oidc-api\)/)
  t.same(error.extensions, { accountId: '444455556666', roleArn: ROLE, cause: 'AccessDenied' })

  for (const cause of ['RegionDisabledException', 'ExpiredToken', 'ECONNREFUSED']) {
    const failing = roles.credentials(account, { principal: cause })
    await settle()
    fake.fail(cause)
    await t.rejects(failing, { code: 'AccountUnreachable', status: 502, extensions: { cause } }, `${cause}: 502 AccountUnreachable`)
  }

  const hanging = roles.credentials(account, { principal: 'never-answered' })
  await t.rejects(hanging, { code: 'AccountUnreachable', extensions: { cause: 'TimeoutError' }, message: /TimeoutError/ }, 'STS that never answers: the deadline ends the wait')
})

t.test('the number of sessions kept is bounded', async t => {
  const fake = fakeSts(Date.now)
  const roles = new AssumedRoles({ sts: fake.sts, timeoutMs: 60_000, maxSessions: 3 })
  for (let i = 0; i < 5; i++) {
    const opened = roles.credentials(account, { principal: `p${i}` })
    await settle()
    fake.answer()
    await opened
  }
  t.equal(roles.size, 3)
})

t.test('SourceIdentity and RoleSessionName fit STS: 2 to 64 of [\\w+=,.@-], deterministic', async t => {
  const fits = /^[\w+=,.@-]{2,64}$/
  t.equal(stsName('ci-pipeline'), 'ci-pipeline', 'a fitting principal is kept as it is')
  for (const principal of ['jwt:alice@example.com', 'a', 'x'.repeat(200), 'jwt:Ünïcode user', 'jwt:' + 'y'.repeat(60)]) {
    const name = sourceIdentityOf({ principal })
    t.match(name, fits, `${principal.slice(0, 20)} → ${name}`)
    t.equal(sourceIdentityOf({ principal }), name, 'the same principal always gets the same name')
  }
  t.not(stsName('jwt:alice'), stsName('jwt_alice'), 'principals that read alike still differ')
  t.match(stsName('jwt:alice'), /^jwt_alice\.[0-9a-f]{16}$/)
  t.equal(roleSessionNameOf({ principal: 'p', requestId: 'req-7' }), 'eks-oidc-api-req-7')
  t.equal(roleSessionNameOf({ principal: 'p' }), 'eks-oidc-api-background', 'background work names itself')
  t.match(roleSessionNameOf({ principal: 'p', requestId: 'r'.repeat(80) }), fits, 'a long request id still fits')
})
