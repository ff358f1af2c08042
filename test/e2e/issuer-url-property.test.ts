/**
 * The issuer URL rule as a property, over real HTTP against the emulator: for arbitrary strings,
 * the service's schema refuses `issuerUrl` exactly when issuerUrlProblems does, and a string it
 * accepts never makes the route answer 5xx. skipIssuerChecks keeps the issuer out of it: nothing is
 * contacted, so what is judged is the URL alone.
 */
import fc from 'fast-check'
import t from 'tap'
import { allowedPortsFrom } from '../../src/egress/config.ts'
import { issuerUrlProblems } from '../../src/issuers/issuer-url.ts'
import { sandboxServiceEnv } from '../../emulator/sandbox.ts'
import { idempotencyKey, startHarness, type Reply } from './support.ts'

/** Characters that make or break URLs: delimiters, brackets, escapes, spaces and controls, non-ASCII. */
const URL_PARTS = [
  'a', 'Z', '0', '9', '.', '-', '_', '~', '/', '\\', '?', '#', '@', ':', '[', ']', '%', '%25', '%00', '%2F', '=', '&', '+', '!', '$',
  ' ', '\t', '\n', '\u0000', '\u007f', '\u00a0', 'é', 'ß', 'ｆ', '😀', '\ud800', '::1', 'fe80::1', '127.0.0.1', '0x7f', 'xn--', '..',
  '/.well-known/openid-configuration', ':443', ':1', ':99999'
]
const SCHEMES = ['https://', 'http://', 'HTTPS://', 'https:', 'https:/', 'https:\\\\', 'https://@', 'ftp://', '']

function issuerUrlCandidates (emulatorIssuer: string) {
  const urlish = fc.array(fc.constantFrom(...URL_PARTS), { maxLength: 12 }).map(parts => parts.join(''))
  return fc.oneof(
    fc.string(),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.webUrl({ validSchemes: ['https', 'http'], authoritySettings: { withIPv4: true, withIPv6: true, withUserInfo: true, withPort: true }, withQueryParameters: true, withFragments: true }),
    fc.tuple(fc.constantFrom(...SCHEMES), urlish).map(([scheme, rest]) => scheme + rest),
    // An issuer whose port the guard allows, with whatever follows.
    urlish.map(rest => emulatorIssuer + rest)
  )
}

const oidc = (issuerUrl: string) => ({ identityProviderConfigName: 'corp', issuerUrl, clientId: 'kubernetes' })

/** The schema refused the issuer URL: a 400 ValidationException naming it. */
const schemaRefused = (reply: Reply) =>
  reply.status === 400 && reply.body?.code === 'ValidationException' && reply.body.errors?.some((e: { pointer: string }) => e.pointer === '/body/oidc/issuerUrl')

t.test('the schema refuses an issuer URL iff the rule does, and an accepted one never answers 5xx', async t => {
  // Hundreds of requests from one address: above the per-IP limit that would otherwise answer 429.
  const { emulator, call } = await startHarness(t, { emulator: { seed: { clusters: [{ name: 'demo' }] } }, env: { RATE_LIMIT_MAX: '100000' } })
  const corp = emulator.createIdentityProvider({ name: 'corp' }).issuerUrl
  const rule = { allowedPorts: allowedPortsFrom(sandboxServiceEnv(emulator).EGRESS_ALLOWED_PORTS) }
  const candidates = issuerUrlCandidates(corp)

  /** Throws, for fast-check to shrink and report, when the answer and the rule disagree. */
  const judge = (issuerUrl: string, reply: Reply) => {
    const broken = issuerUrlProblems(issuerUrl, rule).map(p => p.rule)
    const answer = `${reply.status} ${reply.body?.code ?? ''} ${JSON.stringify(reply.body?.errors ?? [])}`
    if (reply.status >= 500) throw new Error(`answered ${answer}`)
    if (schemaRefused(reply) !== (broken.length > 0)) throw new Error(`the rule says [${broken.join(', ')}], the service answered ${answer}`)
  }

  await t.test('PUT (dry run) with skipIssuerChecks', async t => {
    await fc.assert(fc.asyncProperty(candidates, async issuerUrl => {
      const reply = await call('PUT', '/clusters/demo/identity-provider-configs/corp?dryRun=true&skipIssuerChecks=true', { body: { oidc: oidc(issuerUrl) } })
      judge(issuerUrl, reply)
    }), { numRuns: 300 })
    t.pass('300 cases')
  })

  await t.test('associate with skipIssuerChecks', async t => {
    await fc.assert(fc.asyncProperty(candidates, async issuerUrl => {
      const reply = await call('POST', '/clusters/demo/identity-provider-configs?skipIssuerChecks=true', { headers: { 'idempotency-key': idempotencyKey() }, body: { oidc: oidc(issuerUrl) } })
      judge(issuerUrl, reply)
    }), { numRuns: 100 })
    t.pass('100 cases')
  })

  await t.test('preview', async t => {
    await fc.assert(fc.asyncProperty(candidates, async issuerUrl => {
      const reply = await call('POST', '/clusters/demo/identity-provider-configs/corp/preview', { body: { oidc: oidc(issuerUrl), claims: { sub: 'a', aud: 'kubernetes' } } })
      judge(issuerUrl, reply)
    }), { numRuns: 100 })
    t.pass('100 cases')
  })
})
