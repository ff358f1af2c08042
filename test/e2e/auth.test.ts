/**
 * Authentication on, end to end: the real app over HTTP, its real SDK clients against the
 * emulator, once with static tokens and once with JWTs from a real HTTPS issuer on loopback.
 * A read-only principal changes nothing, a principal granted one cluster cannot touch another,
 * and principals see only their own operations (admins everyone's), the audit trail is for admins
 * only, and an Idempotency-Key belongs to the principal that sent it.
 */
import t, { type Test } from 'tap'
import { generateToken, hashToken } from '../../src/auth/static-tokens.ts'
import { concretePath } from '../support/route-walk.ts'
import { startOidcIssuer } from '../auth/helpers/oidc-issuer.ts'
import { assertProblem, idempotencyKey, startHarness, writeCalls, type Harness } from './support.ts'

const PEOPLE = ['reader', 'alice', 'bob', 'admin'] as const
type Person = typeof PEOPLE[number]

/** reader reads everything; alice writes alpha only; bob writes alpha and reads everything; admin. */
function grants (principalOf: (person: Person) => string) {
  return JSON.stringify({
    grants: [
      { principal: principalOf('reader'), clusters: ['*'], actions: ['read'] },
      { principal: principalOf('alice'), clusters: ['alpha'], actions: ['write'] },
      { principal: principalOf('bob'), clusters: ['alpha'], actions: ['write'] },
      { principal: principalOf('bob'), clusters: ['*'], actions: ['read'] },
      { principal: principalOf('admin'), clusters: ['*'], actions: ['admin'] }
    ]
  })
}

interface AuthWorld {
  harness: Harness
  /** The principal name the service gives each person. */
  principal: Record<Person, string>
  /** The Authorization header each person sends. */
  authorization: Record<Person, string>
}

const SEED = { seed: { clusters: [{ name: 'alpha' }, { name: 'beta' }] } }

async function withStaticTokens (t: Test): Promise<AuthWorld> {
  const tokens = Object.fromEntries(PEOPLE.map(person => [person, generateToken()])) as Record<Person, string>
  const harness = await startHarness(t, {
    emulator: SEED,
    env: {
      AUTH_MODE: 'tokens',
      AUTH_API_TOKENS: PEOPLE.map(person => `${person}:${hashToken(tokens[person])}`).join(','),
      AUTH_GRANTS: grants(person => person)
    }
  })
  const principal = Object.fromEntries(PEOPLE.map(person => [person, person])) as Record<Person, string>
  const authorization = Object.fromEntries(PEOPLE.map(person => [person, `Bearer ${tokens[person]}`])) as Record<Person, string>
  return { harness, principal, authorization }
}

async function withJwts (t: Test): Promise<AuthWorld> {
  const issuer = await startOidcIssuer('eks-oidc-api')
  t.teardown(() => issuer.close())
  const dir = t.testdir({ 'ca.pem': issuer.caPem })
  const harness = await startHarness(t, {
    emulator: SEED,
    env: {
      AUTH_MODE: 'jwt',
      AUTH_JWT_ISSUER: issuer.issuer,
      AUTH_JWT_AUDIENCE: 'eks-oidc-api',
      AUTH_JWT_CA_FILE: `${dir}/ca.pem`,
      AUTH_GRANTS: grants(person => `jwt:${person}`)
    }
  })
  const principal = Object.fromEntries(PEOPLE.map(person => [person, `jwt:${person}`])) as Record<Person, string>
  const authorization = Object.fromEntries(await Promise.all(PEOPLE.map(async person => [person, `Bearer ${await issuer.sign({ sub: person })}`]))) as Record<Person, string>
  return { harness, principal, authorization }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

async function scenario (t: Test, world: AuthWorld) {
  const { harness: { app, emulator, call }, principal, authorization } = world
  const as = (person: Person, method: string, path: string, options: { body?: unknown, headers?: Record<string, string> } = {}) =>
    call(method, path, { ...options, headers: { ...options.headers, authorization: authorization[person] } })
  const noAwsWrites = () => ({ ...writeCalls(emulator, 'iam'), ...writeCalls(emulator, 'eks') })

  await t.test('a read-only principal reads, and cannot change anything', async t => {
    t.equal((await as('reader', 'GET', '/clusters/alpha')).status, 200, 'the credential is good')
    const changing = app.routeAccessTable.filter(route => !route.requirement.public && route.requirement.action !== 'read')
    t.ok(changing.length >= 7, `walks ${changing.length} changing and admin routes`)
    emulator.resetCalls()
    for (const route of changing) {
      const body = ['POST', 'PUT', 'PATCH'].includes(route.method) ? {} : undefined
      const reply = await as('reader', route.method, concretePath(route.url, 'alpha'), { body, headers: { 'idempotency-key': idempotencyKey() } })
      if (route.method === 'HEAD') t.equal(reply.status, 403, `HEAD ${route.url}`)
      else assertProblem(t, reply, 403, 'AccessDeniedException')
    }
    t.same(noAwsWrites(), {}, 'no AWS write call')
  })

  await t.test('a principal granted one cluster cannot touch another', async t => {
    emulator.resetCalls()
    const denied = [
      await as('alice', 'PUT', '/clusters/beta/oidc-provider', { body: {} }),
      await as('alice', 'DELETE', '/clusters/beta/oidc-provider'),
      await as('alice', 'POST', '/clusters/beta/identity-provider-configs', {
        body: { oidc: { identityProviderConfigName: 'corp', issuerUrl: emulator.issuerBaseUrl, clientId: 'kubernetes' } },
        headers: { 'idempotency-key': idempotencyKey() }
      }),
      await as('alice', 'GET', '/clusters/beta')
    ]
    for (const reply of denied) {
      t.match(assertProblem(t, reply, 403, 'AccessDeniedException').detail, `principal "${principal.alice}" lacks`)
    }
    t.same(noAwsWrites(), {}, 'no AWS write call')
    t.equal(emulator.state.oidcProviders.size, 0)
  })

  await t.test('tenancy: operations, audit records and idempotency keys are per principal', async t => {
    const key = idempotencyKey()
    emulator.resetCalls()
    const byAlice = await as('alice', 'PUT', '/clusters/alpha/oidc-provider', { body: {}, headers: { 'idempotency-key': key } })
    t.equal(byAlice.status, 201, 'alice creates the provider')
    const byBob = await as('bob', 'PUT', '/clusters/alpha/oidc-provider', { body: {}, headers: { 'idempotency-key': key } })
    t.equal(byBob.status, 200, 'bob\'s request, with alice\'s key and body, ran on its own: the provider exists already')
    t.equal(byBob.headers.get('idempotent-replayed'), 'false', 'not a replay of alice\'s answer')
    t.equal(emulator.calls['iam:CreateOpenIDConnectProvider'], 1)
    const replay = await as('alice', 'PUT', '/clusters/alpha/oidc-provider', { body: {}, headers: { 'idempotency-key': key } })
    t.equal(replay.headers.get('idempotent-replayed'), 'true', 'alice\'s own key replays her answer')
    t.equal(replay.status, 201)

    const everyone = await as('admin', 'GET', '/clusters/alpha/operations?limit=100')
    t.equal(everyone.status, 200)
    const operationOf = (reply: { headers: Headers }) => everyone.body.items.find((op: any) => op.details?.requestId === reply.headers.get('x-request-id'))
    const aliceOp = operationOf(byAlice)
    const bobOp = operationOf(byBob)
    t.match(aliceOp, { principal: principal.alice, action: 'putOpenIDConnectProvider', cluster: 'alpha' }, 'the admin sees alice\'s operation')
    t.match(bobOp, { principal: principal.bob }, 'and bob\'s')
    t.not(aliceOp.id, bobOp.id, 'two operations')

    const alicesList = await as('alice', 'GET', '/clusters/alpha/operations?limit=100')
    t.equal(alicesList.status, 200)
    t.ok(alicesList.body.items.length > 0)
    t.same([...new Set(alicesList.body.items.map((op: any) => op.principal))], [principal.alice], 'alice lists only her own')
    assertProblem(t, await as('alice', 'GET', `/clusters/alpha/operations/${bobOp.id}`), 404, 'OperationNotFound')
    t.equal((await as('alice', 'GET', `/clusters/alpha/operations/${aliceOp.id}`)).status, 200)
    assertProblem(t, await as('bob', 'GET', `/operations/${aliceOp.id}`), 404, 'OperationNotFound')
    t.match((await as('bob', 'GET', `/operations/${bobOp.id}`)).body, { id: bobOp.id, principal: principal.bob })
    t.equal((await as('admin', 'GET', `/operations/${aliceOp.id}`)).status, 200, 'an admin sees anyone\'s')

    for (const person of ['alice', 'bob', 'reader'] as const) {
      assertProblem(t, await as(person, 'GET', '/audit'), 403, 'AccessDeniedException')
    }
    const audit = await as('admin', 'GET', '/audit?cluster=alpha&action=putOpenIDConnectProvider&limit=100')
    t.equal(audit.status, 200)
    const recordOf = (reply: { headers: Headers }) => audit.body.items.find((record: any) => record.requestId === reply.headers.get('x-request-id'))
    const arn = aliceOp.resource
    t.match(arn, /^arn:aws:iam::\d{12}:oidc-provider\//, 'the operation names the provider ARN')
    t.match(recordOf(byAlice), { principal: principal.alice, operationId: aliceOp.id, resource: arn, outcome: 'succeeded', status: 201, awsRequestId: UUID })
    t.match(recordOf(byBob), { principal: principal.bob, operationId: bobOp.id, resource: arn, outcome: 'succeeded', status: 200, awsRequestId: UUID })
    t.match(recordOf(replay), { principal: principal.alice, operationId: aliceOp.id, outcome: 'replayed' })
  })
}

t.test('static tokens', async t => scenario(t, await withStaticTokens(t)))
t.test('JWTs from an HTTPS issuer', async t => scenario(t, await withJwts(t)))
