/**
 * Every AWS error path, as the emulator produces it on the wire, surfacing as the documented
 * problem response (status, code, application/problem+json, Retry-After where it applies).
 */
import t from 'tap'
import { assertProblem, callsOf, idempotencyKey, pollUntil, startHarness } from './support.ts'

const associateBody = (issuerUrl: string, name = 'corp') => ({
  oidc: { identityProviderConfigName: name, issuerUrl, clientId: 'kubernetes', usernameClaim: 'email' }
})
const withKey = () => ({ 'idempotency-key': idempotencyKey() })

t.test('an unknown cluster is 404 ResourceNotFoundException on every route', async t => {
  const { call } = await startHarness(t)
  for (const path of ['/clusters/nope', '/clusters/nope/oidc-provider', '/clusters/nope/identity-provider-configs', '/clusters/nope/updates']) {
    const body = assertProblem(t, await call('GET', path), 404, 'ResourceNotFoundException')
    t.equal(body.instance, path)
    t.type(body.awsRequestId, 'string', 'the AWS request id is passed on')
  }
})

t.test('associate refusals that never reach EKS', async t => {
  const { emulator, call } = await startHarness(t, {
    emulator: { seed: { identityProviders: [{ name: 'corp' }], clusters: [{ name: 'demo' }, { name: 'busy', identityProviderConfig: { identityProviderConfigName: 'corp', identityProvider: 'corp', clientId: 'kubernetes' } }] } }
  })
  const ownIssuer = emulator.state.clusters.get('demo')?.issuer ?? ''
  const corp = emulator.state.identityProviders.get('corp')?.issuerUrl ?? ''

  const own = assertProblem(t, await call('POST', '/clusters/demo/identity-provider-configs', { body: associateBody(ownIssuer), headers: withKey() }), 400, 'InvalidParameterException')
  t.match(own.detail, /cannot be same as OpenID Connect \(OIDC\) issuer URL/)

  const second = assertProblem(t, await call('POST', '/clusters/busy/identity-provider-configs', { body: associateBody(corp, 'other'), headers: withKey() }), 409, 'ResourceInUseException')
  t.match(second.detail, /already has the OIDC identity provider config "corp"/)

  const broken = assertProblem(t, await call('POST', '/clusters/demo/identity-provider-configs', { body: associateBody(`${emulator.issuerBaseUrl}/idp/missing`), headers: withKey() }), 400, 'IssuerResponseInvalid')
  t.match(broken.checks, [{ name: 'discovery-reachable', passed: false, reason: /answered 404/ }], 'the problem names the failed check')

  const noKey = assertProblem(t, await call('POST', '/clusters/demo/identity-provider-configs', { body: associateBody(corp) }), 400, 'IdempotencyKeyMissingException')
  t.equal(noKey.errors[0].pointer, '/headers/idempotency-key')

  t.same(callsOf(emulator, 'eks:AssociateIdentityProviderConfig'), { 'eks:AssociateIdentityProviderConfig': 0 }, 'EKS never saw an associate')
})

t.test('a cluster busy with an update: 409 ResourceInUseException with Retry-After', async t => {
  const { emulator, call } = await startHarness(t, { emulator: { transitionDelayMs: 60_000, seed: { identityProviders: [{ name: 'corp' }], clusters: [{ name: 'demo' }] } } })
  const corp = emulator.state.identityProviders.get('corp')?.issuerUrl ?? ''
  t.equal((await call('POST', '/clusters/demo/identity-provider-configs', { body: associateBody(corp), headers: withKey() })).status, 202)

  const busy = await call('DELETE', '/clusters/demo/identity-provider-configs/corp')
  const body = assertProblem(t, busy, 409, 'ResourceInUseException')
  t.match(body.detail, /currently has update .* in progress/)
  t.match(busy.headers.get('retry-after') ?? '', /^\d+$/, 'Retry-After tells when to try again')
  t.same(callsOf(emulator, 'eks:DisassociateIdentityProviderConfig'), { 'eks:DisassociateIdentityProviderConfig': 1 }, 'EKS refused it, not the service')
})

t.test('IAM LimitExceeded on create: 409, and the create is attempted exactly once', async t => {
  const { emulator, call } = await startHarness(t, { emulator: { seed: { clusters: [{ name: 'demo' }] } }, env: { AWS_MAX_ATTEMPTS: '3' } })
  emulator.seed({ iamOidcProviders: Array.from({ length: 100 }, (_, i) => ({ url: `https://idp-${i}.example.com` })) })
  t.equal(emulator.state.oidcProviders.size, 100)
  emulator.resetCalls()

  const body = assertProblem(t, await call('PUT', '/clusters/demo/oidc-provider', { body: {} }), 409, 'LimitExceededException')
  t.match(body.detail, /OpenIdConnectProvidersPerAccount/)
  t.same(callsOf(emulator, 'iam:CreateOpenIDConnectProvider'), { 'iam:CreateOpenIDConnectProvider': 1 }, 'a quota is never retried')
})

t.test('EntityAlreadyExists on create: the provider someone else just made is adopted and converged', async t => {
  const { emulator, call } = await startHarness(t, { emulator: { seed: { clusters: [{ name: 'demo' }] } } })
  // Hold our Create long enough for a concurrent creator to get there first.
  emulator.faults.set('iam:CreateOpenIDConnectProvider', { latencyMs: 400 })
  const put = call('PUT', '/clusters/demo/oidc-provider', { body: { ClientIDList: ['sts.amazonaws.com', 'vault'] } })
  await pollUntil(async () => (emulator.calls as Record<string, number>)['iam:CreateOpenIDConnectProvider'] ? true : undefined, { timeoutMs: 5000, intervalMs: 10 })
  emulator.seed({ iamOidcProviders: [{ cluster: 'demo', clientIds: ['sts.amazonaws.com'] }] })

  const reply = await put
  t.equal(reply.status, 200, 'converged, not created')
  t.same(reply.body.changes.map((c: { operation: string }) => c.operation), ['AddClientIDToOpenIDConnectProvider'])
  t.same(reply.body.provider.ClientIDList.toSorted(), ['sts.amazonaws.com', 'vault'])
  t.same(callsOf(emulator, 'iam:CreateOpenIDConnectProvider', 'iam:AddClientIDToOpenIDConnectProvider'), {
    'iam:CreateOpenIDConnectProvider': 1,
    'iam:AddClientIDToOpenIDConnectProvider': 1
  })
  t.equal(emulator.state.oidcProviders.size, 1)
})

t.test('upstream throttling: 503 with Retry-After after the SDK\'s 3 attempts', async t => {
  const { emulator, call } = await startHarness(t, { emulator: { seed: { clusters: [{ name: 'demo' }] } }, env: { AWS_MAX_ATTEMPTS: '3' } })
  emulator.faults.set('eks:ListClusters', { throttleRate: 1 })
  const eks = await call('GET', '/clusters')
  assertProblem(t, eks, 503, 'ThrottlingException')
  t.match(eks.headers.get('retry-after') ?? '', /^\d+$/)
  t.same(callsOf(emulator, 'eks:ListClusters'), { 'eks:ListClusters': 3 })

  emulator.faults.set('iam:GetOpenIDConnectProvider', { throttleRate: 1 })
  const iam = await call('GET', '/clusters/demo/oidc-provider')
  t.equal(iam.status, 503, 'IAM throttling (400 Throttling in the XML body) is a 503 too')
  t.match(iam.body.code, /^Throttling/)
  t.match(iam.headers.get('retry-after') ?? '', /^\d+$/)
  t.same(callsOf(emulator, 'iam:GetOpenIDConnectProvider'), { 'iam:GetOpenIDConnectProvider': 3 })
})

t.test('upstream 5xx: 502 after the SDK\'s 3 attempts', async t => {
  const { emulator, call } = await startHarness(t, { emulator: { seed: { clusters: [{ name: 'demo' }] } }, env: { AWS_MAX_ATTEMPTS: '3' } })
  emulator.faults.set('eks:DescribeCluster', { errorRate: 1 })
  const body = assertProblem(t, await call('GET', '/clusters/demo'), 502, 'ServerException')
  t.notMatch(JSON.stringify(body), /stack|at \w+ \(/, 'no stack trace')
  t.same(callsOf(emulator, 'eks:DescribeCluster'), { 'eks:DescribeCluster': 3 })

  emulator.faults.clear()
  emulator.faults.set('iam', { errorRate: 1 })
  assertProblem(t, await call('DELETE', '/clusters/demo/oidc-provider'), 502, 'ServiceFailureException')
  t.same(callsOf(emulator, 'iam:DeleteOpenIDConnectProvider'), { 'iam:DeleteOpenIDConnectProvider': 3 })
})

t.test('an IAM ValidationError (a model constraint) is a 400 problem, never a 5xx', async t => {
  // IAM's Url is 1–255 characters; an EKS issuer longer than that makes IAM refuse the Create.
  const issuer = `https://oidc.example.com/${'a'.repeat(240)}`
  const { emulator, call } = await startHarness(t, { emulator: { seed: { clusters: [{ name: 'long', issuer }] } } })
  const refused = assertProblem(t, await call('PUT', '/clusters/long/oidc-provider', { body: {} }), 400, 'ValidationError')
  t.match(refused.detail, /^1 validation error detected: Value 'https:\/\/oidc\.example\.com\/a+' at 'url' failed to satisfy constraint: Member must have length less than or equal to 255$/,
    'the detail is IAM\'s message, naming the member and the rule')
  t.type(refused.awsRequestId, 'string')
  t.same(callsOf(emulator, 'iam:CreateOpenIDConnectProvider'), { 'iam:CreateOpenIDConnectProvider': 1 }, 'a ValidationError is not retried')
  t.equal(emulator.state.oidcProviders.size, 0)
})
