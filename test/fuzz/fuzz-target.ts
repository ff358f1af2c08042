/**
 * What the fuzz properties run against: the end-to-end harness (the emulator, and the real app with
 * every plugin and real SDK clients, listening on 127.0.0.1), with token authentication and the
 * real egress guard in a loopback-only world (offline-egress.ts). Requests go over real HTTP with
 * undici, raw: the path is sent as drawn, broken escapes included.
 */
import type { Test } from 'tap'
import fc from 'fast-check'
import { Client } from 'undici'
import type { AwsEmulator } from '../../emulator/aws-emulator.ts'
import type { App } from '../../src/app.ts'
import { generateToken, hashToken } from '../../src/auth/static-tokens.ts'
import { egressGuardOptionsFromConfig } from '../../src/egress/config.ts'
import type { EgressGuard } from '../../src/egress/guard.ts'
import { issuerUrlProblems } from '../../src/issuers/issuer-url.ts'
import { ISSUER_URL_FORMAT } from '../../schemas/issuer-url.ts'
import { startHarness } from '../e2e/support.ts'
import { offlineEgress } from './offline-egress.ts'
import type { FuzzRequest } from './operation-arbitraries.ts'
import type { Answer } from './response-rules.ts'
import type { Dictionary } from './schema-arbitraries.ts'
import type { Formats } from './text-arbitraries.ts'

export interface FuzzTarget {
  app: App
  emulator: AwsEmulator
  /** Values the test owns, for the generator to mix into matching strings. */
  dictionary: Dictionary
  /** The app's own string formats. */
  formats: Formats
  /** Authorization header values: a principal with every grant, none, and broken ones. */
  credentials: fc.Arbitrary<string | undefined>
  send (request: FuzzRequest, authorization: string | undefined): Promise<Answer>
}

const SEED = {
  identityProviders: [{ name: 'corp' }],
  clusters: [
    { name: 'demo' },
    { name: 'prod', identityProviderConfig: { identityProviderConfigName: 'corp', identityProvider: 'corp', clientId: 'kubernetes' } }
  ]
}

export async function startFuzzTarget (t: Test): Promise<FuzzTarget> {
  const admin = generateToken()
  let egress: EgressGuard | undefined
  const { app, emulator, serviceUrl } = await startHarness(t, {
    emulator: { seed: SEED },
    env: {
      AUTH_MODE: 'tokens',
      AUTH_API_TOKENS: `fuzzer:${hashToken(admin)}`,
      AUTH_GRANTS: JSON.stringify({ grants: [{ principal: 'fuzzer', clusters: ['*'], actions: ['admin'] }] }),
      // The fuzzer is one caller sending thousands of requests; rate limiting is tested in test/openapi.
      RATE_LIMIT_MAX: '1000000'
    },
    deps: (_emulator, env) => {
      const { options } = egressGuardOptionsFromConfig({ EGRESS_ALLOW_LIST: env.EGRESS_ALLOW_LIST, EGRESS_ALLOWED_PORTS: env.EGRESS_ALLOWED_PORTS, EGRESS_CA_FILE: env.EGRESS_CA_FILE })
      egress = offlineEgress(options)
      return { egress }
    }
  })
  // The app's own format, checked as its validator checks it (with the guard's ports).
  const formats: Formats = {
    [ISSUER_URL_FORMAT]: {
      arbitrary: fc.webUrl({ validSchemes: ['https'], withQueryParameters: false, withFragments: false, authoritySettings: { withPort: true } }),
      accepts: text => issuerUrlProblems(text, { allowedPorts: egress?.allowedPorts }).length === 0
    }
  }
  const client = new Client(serviceUrl, { headersTimeout: 60_000, bodyTimeout: 60_000 })
  t.teardown(() => client.close())

  const corp = emulator.state.identityProviders.get('corp')?.issuerUrl ?? ''
  const dictionary: Dictionary = [
    'demo', 'prod', 'corp', 'kubernetes', 'sts.amazonaws.com', 'email', 'groups', 'oidc:',
    corp, emulator.state.clusters.get('demo')?.issuer ?? '', emulator.issuerThumbprint,
    await emulator.mintIdToken(corp, { sub: 'alice', aud: 'kubernetes', email: 'alice@example.com', groups: ['dev'] }),
    fc.stringMatching(/^fuzz-key-[A-Za-z0-9]{16}$/)
  ]
  const credentials = fc.oneof(
    { weight: 8, arbitrary: fc.constant(`Bearer ${admin}`) },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constantFrom('Bearer ', 'Bearer x', `Bearer ${admin}x`, `bearer ${admin}`, `Basic ${admin}`, `Bearer ${'a'.repeat(5000)}`, 'Bearer eyJhbGciOiJub25lIn0.e30.') }
  )

  async function send (request: FuzzRequest, authorization: string | undefined): Promise<Answer> {
    const headers = { ...request.headers, ...(authorization === undefined ? {} : { authorization }) }
    const response = await client.request({ method: request.method as 'GET', path: request.path, headers, body: request.body })
    return { status: response.statusCode, headers: response.headers, text: await response.body.text() }
  }

  return { app, emulator, dictionary, formats, credentials, send }
}
