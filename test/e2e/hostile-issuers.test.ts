/**
 * Issuers that lie, over real HTTP: the real app wired to the emulator, its real JWKS fetcher and
 * egress guard, and real HTTPS issuers on loopback (test/egress/fixtures.ts). A login diagnosis
 * never takes keys from an issuer whose discovery document names another issuer, or from a
 * jwks_uri the SSRF guard forbids; inspection reports such an issuer; the RBAC route writes the
 * config's prefixes; and with production egress settings a loopback issuer is refused at the route
 * without a connection.
 */
import t from 'tap'
import { connect, createServer, type Server } from 'node:net'
import { readFileSync } from 'node:fs'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { createEgressGuard } from '../../src/egress/guard.ts'
import { sendJson, startIssuer, type TestIssuer } from '../egress/fixtures.ts'
import { assertProblem, idempotencyKey, pollUntil, startHarness } from './support.ts'

type TestLike = Parameters<typeof startIssuer>[0]

interface HostileIssuer extends TestIssuer {
  /** What the discovery document says from now on (default: the truth). */
  lie (discovery: { issuer?: string, jwks_uri?: string }): void
  keyRequests (): number
  /** An ID token for `kubernetes`, signed with the key the issuer publishes. */
  mint (claims?: Record<string, unknown>): Promise<string>
}

async function hostileIssuer (t: TestLike): Promise<HostileIssuer> {
  const { privateKey, publicKey } = await generateKeyPair('RS256')
  const jwks = { keys: [{ ...await exportJWK(publicKey), kid: 'k1', alg: 'RS256', use: 'sig' }] }
  let lies: { issuer?: string, jwks_uri?: string } = {}
  let keyRequests = 0
  const issuer = await startIssuer(t, {
    discovery: () => lies,
    routes: () => ({ '/keys': (_req, res) => { keyRequests++; sendJson(res, jwks) } })
  })
  return {
    ...issuer,
    lie: discovery => { lies = discovery },
    keyRequests: () => keyRequests,
    mint: claims => new SignJWT({ iss: issuer.issuerUrl, aud: 'kubernetes', sub: 'u-1', email: 'ann@example.com', groups: ['devs'], ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuedAt().setExpirationTime('1h').sign(privateKey)
  }
}

/** The harness with a guard that allows loopback and trusts both the emulator's and the issuer's CA. */
async function harnessTrusting (t: Parameters<typeof startHarness>[0], issuer: TestIssuer) {
  return startHarness(t, {
    emulator: { seed: { clusters: [{ name: 'demo' }] } },
    deps: (emulator, env) => {
      const ports = [443, Number(new URL(emulator.issuerBaseUrl).port), issuer.port]
      env.EGRESS_ALLOWED_PORTS = ports.join(',')
      const egress = createEgressGuard({ allowList: ['127.0.0.1'], allowedPorts: ports, extraCaPem: readFileSync(emulator.caFile, 'utf8') + issuer.chain.caPem })
      return { egress }
    },
    env: { EGRESS_ALLOWED_PORTS: `443,${issuer.port}` }
  })
}

const oidc = (issuerUrl: string) => ({ identityProviderConfigName: 'corp', issuerUrl, clientId: 'kubernetes', usernameClaim: 'email', usernamePrefix: 'corp:', groupsClaim: 'groups', groupsPrefix: 'oidc:' })
const reasonCodes = (body: { reasons: Array<{ code: string }> }) => body.reasons.map(r => r.code)

t.test('preview: keys are taken only from an issuer whose discovery names it', async t => {
  const issuer = await hostileIssuer(t)
  const { call } = await harnessTrusting(t, issuer)
  const token = await issuer.mint()
  const preview = () => call('POST', '/clusters/demo/identity-provider-configs/corp/preview', { body: { oidc: oidc(issuer.issuerUrl), token } })

  const honest = await preview()
  t.equal(honest.status, 200)
  t.match(honest.body, { authenticated: true, verified: true, user: { username: 'corp:ann@example.com' } }, 'the token and keys are good')
  t.equal(issuer.keyRequests(), 1)

  issuer.lie({ issuer: 'https://accounts.example.com' })
  const lying = await preview()
  t.equal(lying.status, 200, 'a diagnosis, not an error')
  t.match(lying.body, { authenticated: false, verified: false })
  t.same(reasonCodes(lying.body), ['jwks_unreachable'])
  t.match(lying.body.reasons[0].message, /says issuer "https:\/\/accounts\.example\.com"/)
  t.equal(issuer.keyRequests(), 1, 'the keys of a mismatched issuer were not fetched')
})

t.test('token review: the associated issuer turns hostile', async t => {
  const issuer = await hostileIssuer(t)
  const { call } = await harnessTrusting(t, issuer)
  const associated = await call('POST', '/clusters/demo/identity-provider-configs', { body: { oidc: oidc(issuer.issuerUrl) }, headers: { 'idempotency-key': idempotencyKey() } })
  t.equal(associated.status, 202, 'associated while the issuer was honest')
  await pollUntil(async () => {
    const described = await call('GET', '/clusters/demo/identity-provider-configs/corp')
    return described.body.identityProviderConfig.oidc.status === 'ACTIVE' ? true : undefined
  })
  const token = await issuer.mint()
  const review = () => call('POST', '/clusters/demo/identity-provider-configs/corp/token-reviews', { body: { token } })
  t.match((await review()).body, { authenticated: true, verified: true })
  const keyRequests = issuer.keyRequests()

  issuer.lie({ issuer: `${issuer.issuerUrl}/` })
  const mismatched = await review()
  t.equal(mismatched.status, 200)
  t.match(mismatched.body, { authenticated: false, verified: false })
  t.same(reasonCodes(mismatched.body), ['jwks_unreachable'], 'even a trailing slash is another issuer')

  issuer.lie({ jwks_uri: 'https://169.254.169.254/latest/meta-data/keys' })
  const metadata = await review()
  t.equal(metadata.status, 200)
  t.match(metadata.body, { authenticated: false, verified: false })
  t.same(reasonCodes(metadata.body), ['jwks_unreachable'])
  t.match(metadata.body.reasons[0].message, /forbidden|link-local|metadata/i, 'the guard refused the metadata address')
  t.equal(issuer.keyRequests(), keyRequests, 'no keys were fetched from the hostile issuer')
})

t.test('issuer inspection reports what it found', async t => {
  const issuer = await hostileIssuer(t)
  const { call, emulator } = await harnessTrusting(t, issuer)
  const corp = emulator.createIdentityProvider({ name: 'corp' })

  const good = await call('POST', '/issuers/inspect', { body: { issuerUrl: corp.issuerUrl } })
  t.equal(good.status, 200)
  t.same(good.body.checks.filter((c: { passed: boolean }) => !c.passed), [], 'every check passes for an honest issuer')
  t.equal(good.body.discovery.issuer, corp.issuerUrl)
  t.ok(good.body.jwks.keys.length >= 1, 'its keys are listed')

  issuer.lie({ issuer: 'https://accounts.example.com' })
  const lying = await call('POST', '/issuers/inspect', { body: { issuerUrl: issuer.issuerUrl } })
  t.equal(lying.status, 200, 'what is found at the issuer is a report')
  t.match(lying.body.checks.find((c: { name: string }) => c.name === 'issuer-matches'), { passed: false, severity: 'error', reason: /names issuer "https:\/\/accounts\.example\.com"/ })

  assertProblem(t, await call('POST', '/issuers/inspect', { body: { issuerUrl: 'https://169.254.169.254' } }), 400, 'IssuerAddressForbidden')
})

t.test('the RBAC route writes the subject with the associated config\'s prefixes', async t => {
  const issuer = await hostileIssuer(t)
  const { call, serviceUrl } = await harnessTrusting(t, issuer)
  const associated = await call('POST', '/clusters/demo/identity-provider-configs', { body: { oidc: oidc(issuer.issuerUrl) }, headers: { 'idempotency-key': idempotencyKey() } })
  t.equal(associated.status, 202)
  const base = '/clusters/demo/identity-provider-configs/corp/rbac'

  const group = await call('GET', `${base}?group=devs&clusterRole=view`)
  t.equal(group.status, 200)
  t.match(group.body, { kind: 'ClusterRoleBinding', subject: { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'oidc:devs' } })
  t.match(group.body.yaml, /name: oidc:devs/)
  t.match(group.body.yaml, /name: view/)

  const user = await call('GET', `${base}?user=ann@example.com&clusterRole=edit&namespace=team-a`)
  t.equal(user.status, 200)
  t.match(user.body, { kind: 'RoleBinding', namespace: 'team-a', subject: { kind: 'User', name: 'corp:ann@example.com' } })

  const yaml = await fetch(`${serviceUrl}${base}?group=devs&clusterRole=view`, { headers: { accept: 'application/yaml' } })
  t.match(yaml.headers.get('content-type'), /^application\/yaml/)
  t.equal(await yaml.text(), group.body.yaml, 'the manifest alone')

  assertProblem(t, await call('GET', `${base}?group=devs&user=ann&clusterRole=view`), 400, 'InvalidParameter')
  assertProblem(t, await call('GET', '/clusters/demo/identity-provider-configs/other/rbac?group=devs&clusterRole=view'), 404, 'ResourceNotFoundException')
})

/** A TCP listener on port 443 of a loopback address of its own, counting the connections it accepts. */
async function countingListenerOn443 (t: TestLike): Promise<{ host: string, connections (): number }> {
  let connections = 0
  for (let attempt = 0; ; attempt++) {
    const host = `127.${1 + Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`
    const server: Server = createServer(socket => { connections++; socket.destroy() })
    const error = await new Promise<Error | undefined>(resolve => {
      server.once('error', resolve)
      server.listen(443, host, () => resolve(undefined))
    })
    if (error === undefined) {
      t.teardown(() => new Promise<void>(resolve => server.close(() => resolve())))
      return { host, connections: () => connections }
    }
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt === 5) throw error
  }
}

t.test('production egress settings: a loopback issuer is refused at the route, nothing is contacted', async t => {
  const listener = await countingListenerOn443(t)
  // No allow-list, only port 443: what a deployment runs with.
  const { call } = await startHarness(t, { emulator: { seed: { clusters: [{ name: 'demo' }] } }, env: { EGRESS_ALLOW_LIST: '', EGRESS_ALLOWED_PORTS: '443' } })
  const issuerUrl = `https://${listener.host}`

  const inspected = assertProblem(t, await call('POST', '/issuers/inspect', { body: { issuerUrl } }), 400, 'IssuerAddressForbidden')
  t.match(inspected.detail, /loopback/)
  assertProblem(t, await call('POST', '/clusters/demo/identity-provider-configs', { body: { oidc: oidc(issuerUrl) }, headers: { 'idempotency-key': idempotencyKey() } }), 400, 'IssuerAddressForbidden')
  const { privateKey } = await generateKeyPair('RS256')
  const token = await new SignJWT({ iss: issuerUrl, aud: 'kubernetes', sub: 'u-1', email: 'ann@example.com' })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuedAt().setExpirationTime('1h').sign(privateKey)
  const preview = await call('POST', '/clusters/demo/identity-provider-configs/corp/preview', { body: { oidc: oidc(issuerUrl), token } })
  t.equal(preview.status, 200)
  t.match(preview.body, { authenticated: false, verified: false })
  t.same(reasonCodes(preview.body), ['jwks_unreachable'])
  t.match(preview.body.reasons[0].message, /loopback/, 'the guard refused the loopback address before discovery')
  t.equal(listener.connections(), 0, 'no connection reached the loopback issuer')

  // The listener does count: a direct connection reaches it.
  await new Promise<void>((resolve, reject) => connect(443, listener.host, resolve).once('error', reject).unref())
  await pollUntil(async () => listener.connections() === 1 ? true : undefined)
})
