/**
 * Issuer inspection and the pre-flight for associating an EKS identity provider config. The issuer
 * URL has passed the issuer URL rule already (the `issuer-url` format of every schema, see
 * issuer-url.ts); what is found at the issuer is reported as named checks rather than thrown, and
 * only the guard's refusal to connect at all (a host or jwks_uri resolving to a forbidden address)
 * throws its 400 ServiceError.
 */
import { problem, ServiceError, type ProblemCode } from '../errors.ts'
import type { EgressGuard } from '../egress/guard.ts'
import { EGRESS_PROBLEMS } from '../egress/errors.ts'
import { discoveryUrl, sameIssuer } from './issuer-url.ts'
import type { CertificateSummary, HostThumbprint, IssuerThumbprints, ThumbprintService } from './thumbprint.ts'

export const ISSUER_CHECKS = [
  'not-cluster-issuer',
  'discovery-reachable',
  'issuer-matches',
  'jwks-reachable',
  'certificate-not-expiring'
] as const

export type IssuerCheckName = typeof ISSUER_CHECKS[number]

/** The catalogue code a route answers with when this check is the first failure. */
export type CheckProblem = ProblemCode

export interface IssuerCheck {
  name: IssuerCheckName
  passed: boolean
  reason: string
  /** `error` failures block a pre-flight; `warning` failures (a certificate expiring soon) do not. */
  severity: 'error' | 'warning'
  /** Not run because an earlier check failed (reported as not passed). */
  skipped?: boolean
  /** The problem a route should answer with when this check is the first failure. */
  problem?: CheckProblem
}

export interface DiscoverySummary {
  issuer?: string
  jwks_uri?: string
  authorization_endpoint?: string
  token_endpoint?: string
  userinfo_endpoint?: string
  response_types_supported?: string[]
  subject_types_supported?: string[]
  id_token_signing_alg_values_supported?: string[]
  claims_supported?: string[]
}

export interface JwkSummary { kid?: string, alg?: string, kty?: string, use?: string }

export interface IssuerInspection {
  issuerUrl: string
  discovery?: DiscoverySummary
  jwks?: { keys: JwkSummary[] }
  /** The chain of the jwks host (the issuer host when jwks_uri is unknown), leaf first. */
  certificateChain: CertificateSummary[]
  /** Thumbprints IAM would use, jwks host first. */
  thumbprints: string[]
  hosts: HostThumbprint[]
  checks: IssuerCheck[]
}

export interface IssuerInspectorOptions {
  egress: EgressGuard
  thumbprints: ThumbprintService
  /** A certificate ending within this many days fails `certificate-not-expiring`. Default 30. */
  expiryWarningDays?: number
  now?: () => number
}

export interface PreflightOptions {
  /** The cluster's own issuer (`identity.oidc.issuer`); EKS refuses a config using it. */
  clusterIssuer?: string
}

export interface IssuerInspector {
  inspectIssuer (issuerUrl: string): Promise<IssuerInspection>
  /** The failed, blocking checks (empty when the issuer may be associated). */
  preflightIssuer (issuerUrl: string, options?: PreflightOptions): Promise<IssuerCheck[]>
}

const DAY_MS = 24 * 60 * 60 * 1000
const STRING_FIELDS = ['issuer', 'jwks_uri', 'authorization_endpoint', 'token_endpoint', 'userinfo_endpoint'] as const
const LIST_FIELDS = ['response_types_supported', 'subject_types_supported', 'id_token_signing_alg_values_supported', 'claims_supported'] as const

const ISSUER_MISMATCH: CheckProblem = 'IssuerMismatch'
const CLUSTER_ISSUER: CheckProblem = 'IssuerIsClusterIssuer'
const problemOf = (kind: keyof typeof EGRESS_PROBLEMS): CheckProblem => EGRESS_PROBLEMS[kind]

const pass = (name: IssuerCheckName, reason: string, severity: IssuerCheck['severity'] = 'error'): IssuerCheck =>
  ({ name, passed: true, reason, severity })
const fail = (name: IssuerCheckName, reason: string, problem?: CheckProblem, severity: IssuerCheck['severity'] = 'error'): IssuerCheck =>
  ({ name, passed: false, reason, severity, ...(problem ? { problem } : {}) })
const skip = (name: IssuerCheckName, reason: string): IssuerCheck =>
  ({ name, passed: false, reason: `not run: ${reason}`, severity: 'error', skipped: true })

/** The guard refusing to connect at all; everything else about an issuer is a finding. */
function isAddressRefusal (err: unknown): err is ServiceError {
  return err instanceof ServiceError && err.catalogueCode === EGRESS_PROBLEMS.addressForbidden
}

/** Runs `work`; a ServiceError other than an address refusal becomes a failed check. */
async function attempt<T> (work: () => Promise<T>): Promise<{ value?: T, error?: ServiceError }> {
  try {
    return { value: await work() }
  } catch (err) {
    if (isAddressRefusal(err) || !(err instanceof ServiceError)) throw err
    return { error: err }
  }
}

const failFrom = (name: IssuerCheckName, what: string, err: ServiceError) =>
  fail(name, `${what}: ${err.message}`, err.catalogueCode)

function summariseDiscovery (json: Record<string, unknown>): DiscoverySummary {
  const summary: Record<string, unknown> = {}
  for (const field of STRING_FIELDS) if (typeof json[field] === 'string') summary[field] = json[field]
  for (const field of LIST_FIELDS) {
    const value = json[field]
    if (Array.isArray(value) && value.every(v => typeof v === 'string')) summary[field] = value
  }
  return summary as DiscoverySummary
}

const asString = (value: unknown) => typeof value === 'string' ? value : undefined
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

function summariseKeys (json: unknown): JwkSummary[] | undefined {
  if (!isObject(json) || !Array.isArray(json.keys)) return undefined
  return json.keys.filter(isObject).map(key => ({ kid: asString(key.kid), alg: asString(key.alg), kty: asString(key.kty), use: asString(key.use) }))
}

export function createIssuerInspector (options: IssuerInspectorOptions): IssuerInspector {
  const { egress, thumbprints } = options
  const now = options.now ?? Date.now
  const warningMs = (options.expiryWarningDays ?? 30) * DAY_MS

  async function discover (issuerUrl: string, checks: IssuerCheck[]): Promise<DiscoverySummary | undefined> {
    const { value, error } = await attempt(() => egress.fetchJson(discoveryUrl(issuerUrl)))
    if (error) {
      checks.push(failFrom('discovery-reachable', 'the discovery document could not be read', error))
      return undefined
    }
    const json = value?.json
    const summary = isObject(json) ? summariseDiscovery(json) : undefined
    if (!summary?.issuer || !summary.jwks_uri) {
      checks.push(fail('discovery-reachable', 'the discovery document lacks a string issuer or jwks_uri', problemOf('responseInvalid')))
      return summary
    }
    checks.push(pass('discovery-reachable', `read ${discoveryUrl(issuerUrl)}`))
    checks.push(summary.issuer === issuerUrl
      ? pass('issuer-matches', 'the discovery issuer equals the issuer URL exactly')
      : fail('issuer-matches', `the discovery document names issuer ${JSON.stringify(summary.issuer)}, not ${JSON.stringify(issuerUrl)} (they must be equal, trailing slash included)`, ISSUER_MISMATCH))
    return summary
  }

  async function readKeys (jwksUri: string | undefined, checks: IssuerCheck[]): Promise<{ keys: JwkSummary[] } | undefined> {
    if (!jwksUri) {
      checks.push(skip('jwks-reachable', 'no jwks_uri is known'))
      return undefined
    }
    const { value, error } = await attempt(() => egress.fetchJson(jwksUri, { purpose: 'resource' }))
    if (error) {
      checks.push(failFrom('jwks-reachable', 'the JWKS could not be read', error))
      return undefined
    }
    const keys = summariseKeys(value?.json)
    if (!keys) {
      checks.push(fail('jwks-reachable', 'the JWKS has no keys array', problemOf('responseInvalid')))
      return undefined
    }
    const signing = keys.filter(key => key.kty !== undefined && key.use !== 'enc')
    checks.push(signing.length > 0
      ? pass('jwks-reachable', `the JWKS holds ${signing.length} signing key(s)`)
      : fail('jwks-reachable', 'the JWKS holds no signing key', problemOf('responseInvalid')))
    return { keys }
  }

  async function readChains (issuerUrl: string, jwksUri: string | undefined): Promise<{ value?: IssuerThumbprints, error?: ServiceError }> {
    const first = await attempt(() => thumbprints.forIssuer(issuerUrl, { jwksUri }))
    if (first.value || jwksUri) return first
    // No usable discovery document: still report the issuer host's own certificates.
    const issuer = new URL(issuerUrl)
    return attempt(async () => {
      const chain = await thumbprints.chainFor(issuer.hostname, issuer.port === '' ? 443 : Number(issuer.port))
      const host: HostThumbprint = {
        role: 'issuer', host: chain.host, port: chain.port, thumbprint: chain.certificates.at(-1)?.sha1 ?? '', certificates: chain.certificates, authorized: chain.authorized
      }
      return { issuerUrl, jwksUri: '', thumbprints: host.thumbprint ? [host.thumbprint] : [], hosts: [host] }
    })
  }

  function expiryCheck (hosts: HostThumbprint[], error?: ServiceError): IssuerCheck {
    if (error) return failFrom('certificate-not-expiring', 'the certificate chain could not be read', error)
    const certificates = hosts.flatMap(h => h.certificates)
    const earliest = certificates.reduce<CertificateSummary | undefined>((soonest, c) => !soonest || c.notAfter < soonest.notAfter ? c : soonest, undefined)
    if (!earliest) return fail('certificate-not-expiring', 'no certificate was read', problemOf('certificateInvalid'))
    const left = Date.parse(earliest.notAfter) - now()
    if (left <= 0) return fail('certificate-not-expiring', `${earliest.subject} expired at ${earliest.notAfter}`, problemOf('certificateInvalid'))
    if (left < warningMs) {
      return fail('certificate-not-expiring', `${earliest.subject} expires at ${earliest.notAfter}, within ${warningMs / DAY_MS} days`, undefined, 'warning')
    }
    return pass('certificate-not-expiring', `every certificate is valid until at least ${earliest.notAfter}`, 'warning')
  }

  async function inspectIssuer (issuerUrl: string): Promise<IssuerInspection> {
    egress.checkUrl(issuerUrl, 'issuer') // an IP-literal issuer is refused before any connection
    const checks: IssuerCheck[] = []
    const discovery = await discover(issuerUrl, checks)
    if (!checks.some(c => c.name === 'issuer-matches')) checks.push(skip('issuer-matches', 'no discovery document'))
    const jwks = await readKeys(discovery?.jwks_uri, checks)
    const chains = await readChains(issuerUrl, discovery?.jwks_uri)
    const hosts = chains.value?.hosts ?? []
    checks.push(expiryCheck(hosts, chains.error))

    return {
      issuerUrl,
      ...(discovery ? { discovery } : {}),
      ...(jwks ? { jwks } : {}),
      certificateChain: hosts[0]?.certificates ?? [],
      thumbprints: chains.value?.thumbprints ?? [],
      hosts,
      checks
    }
  }

  async function preflightIssuer (issuerUrl: string, preflight: PreflightOptions = {}): Promise<IssuerCheck[]> {
    const local: IssuerCheck[] = []
    if (preflight.clusterIssuer !== undefined) {
      local.push(sameIssuer(issuerUrl, preflight.clusterIssuer)
        ? fail('not-cluster-issuer', 'Incorrect Identity Provider URL configuration. The Identity Provider URL cannot be same as OpenID Connect (OIDC) issuer URL', CLUSTER_ISSUER)
        : pass('not-cluster-issuer', 'the issuer is not the cluster\'s own issuer'))
    }
    const blocking = (checks: IssuerCheck[]) => checks.filter(c => !c.passed && !c.skipped && c.severity === 'error')
    // What needs no network decides first: a refused issuer is never contacted.
    if (blocking(local).length > 0) return blocking(local)
    const { checks } = await inspectIssuer(issuerUrl)
    return blocking(checks)
  }

  return { inspectIssuer, preflightIssuer }
}

/**
 * The problem a route answers with when a pre-flight failed: the problem of the first failed
 * check (so a timeout stays 504 and a mismatch is `issuer-mismatch`), listing every failed check in
 * `checks`.
 */
export function preflightError (failed: IssuerCheck[], pointer = '/body/oidc/issuerUrl'): ServiceError {
  return problem(failed[0]?.problem ?? 'IssuerPreflightFailed', {
    detail: failed.map(c => `${c.name}: ${c.reason}`).join('; '),
    errors: failed.map(c => ({ pointer, detail: `${c.name}: ${c.reason}` })),
    extensions: { checks: failed.map(({ name, passed, reason }) => ({ name, passed, reason })) }
  })
}
