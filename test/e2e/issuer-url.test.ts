/**
 * One issuer URL rule and one contract per route, over real HTTP against the emulator:
 * - a URL breaking the rule is a 400 ValidationException naming `issuerUrl` and the broken part,
 *   on inspect, associate, PUT and preview, with or without skipIssuerChecks, and nothing reaches EKS;
 * - a well-formed issuer that cannot be resolved is a 200 report with failed checks on inspect (a
 *   diagnosis), and a 502 IssuerUnreachable on associate and PUT, never stored under the key;
 * - skipIssuerChecks skips only the network: the same well-formed URL is then associated.
 */
import t from 'tap'
import type { ResolveAll } from '../../src/egress/connect-policy.ts'
import { assertProblem, callsOf, idempotencyKey, startHarness, type Harness } from './support.ts'

/** No name resolves: the emulator's issuers are IP literals, so only other hosts reach this. */
const nothingResolves: ResolveAll = async hostname => {
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' })
}

const oidc = (issuerUrl: string) => ({ identityProviderConfigName: 'corp', issuerUrl, clientId: 'kubernetes' })

/** Each way to break the rule (the corp issuer would pass every check), and the words naming it. */
function brokenUrls (corp: string): Array<[string, string, RegExp]> {
  const { host } = new URL(corp)
  return [
    ['http', corp.replace('https://', 'http://'), /scheme must be https/],
    ['userinfo', corp.replace('https://', 'https://admin:secret@'), /must not carry a user name or password/],
    ['a port the guard does not allow', corp.replace(host, '127.0.0.1:1'), /port 1 is not allowed/],
    ['a query', `${corp}?tenant=1`, /must not carry a query/],
    ['a fragment', `${corp}#keys`, /must not carry a fragment/],
    ['unparsable: an IPv6 zone id', 'https://[fe80::1%25lo]', /WHATWG URL parser/],
    ['unparsable: a NUL in the host', 'https://127.0.0.1%00.example.com', /WHATWG URL parser/]
  ]
}

/** Every route that takes an issuer URL, each way it can be called. */
function issuerUrlRequests (call: Harness['call'], issuerUrl: string): Array<[string, string, Promise<Awaited<ReturnType<Harness['call']>>>]> {
  const keyed = () => ({ 'idempotency-key': idempotencyKey() })
  return [
    ['inspect', '/body/issuerUrl', call('POST', '/issuers/inspect', { body: { issuerUrl } })],
    ['associate', '/body/oidc/issuerUrl', call('POST', '/clusters/demo/identity-provider-configs', { headers: keyed(), body: { oidc: oidc(issuerUrl) } })],
    ['associate, skipIssuerChecks', '/body/oidc/issuerUrl', call('POST', '/clusters/demo/identity-provider-configs?skipIssuerChecks=true', { headers: keyed(), body: { oidc: oidc(issuerUrl) } })],
    ['PUT', '/body/oidc/issuerUrl', call('PUT', '/clusters/demo/identity-provider-configs/corp', { headers: keyed(), body: { oidc: oidc(issuerUrl) } })],
    ['PUT, skipIssuerChecks', '/body/oidc/issuerUrl', call('PUT', '/clusters/demo/identity-provider-configs/corp?skipIssuerChecks=true', { headers: keyed(), body: { oidc: oidc(issuerUrl) } })],
    ['PUT, dryRun and skipIssuerChecks', '/body/oidc/issuerUrl', call('PUT', '/clusters/demo/identity-provider-configs/corp?dryRun=true&skipIssuerChecks=true', { body: { oidc: oidc(issuerUrl) } })],
    ['preview', '/body/oidc/issuerUrl', call('POST', '/clusters/demo/identity-provider-configs/corp/preview', { body: { oidc: oidc(issuerUrl), claims: { iss: issuerUrl, sub: 'a', aud: 'kubernetes' } } })]
  ]
}

t.test('a URL breaking the issuer URL rule is a 400 naming the field and the rule on every route, skipIssuerChecks or not', async t => {
  const { emulator, call } = await startHarness(t, { emulator: { seed: { clusters: [{ name: 'demo' }] } }, resolve: nothingResolves })
  const corp = emulator.createIdentityProvider({ name: 'corp' }).issuerUrl

  for (const [name, issuerUrl, rule] of brokenUrls(corp)) {
    await t.test(name, async t => {
      for (const [route, pointer, answer] of issuerUrlRequests(call, issuerUrl)) {
        const problem = assertProblem(t, await answer, 400, 'ValidationException')
        const field = problem.errors?.find((e: { pointer: string }) => e.pointer === pointer)
        t.match(field?.detail, /must be an issuer URL \(format issuer-url\)/, `${route}: names the field and the rule`)
        t.match(field?.detail, rule, `${route}: names the broken part`)
      }
    })
  }
  t.same(callsOf(emulator, 'eks:AssociateIdentityProviderConfig', 'eks:DescribeIdentityProviderConfig'),
    { 'eks:AssociateIdentityProviderConfig': 0, 'eks:DescribeIdentityProviderConfig': 0 }, 'nothing reached EKS')
})

t.test('inspect: a good issuer is a 200 report with every check passed', async t => {
  const { emulator, call } = await startHarness(t, { emulator: { seed: { clusters: [{ name: 'demo' }] } } })
  const corp = emulator.createIdentityProvider({ name: 'corp' }).issuerUrl
  const inspected = await call('POST', '/issuers/inspect', { body: { issuerUrl: corp } })
  t.equal(inspected.status, 200)
  t.same(inspected.body.checks.filter((c: { passed: boolean }) => !c.passed), [])
  t.same(inspected.body.checks.map((c: { name: string }) => c.name), ['discovery-reachable', 'issuer-matches', 'jwks-reachable', 'certificate-not-expiring'])
})

t.test('an issuer that does not resolve: a 200 report on inspect, a 502 IssuerUnreachable on associate and PUT', async t => {
  const { emulator, call } = await startHarness(t, { emulator: { seed: { clusters: [{ name: 'demo' }] } }, resolve: nothingResolves })
  const unresolvable = 'https://idp.unresolvable.example/tenant'

  await t.test('inspect reports the failed checks with their reasons', async t => {
    const inspected = await call('POST', '/issuers/inspect', { body: { issuerUrl: unresolvable } })
    t.equal(inspected.status, 200)
    const failed = inspected.body.checks.filter((c: { passed: boolean, skipped?: boolean }) => !c.passed && !c.skipped)
    t.same(failed.map((c: { name: string }) => c.name), ['discovery-reachable', 'certificate-not-expiring'])
    t.match(failed[0].reason, /could not be reached: ENOTFOUND/)
  })

  await t.test('associate answers 502 naming the failed checks, and a retry with the same key checks again', async t => {
    const key = idempotencyKey()
    for (const attempt of ['first', 'retry']) {
      const refused = await call('POST', '/clusters/demo/identity-provider-configs', { headers: { 'idempotency-key': key }, body: { oidc: oidc(unresolvable) } })
      const problem = assertProblem(t, refused, 502, 'IssuerUnreachable')
      t.match(problem.checks, [{ name: 'discovery-reachable', passed: false, reason: /ENOTFOUND/ }], `${attempt}: the failed checks`)
      t.equal(refused.headers.get('idempotent-replayed'), 'false', `${attempt}: not a replay`)
    }
    t.same(callsOf(emulator, 'eks:AssociateIdentityProviderConfig'), { 'eks:AssociateIdentityProviderConfig': 0 })
  })

  await t.test('PUT answers the same 502, dry run or not', async t => {
    for (const query of ['', '?dryRun=true']) {
      const refused = await call('PUT', `/clusters/demo/identity-provider-configs/corp${query}`, { headers: { 'idempotency-key': idempotencyKey() }, body: { oidc: oidc(unresolvable) } })
      assertProblem(t, refused, 502, 'IssuerUnreachable')
    }
  })

  await t.test('skipIssuerChecks skips the network checks only: the well-formed URL is associated', async t => {
    const planned = await call('PUT', '/clusters/demo/identity-provider-configs/corp?dryRun=true&skipIssuerChecks=true', { body: { oidc: oidc(unresolvable) } })
    t.equal(planned.status, 200)
    t.match(planned.body, { outcome: 'dry-run', plan: 'associate', issuerChecks: 'skipped' })
    const associated = await call('POST', '/clusters/demo/identity-provider-configs?skipIssuerChecks=true', { headers: { 'idempotency-key': idempotencyKey() }, body: { oidc: oidc(unresolvable) } })
    t.equal(associated.status, 202)
    t.equal(associated.body.issuerChecks, 'skipped')
    t.same(callsOf(emulator, 'eks:AssociateIdentityProviderConfig'), { 'eks:AssociateIdentityProviderConfig': 1 })
  })
})
