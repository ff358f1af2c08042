/**
 * The production JWKS fetcher (src/issuers/jwks.ts) against real HTTPS issuers on loopback, through
 * the real egress guard: keys come only from an issuer whose discovery document names it exactly.
 */
import t from 'tap'
import { createEgressGuard } from '../../src/egress/guard.ts'
import { createJwksFetcher } from '../../src/issuers/jwks.ts'
import { rejection, sendJson, startIssuer, type IssuerOptions, type TestIssuer } from '../egress/fixtures.ts'

type TestLike = { teardown (fn: () => unknown): void }

/** An issuer that counts the requests for its keys. */
async function countingIssuer (t: TestLike, options: IssuerOptions = {}): Promise<TestIssuer & { keyRequests (): number }> {
  let keyRequests = 0
  const issuer = await startIssuer(t, {
    ...options,
    routes: () => ({ '/keys': (_req, res) => { keyRequests++; sendJson(res, { keys: [] }) } })
  })
  return { ...issuer, keyRequests: () => keyRequests }
}

function fetcherTrusting (t: TestLike, issuer: TestIssuer) {
  const egress = createEgressGuard({ allowList: ['127.0.0.1'], allowedPorts: [issuer.port], extraCaPem: issuer.chain.caPem })
  t.teardown(() => egress.close())
  return createJwksFetcher(egress)
}

t.test('an issuer whose discovery names it exactly: its keys', async t => {
  const issuer = await countingIssuer(t)
  const fetchJwks = fetcherTrusting(t, issuer)
  t.same(await fetchJwks(issuer.issuerUrl), { keys: [] })
  t.equal(issuer.keyRequests(), 1)
})

const mismatches: Array<{ name: string, issuer: (issuerUrl: string) => unknown }> = [
  { name: 'another issuer', issuer: () => 'https://accounts.example.com' },
  { name: 'a trailing slash', issuer: url => `${url}/` },
  { name: 'another case', issuer: url => url.toUpperCase() },
  { name: 'no issuer at all', issuer: () => undefined }
]

for (const row of mismatches) {
  t.test(`discovery naming ${row.name}: IssuerMismatch, and the keys are never fetched`, async t => {
    const issuer = await countingIssuer(t, { discovery: url => ({ issuer: row.issuer(url) }) })
    const fetchJwks = fetcherTrusting(t, issuer)
    const error = await rejection(fetchJwks(issuer.issuerUrl))
    t.match(error, { status: 400, code: 'IssuerMismatch', slug: 'issuer-mismatch' })
    t.equal((error as Error).message, `The discovery document of ${issuer.issuerUrl} says issuer "${String(row.issuer(issuer.issuerUrl))}"; they must be equal character for character.`, 'the detail shows both')
    t.equal(issuer.keyRequests(), 0, 'no request for /keys')
  })
}

t.test('discovery without a jwks_uri: IssuerResponseInvalid', async t => {
  const issuer = await countingIssuer(t, { discovery: () => ({ jwks_uri: undefined }) })
  const fetchJwks = fetcherTrusting(t, issuer)
  t.match(await rejection(fetchJwks(issuer.issuerUrl)), { status: 400, code: 'IssuerResponseInvalid', message: `The discovery document of ${issuer.issuerUrl} has no jwks_uri.` })
  t.equal(issuer.keyRequests(), 0)
})

t.test('a jwks_uri with a query is a resource URL, fetched as it is', async t => {
  const issuer = await countingIssuer(t, { discovery: url => ({ issuer: url, jwks_uri: `${url}/keys?version=2` }) })
  const fetchJwks = fetcherTrusting(t, issuer)
  t.same(await fetchJwks(issuer.issuerUrl), { keys: [] })
  t.equal(issuer.keyRequests(), 1)
})
