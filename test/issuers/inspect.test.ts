import t from 'tap'
import { createEgressGuard } from '../../src/egress/guard.ts'
import type { EgressGuardOptions } from '../../src/egress/guard.ts'
import { createThumbprintService } from '../../src/issuers/thumbprint.ts'
import { createIssuerInspector, ISSUER_CHECKS, preflightError } from '../../src/issuers/inspect.ts'
import type { IssuerCheck, IssuerInspection } from '../../src/issuers/inspect.ts'
import { rejection, sendJson, startIssuer } from '../egress/fixtures.ts'
import { eventually } from '../support/eventually.ts'
import type { TestServer } from '../egress/fixtures.ts'

type TestLike = { teardown (fn: () => unknown): void }
const DAY_MS = 24 * 60 * 60 * 1000

/** An inspector whose guard allow-lists loopback and trusts the given servers' roots. */
function inspectorFor (t: TestLike, servers: TestServer[], guard: EgressGuardOptions = {}) {
  const egress = createEgressGuard({
    allowList: ['127.0.0.1', 'localhost'],
    allowedPorts: servers.map(s => s.port),
    extraCaPem: servers.map(s => s.chain.caPem).join(''),
    ...guard
  })
  t.teardown(() => egress.close())
  return createIssuerInspector({ egress, thumbprints: createThumbprintService({ egress }) })
}

const check = (inspection: IssuerInspection, name: IssuerCheck['name']) => inspection.checks.find(c => c.name === name)
const failedNames = (checks: IssuerCheck[]) => checks.filter(c => !c.passed).map(c => c.name)

t.test('a good issuer passes every check', async t => {
  // given
  const issuer = await startIssuer(t, { path: '/id/38D6A4619A0A69E342B113ED7F1A7652' })
  const inspector = inspectorFor(t, [issuer])
  // when
  const inspection = await inspector.inspectIssuer(issuer.issuerUrl)
  // then
  t.same(inspection.checks.map(c => c.name), ISSUER_CHECKS.filter(n => n !== 'not-cluster-issuer'))
  t.same(failedNames(inspection.checks), [])
  t.same(inspection.discovery, {
    issuer: issuer.issuerUrl,
    jwks_uri: issuer.jwksUri,
    authorization_endpoint: `${issuer.issuerUrl}/authorize`,
    response_types_supported: ['id_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['ES256']
  })
  t.same(inspection.jwks, { keys: [{ kid: 'test-key-1', alg: 'ES256', kty: 'EC', use: 'sig' }] })
  t.same(inspection.certificateChain.map(c => c.sha1), [issuer.chain.leaf.sha1, issuer.chain.intermediates[0].sha1])
  t.same(inspection.thumbprints, [issuer.chain.intermediates[0].sha1])
  t.same(await inspector.preflightIssuer(issuer.issuerUrl, { clusterIssuer: 'https://oidc.eks.us-east-1.amazonaws.com/id/ABC' }), [])
})

t.test('issuer-matches is exact, trailing slash included', async t => {
  const other = await startIssuer(t, { discovery: () => ({ issuer: 'https://someone-else.example' }) })
  const slashed = await startIssuer(t, { discovery: url => ({ issuer: url + '/' }) })
  const plain = await startIssuer(t, { path: '/tenant' })
  const inspector = inspectorFor(t, [other, slashed, plain])

  const wrong = await inspector.inspectIssuer(other.issuerUrl)
  t.same(failedNames(wrong.checks), ['issuer-matches'])
  t.match(check(wrong, 'issuer-matches')?.reason, /someone-else/)

  t.same(failedNames((await inspector.inspectIssuer(slashed.issuerUrl)).checks), ['issuer-matches'], 'discovery adds a slash')
  const requestedWithSlash = await inspector.inspectIssuer(plain.issuerUrl + '/')
  t.same(failedNames(requestedWithSlash.checks), ['issuer-matches'], 'request adds a slash')
  t.equal(check(requestedWithSlash, 'discovery-reachable')?.passed, true, 'the discovery URL has no doubled slash')

  const failed = await inspector.preflightIssuer(other.issuerUrl)
  t.same(failed.map(c => c.name), ['issuer-matches'])
  t.match(preflightError(failed), { status: 400, slug: 'issuer-mismatch', extensions: { checks: [{ name: 'issuer-matches', passed: false }] } })
})

t.test('broken JWKS: 404, no keys, only encryption keys', async t => {
  const missing = await startIssuer(t, { routes: () => ({ '/keys': (_req, res) => sendJson(res, { message: 'nope' }, 404) }) })
  const empty = await startIssuer(t, { routes: () => ({ '/keys': (_req, res) => sendJson(res, { keys: [] }) }) })
  const encOnly = await startIssuer(t, { routes: () => ({ '/keys': (_req, res) => sendJson(res, { keys: [{ kty: 'RSA', use: 'enc', kid: 'e' }] }) }) })
  const inspector = inspectorFor(t, [missing, empty, encOnly])

  const notFound = await inspector.inspectIssuer(missing.issuerUrl)
  t.same(failedNames(notFound.checks), ['jwks-reachable'])
  t.match(check(notFound, 'jwks-reachable'), { reason: /answered 404/, problem: 'IssuerResponseInvalid' })
  t.same(failedNames((await inspector.inspectIssuer(empty.issuerUrl)).checks), ['jwks-reachable'])
  const enc = await inspector.inspectIssuer(encOnly.issuerUrl)
  t.same(failedNames(enc.checks), ['jwks-reachable'])
  t.same(enc.jwks, { keys: [{ kid: 'e', alg: undefined, kty: 'RSA', use: 'enc' }] })
  t.same((await inspector.preflightIssuer(empty.issuerUrl)).map(c => c.name), ['jwks-reachable'])
})

t.test('expired and soon-expiring certificates', async t => {
  const now = Date.now()
  const expired = await startIssuer(t, { chainOptions: { leafNotBefore: new Date(now - 20 * DAY_MS), leafNotAfter: new Date(now - DAY_MS) } })
  const soon = await startIssuer(t, { chainOptions: { leafNotAfter: new Date(now + 10 * DAY_MS) } })
  const inspector = inspectorFor(t, [expired, soon])

  const old = await inspector.inspectIssuer(expired.issuerUrl)
  t.match(check(old, 'discovery-reachable'), { passed: false, problem: 'IssuerCertificateInvalid', reason: /CERT_HAS_EXPIRED/ })
  t.match(check(old, 'certificate-not-expiring'), { passed: false, severity: 'error', reason: /expired at/ })
  t.equal(old.certificateChain[0]?.sha1, expired.chain.leaf.sha1, 'the chain is still reported')
  t.same((await inspector.preflightIssuer(expired.issuerUrl)).map(c => c.name), ['discovery-reachable', 'certificate-not-expiring'])

  const renewing = await inspector.inspectIssuer(soon.issuerUrl)
  t.same(failedNames(renewing.checks), ['certificate-not-expiring'])
  t.match(check(renewing, 'certificate-not-expiring'), { severity: 'warning', reason: /within 30 days/ })
  t.same(await inspector.preflightIssuer(soon.issuerUrl), [], 'a certificate close to renewal does not block')
})

t.test('a redirect is refused, not followed', async t => {
  let discoveryRequests = 0
  const issuer = await startIssuer(t, {
    routes: () => ({
      '/.well-known/openid-configuration': (_req, res) => {
        discoveryRequests++
        res.writeHead(302, { location: 'https://169.254.169.254/.well-known/openid-configuration' }).end()
      }
    })
  })
  const inspector = inspectorFor(t, [issuer])
  const inspection = await inspector.inspectIssuer(issuer.issuerUrl)
  t.match(check(inspection, 'discovery-reachable'), { passed: false, problem: 'IssuerRedirect' })
  t.match(check(inspection, 'issuer-matches'), { skipped: true })
  const failed = await inspector.preflightIssuer(issuer.issuerUrl)
  t.match(preflightError(failed), { status: 400, slug: 'issuer-redirect' })
  // inspection: verified discovery + the thumbprint flow's own read; pre-flight: the same again
  t.equal(discoveryRequests, 4, 'each read is one request; no request followed the Location')
})

t.test('a non-JSON content type and an oversized, streamed body', async t => {
  const html = await startIssuer(t, {
    routes: () => ({ '/.well-known/openid-configuration': (_req, res) => { res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>hi</h1>') } })
  })
  let bytesWritten = 0
  const huge = await startIssuer(t, {
    routes: () => ({
      '/keys': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' })
        const chunk = Buffer.alloc(16 * 1024, 0x20)
        let chunks = 0
        const pump = () => {
          while (chunks < 64 && !res.destroyed) {
            chunks++
            bytesWritten += chunk.length
            if (!res.write(chunk)) return res.once('drain', pump)
          }
          res.end()
        }
        pump()
      }
    })
  })
  const inspector = inspectorFor(t, [html, huge])
  t.match(check(await inspector.inspectIssuer(html.issuerUrl), 'discovery-reachable'), {
    passed: false, reason: /content type text\/html/, problem: 'IssuerResponseInvalid'
  })
  const big = await inspector.inspectIssuer(huge.issuerUrl)
  t.match(check(big, 'jwks-reachable'), { passed: false, reason: /more than 262144 bytes/, problem: 'IssuerResponseInvalid' })
  t.ok(bytesWritten < 1024 * 1024, `the reader stopped early (server wrote ${bytesWritten} of 1 MiB)`)
})

t.test('a slow issuer times out as a failed check, and pre-flight answers 504', async t => {
  // The issuer never answers, so only the guard's deadline can end the read; it also hangs up.
  let hungUp = 0
  const issuer = await startIssuer(t, { routes: () => ({ '/.well-known/openid-configuration': req => { req.socket.once('close', () => { hungUp++ }) } }) })
  const inspector = inspectorFor(t, [issuer], { timeoutMs: 300 })
  const inspection = await inspector.inspectIssuer(issuer.issuerUrl)
  t.match(check(inspection, 'discovery-reachable'), { passed: false, problem: 'IssuerTimeout' })
  await eventually(() => hungUp >= 1 ? true : undefined)
  t.match(preflightError(await inspector.preflightIssuer(issuer.issuerUrl)), { status: 504, slug: 'issuer-timeout' })
})

t.test('pre-flight refuses the cluster\'s own issuer without contacting it', async t => {
  const issuer = await startIssuer(t, { path: '/id/ABC' })
  const inspector = inspectorFor(t, [issuer])
  const clusterIssuer = issuer.issuerUrl.replace('https://', 'HTTPS://') + '/'
  const failed = await inspector.preflightIssuer(issuer.issuerUrl, { clusterIssuer })
  t.same(failed.map(c => c.name), ['not-cluster-issuer'])
  t.match(preflightError(failed), {
    status: 400,
    code: 'InvalidParameterException',
    slug: 'issuer-is-cluster-issuer',
    errors: [{ pointer: '/body/oidc/issuerUrl', detail: /cannot be same as OpenID Connect/ }]
  })
  t.equal(issuer.connections(), 0)
})

t.test('a URL the guard refuses is thrown as its 400 and nothing is contacted (routes refuse it earlier, in the schema)', async t => {
  const issuer = await startIssuer(t)
  const inspector = inspectorFor(t, [issuer])
  const plainHttp = issuer.issuerUrl.replace('https:', 'http:')
  t.match(await rejection(inspector.inspectIssuer(plainHttp)), { status: 400, slug: 'issuer-url-invalid' })
  t.match(await rejection(inspector.preflightIssuer(`${issuer.issuerUrl}/?tenant=1`)), { status: 400, slug: 'issuer-url-invalid' })
  t.equal(issuer.connections(), 0)
})

t.test('address refusals throw the guard\'s 400, for the issuer and for jwks_uri', async t => {
  const issuer = await startIssuer(t)
  const keys = await startIssuer(t)
  const pointsInward = await startIssuer(t, { discovery: () => ({ jwks_uri: `https://127.0.0.1:${keys.port}/keys` }) })

  const strict = inspectorFor(t, [issuer], { allowList: [] })
  t.match(await rejection(strict.inspectIssuer(issuer.issuerUrl)), { status: 400, slug: 'issuer-address-forbidden' })
  t.match(await rejection(strict.preflightIssuer(issuer.issuerUrl)), { status: 400, slug: 'issuer-address-forbidden' })
  t.equal(issuer.connections(), 0)

  const onlyLocalhost = inspectorFor(t, [pointsInward, keys], { allowList: ['localhost'] })
  t.match(await rejection(onlyLocalhost.inspectIssuer(`https://localhost:${pointsInward.port}`)), {
    status: 400, slug: 'issuer-address-forbidden', extensions: { address: '127.0.0.1', addressClass: 'loopback' }
  })
  t.equal(keys.connections(), 0)
})

t.test('a jwks host apart from the issuer host: both thumbprints, the jwks chain reported', async t => {
  const keys = await startIssuer(t, { host: 'localhost', chainOptions: { name: 'keys', intermediates: 2 } })
  const issuer = await startIssuer(t, { discovery: () => ({ jwks_uri: keys.jwksUri }) })
  const inspector = inspectorFor(t, [issuer, keys])
  const inspection = await inspector.inspectIssuer(issuer.issuerUrl)
  t.same(failedNames(inspection.checks), [])
  t.same(inspection.thumbprints, [keys.chain.intermediates[0].sha1, issuer.chain.intermediates[0].sha1])
  t.equal(inspection.certificateChain.length, 3)
  t.same(inspection.hosts.map(h => h.role), ['jwks', 'issuer'])
})
