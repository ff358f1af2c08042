/**
 * Bodies are validated as sent, never coerced (query strings still are): over real HTTP, a body
 * with a boolean or a number where the AWS shape has a string is a 400 naming the fields, and
 * nothing reaches EKS.
 */
import t from 'tap'
import { assertProblem, callsOf, idempotencyKey, startHarness } from './support.ts'

t.test('a body with the wrong JSON types is refused, not coerced; a query string is coerced', async t => {
  const { emulator, call } = await startHarness(t, { emulator: { seed: { clusters: [{ name: 'demo' }] } } })
  const refused = await call('POST', '/clusters/demo/identity-provider-configs?skipIssuerChecks=true', {
    headers: { 'idempotency-key': idempotencyKey() },
    body: { oidc: { identityProviderConfigName: false, issuerUrl: 'https://idp.example.com', clientId: 12345 } }
  })
  const problem = assertProblem(t, refused, 400, 'ValidationException')
  t.same(problem.errors.map((e: { pointer: string }) => e.pointer).sort(), ['/body/oidc/clientId', '/body/oidc/identityProviderConfigName'])
  t.match(problem.errors[0].detail, /must be string/)
  t.same(callsOf(emulator, 'eks:AssociateIdentityProviderConfig'), { 'eks:AssociateIdentityProviderConfig': 0 }, 'no config named "false" was made')

  const tags = await call('PUT', '/clusters/demo/oidc-provider?dryRun=true', { body: { ClientIDList: [true] } })
  assertProblem(t, tags, 400, 'ValidationException')

  const plan = await call('PUT', '/clusters/demo/oidc-provider?dryRun=true', { body: {} })
  t.equal(plan.status, 200)
  t.equal(plan.body.dryRun, true, 'the query string "true" is still read as a boolean')
})

t.test('a lone UTF-16 surrogate anywhere in a body is a 400 naming the member, keyed or not', async t => {
  const { emulator, call } = await startHarness(t, { emulator: { seed: { clusters: [{ name: 'demo' }] } } })
  // JSON.stringify writes a lone surrogate as the escape \ud800, which JSON.parse turns back into one.
  const keyed = await call('PUT', '/clusters/demo/oidc-provider?dryRun=true', { headers: { 'idempotency-key': idempotencyKey() }, body: { ClientIDList: ['\ud800'] } })
  const problem = assertProblem(t, keyed, 400, 'ValidationException')
  t.same(problem.errors, [{ pointer: '/body/ClientIDList/0', detail: 'must be well-formed Unicode (it holds a lone UTF-16 surrogate, which AWS cannot store)' }])
  const unkeyed = await call('POST', '/clusters/demo/identity-provider-configs?skipIssuerChecks=true', {
    body: { oidc: { identityProviderConfigName: 'corp', issuerUrl: 'https://idp.example.com', clientId: 'k', requiredClaims: { 'a\udc00': 'b' } }, clientRequestToken: 'x'.repeat(40) }
  })
  t.same(assertProblem(t, unkeyed, 400, 'ValidationException').errors.map((e: { pointer: string }) => e.pointer), ['/body/oidc/requiredClaims/a\udc00'])
  t.same(callsOf(emulator, 'eks:AssociateIdentityProviderConfig'), { 'eks:AssociateIdentityProviderConfig': 0 })
  t.equal((await call('PUT', '/clusters/demo/oidc-provider?dryRun=true', { body: { ClientIDList: ['sts.amazonaws.com', 'émoji-😀'] } })).status, 200, 'well-formed text, surrogate pairs included, passes')
})

t.test('a claim value far beyond any date gets a finding, never a crash', async t => {
  const { call } = await startHarness(t, { emulator: { seed: { clusters: [{ name: 'demo' }] } } })
  const oidc = { identityProviderConfigName: 'corp', issuerUrl: 'https://idp.example.com', clientId: 'kubernetes', usernameClaim: 'sub' }
  const future = await call('POST', '/clusters/demo/identity-provider-configs/corp/preview', { body: { oidc, claims: { iss: oidc.issuerUrl, aud: 'kubernetes', sub: 'a', exp: 1e308, nbf: 1e308 } } })
  t.equal(future.status, 200)
  t.equal(future.body.authenticated, false)
  t.match(future.body.reasons, [{ code: 'not_yet_valid', message: /epoch second 1e\+308/ }])
  const past = await call('POST', '/clusters/demo/identity-provider-configs/corp/preview', { body: { oidc, claims: { iss: oidc.issuerUrl, aud: 'kubernetes', sub: 'a', exp: -1e308 } } })
  t.equal(past.status, 200)
  t.match(past.body.reasons, [{ code: 'expired', message: /epoch second -1e\+308/ }])
})

t.test('a repeated tag key or a key beginning with aws: (any case) is a 400 naming it, on every route that takes tags', async t => {
  const { emulator, call } = await startHarness(t, { emulator: { seed: { clusters: [{ name: 'demo' }] } } })
  const oidc = { identityProviderConfigName: 'corp', issuerUrl: 'https://idp.example.com', clientId: 'kubernetes' }

  const repeated = await call('PUT', '/clusters/demo/oidc-provider', { body: { Tags: [{ Key: 'a', Value: '1' }, { Key: 'a', Value: '2' }] } })
  t.same(assertProblem(t, repeated, 400, 'ValidationException').errors, [{ pointer: '/body/Tags/1/Key', detail: 'must be unique: item 0 has the same Key "a"' }])

  const reserved = 'must not begin with "aws:" in any letter case (AWS reserves the prefix)'
  for (const Key of ['aws:team', 'AWS:team', 'Aws:team']) {
    const iam = await call('PUT', '/clusters/demo/oidc-provider', { body: { Tags: [{ Key: 'ok', Value: '1' }, { Key, Value: '1' }] } })
    t.same(assertProblem(t, iam, 400, 'ValidationException').errors, [{ pointer: '/body/Tags/1/Key', detail: reserved }], `IAM tag ${Key}`)
  }
  const associate = await call('POST', '/clusters/demo/identity-provider-configs?skipIssuerChecks=true', {
    headers: { 'idempotency-key': idempotencyKey() },
    body: { oidc, tags: { ok: '1', 'AWS:team': 'x' } }
  })
  t.same(assertProblem(t, associate, 400, 'ValidationException').errors, [{ pointer: '/body/tags/AWS:team', detail: reserved }], 'EKS tags on associate')
  const replace = await call('PUT', '/clusters/demo/identity-provider-configs/corp?skipIssuerChecks=true', { body: { oidc, tags: { 'aws:team': 'x' } } })
  t.same(assertProblem(t, replace, 400, 'ValidationException').errors, [{ pointer: '/body/tags/aws:team', detail: reserved }], 'EKS tags on replace')
  t.equal(emulator.state.oidcProviders.size, 0, 'no provider was made')
  t.same(callsOf(emulator, 'eks:AssociateIdentityProviderConfig'), { 'eks:AssociateIdentityProviderConfig': 0 }, 'no config was made')

  const distinctCase = await call('PUT', '/clusters/demo/oidc-provider?dryRun=true', { body: { Tags: [{ Key: 'Team', Value: '1' }, { Key: 'team', Value: '2' }, { Key: 'awsome', Value: '3' }] } })
  t.equal(distinctCase.status, 200, 'keys differing in case are two keys of an OIDC provider; a key merely starting with "aws" is fine')
})

t.test('config names and clientRequestTokens: the service accepts what the EKS model accepts', async t => {
  // The EKS model sets no length or pattern on either; the service refuses only an empty name (an empty path segment).
  const { emulator, call } = await startHarness(t, { emulator: { seed: { clusters: [{ name: 'demo' }, { name: 'other' }] } } })
  const name = `Corp OIDC/${'n'.repeat(190)}`
  const oidc = { identityProviderConfigName: name, issuerUrl: 'https://idp.example.com', clientId: 'kubernetes' }
  const associated = await call('POST', '/clusters/demo/identity-provider-configs?skipIssuerChecks=true', { body: { oidc, clientRequestToken: 'short' } })
  t.equal(associated.status, 202, 'a 200-character name with a space and a slash, and a 5-character token')
  t.equal(emulator.state.clusters.get('demo')?.configs.get(name)?.identityProviderConfigName, name)
  const described = await call('GET', `/clusters/demo/identity-provider-configs/${encodeURIComponent(name)}`)
  t.equal(described.status, 200, 'the percent-encoded name addresses the config')
  t.equal(described.body.identityProviderConfig.oidc.identityProviderConfigName, name)

  const empty = await call('POST', '/clusters/other/identity-provider-configs?skipIssuerChecks=true', {
    headers: { 'idempotency-key': idempotencyKey() }, body: { oidc: { ...oidc, identityProviderConfigName: '' } }
  })
  t.same(assertProblem(t, empty, 400, 'ValidationException').errors.map((e: { pointer: string }) => e.pointer), ['/body/oidc/identityProviderConfigName'])
  t.same(callsOf(emulator, 'eks:AssociateIdentityProviderConfig'), { 'eks:AssociateIdentityProviderConfig': 1 }, 'the empty name never reached EKS')
})

t.test('a body nested thousands of levels deep is judged like any other, never a crash', async t => {
  const { call, serviceUrl } = await startHarness(t, { emulator: { seed: { clusters: [{ name: 'demo' }] } } })
  const depth = 10_000
  const deep = (kind: 'array' | 'object') => kind === 'array' ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '0' + '}'.repeat(depth)
  const send = async (path: string, text: string) => {
    const response = await fetch(serviceUrl + path, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: text })
    return { status: response.status, headers: response.headers, body: await response.json() }
  }
  const unknown = assertProblem(t, await send('/clusters/demo/oidc-provider?dryRun=true', deep('object')), 400, 'ValidationException')
  t.same(unknown.errors.map((e: { pointer: string }) => e.pointer), ['/body/a'], 'the unknown member is named')
  const surrogate = '{"ClientIDList":["a"],"x":' + '['.repeat(depth) + '"\\ud800"' + ']'.repeat(depth) + '}'
  const deepSurrogate = assertProblem(t, await send('/clusters/demo/oidc-provider?dryRun=true', surrogate), 400, 'ValidationException')
  t.equal(deepSurrogate.errors[0].pointer, '/body/x' + '/0'.repeat(depth), 'a lone surrogate at the bottom is found and named')

  const oidc = { identityProviderConfigName: 'corp', issuerUrl: 'https://idp.example.com', clientId: 'kubernetes', usernameClaim: 'sub' }
  const claims = `{"iss":"${oidc.issuerUrl}","aud":"kubernetes","sub":"a","nested":${deep('array')}}`
  const preview = await call('POST', '/clusters/demo/identity-provider-configs/corp/preview', { body: { oidc, claims: { iss: oidc.issuerUrl, aud: 'kubernetes', sub: 'a' } } })
  t.equal(preview.status, 200, 'the shallow preview works')
  const response = await fetch(serviceUrl + '/clusters/demo/identity-provider-configs/corp/preview', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"oidc":${JSON.stringify(oidc)},"claims":${claims}}`
  })
  t.equal(response.status, 200, 'claims holding a deeply nested member are reviewed')
  t.same(((await response.json()) as { reasons: unknown }).reasons, preview.body.reasons, 'with the findings of the same claims without it')
})
