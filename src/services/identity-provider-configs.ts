/**
 * EKS OIDC identity provider configs for user logins: associate, list, describe, disassociate,
 * and the asynchronous updates that carry them. The rules that AWS would only report 20 minutes
 * later, or as an opaque error, are checked before the write call.
 */
import type { OidcIdentityProviderConfig as SdkOidcConfig, Update as SdkUpdate } from '@aws-sdk/client-eks'
import type { AssociateIdentityProviderConfigRequest } from '../../schemas/eks.ts'
import { ReadThroughCache, type ReadSource } from '../cache/read-through.ts'
import { problem } from '../errors.ts'
import { preflightError, type IssuerInspector } from '../issuers/inspect.ts'
import { sameIssuer } from '../issuers/issuer-url.ts'
import type { WriteGuard } from './write-guard.ts'
import type { EksPort } from '../aws/ports.ts'
import { callAws, isAwsError, mapAwsError } from '../aws/errors.ts'
import type { ClusterService, PageQuery } from './clusters.ts'

export const OIDC_CONFIG_TYPE = 'oidc'
export const CONFIG_READ_CACHE = 'identity-provider-config'
/** Only an ACTIVE config is reused: CREATING and DELETING move on, and whoever polls them wants the move. */
export const isSettledConfig = (config: SdkOidcConfig) => config.status === 'ACTIVE'
const nextTurn = () => new Promise<void>(resolve => setImmediate(resolve))

export interface AssociateOptions {
  /** Skip the network checks of the issuer (for issuers reachable from AWS but not from the service). */
  skipIssuerChecks: boolean
}

export type IssuerChecksOutcome = 'passed' | 'skipped'

export type AssociateOutcome =
  | { kind: 'started', update: SdkUpdate, tags?: Record<string, string>, issuerChecks: IssuerChecksOutcome }
  | { kind: 'adopted', update: SdkUpdate, tags?: Record<string, string> }

/** Config fields EKS cannot change in place; equal fields mean "the same config". */
const IMMUTABLE_FIELDS = ['issuerUrl', 'clientId', 'usernameClaim', 'usernamePrefix', 'groupsClaim', 'groupsPrefix'] as const

type OidcConfigRequest = AssociateIdentityProviderConfigRequest['oidc']

export function sameConfig (existing: SdkOidcConfig, wanted: OidcConfigRequest) {
  const fieldsEqual = IMMUTABLE_FIELDS.every(field => (existing[field] ?? undefined) === (wanted[field] ?? undefined))
  const claims = (c?: Record<string, string>) => JSON.stringify(Object.entries(c ?? {}).sort(([a], [b]) => a.localeCompare(b)))
  return fieldsEqual && claims(existing.requiredClaims) === claims(wanted.requiredClaims)
}

/** Cluster names cannot hold a newline, so the cluster's part of a key is a safe prefix. */
const clusterKey = (clusterName: string) => `${clusterName}\n`

export class IdentityProviderConfigService {
  readonly #eks: EksPort
  readonly #clusters: ClusterService
  readonly #issuers: Pick<IssuerInspector, 'preflightIssuer'>
  readonly #reads: ReadThroughCache<SdkOidcConfig>

  constructor (deps: { eks: EksPort, clusters: ClusterService, issuers: Pick<IssuerInspector, 'preflightIssuer'>, readCache?: ReadThroughCache<SdkOidcConfig> }) {
    this.#eks = deps.eks
    this.#clusters = deps.clusters
    this.#issuers = deps.issuers
    this.#reads = deps.readCache ?? new ReadThroughCache({ name: CONFIG_READ_CACHE, ttlMs: 0, max: 0 })
  }

  async list (clusterName: string, query: PageQuery) {
    const out = await callAws(() => this.#eks.listIdentityProviderConfigs({ clusterName, ...query }))
    const identityProviderConfigs = (out.identityProviderConfigs ?? []).map(c => ({ type: c.type ?? OIDC_CONFIG_TYPE, name: c.name ?? '' }))
    return { identityProviderConfigs, nextToken: out.nextToken }
  }

  async describe (clusterName: string, configName: string): Promise<SdkOidcConfig> {
    const out = await callAws(() => this.#eks.describeIdentityProviderConfig({
      clusterName,
      identityProviderConfig: { type: OIDC_CONFIG_TYPE, name: configName }
    }))
    const oidc = out.identityProviderConfig?.oidc
    if (!oidc) throw problem('ResourceNotFoundException', { detail: `No config found for cluster: ${clusterName}, config type: oidc, config name: ${configName}` })
    return oidc
  }

  /**
   * `describe` for readers that accept an answer up to the read cache's TTL old (the GET route):
   * concurrent identical reads share one call; `fresh` always calls EKS. Writes through this
   * service drop the cluster's entries.
   */
  describeRecent (clusterName: string, configName: string, options: { fresh?: boolean } = {}): Promise<{ value: SdkOidcConfig, source: ReadSource }> {
    return this.#reads.read(clusterKey(clusterName) + configName, () => this.describe(clusterName, configName), options)
  }

  async associate (clusterName: string, request: AssociateIdentityProviderConfigRequest, guard: WriteGuard, options: AssociateOptions): Promise<AssociateOutcome> {
    // The recovery point has to be durable before the Associate call, not before the read-only
    // checks: it is written while they run, and put back when they end the request without that
    // call, so that a retry runs them again. It starts on the next turn of the event loop, once the
    // first check's AWS request is on the wire: an embedded store runs statements on this thread.
    const marking = nextTurn().then(() => guard.beforeWrite())
    marking.catch(() => {}) // awaited below; a check that fails first must not leave it unhandled
    const unmark = async () => { await marking.then(() => guard.writeNotSent(), () => {}) }
    let adopted: AssociateOutcome | null
    try {
      adopted = await this.#checksBeforeAssociate(clusterName, request, guard.resuming, options)
    } catch (error) {
      await unmark()
      throw error
    }
    if (adopted) {
      await unmark()
      return adopted
    }
    await marking

    let out
    try {
      out = await this.#eks.associateIdentityProviderConfig({
        clusterName,
        oidc: request.oidc,
        tags: request.tags,
        clientRequestToken: guard.clientRequestToken
      })
    } catch (error) {
      // EKS no longer knows the token (its deduplication window is undocumented): fall back on the config name.
      const adopted = guard.resuming && isAwsError(error, 'ResourceInUseException') ? await this.#existingConfig(clusterName, request) : null
      if (adopted) return adopted
      throw mapAwsError(error)
    } finally {
      this.#reads.forget(clusterKey(clusterName))
    }
    return { kind: 'started', update: out.update ?? {}, tags: out.tags, issuerChecks: options.skipIssuerChecks ? 'skipped' : 'passed' }
  }

  /** Starts the disassociation; answers null when the config is already gone. */
  async disassociate (clusterName: string, configName: string, guard: WriteGuard): Promise<SdkUpdate | null> {
    await guard.beforeWrite()
    try {
      const out = await this.#eks.disassociateIdentityProviderConfig({
        clusterName,
        identityProviderConfig: { type: OIDC_CONFIG_TYPE, name: configName },
        clientRequestToken: guard.clientRequestToken
      })
      return out.update ?? {}
    } catch (error) {
      if (isAwsError(error, 'ResourceNotFoundException') || isNotAssociated(error)) return null
      throw mapAwsError(error)
    } finally {
      this.#reads.forget(clusterKey(clusterName))
    }
  }

  async listUpdates (clusterName: string, query: PageQuery) {
    const out = await callAws(() => this.#eks.listUpdates({ name: clusterName, ...query }))
    return { updateIds: out.updateIds ?? [], nextToken: out.nextToken }
  }

  async describeUpdate (clusterName: string, updateId: string): Promise<SdkUpdate> {
    const out = await callAws(() => this.#eks.describeUpdate({ name: clusterName, updateId }))
    return out.update ?? {}
  }

  /** The config already there (adopted) or null when Associate has to be called; throws when a check fails. */
  async #checksBeforeAssociate (clusterName: string, request: AssociateIdentityProviderConfigRequest, resuming: boolean, options: AssociateOptions): Promise<AssociateOutcome | null> {
    const cluster = await this.#clusterWithOtherIssuer(clusterName, request.oidc)
    // A retry of an attempt that may have reached EKS (timeout, crash) re-sends the same token, so EKS
    // answers with the update that attempt made instead of it being adopted as someone else's config.
    // The checks below passed before that attempt's EKS call, so they are not repeated. (A crash in
    // the middle of them also lands here; the same token still lets EKS deduplicate.)
    if (resuming) return null
    const adopted = await this.#existingConfig(clusterName, request)
    if (adopted) return adopted
    if (!options.skipIssuerChecks) await this.#preflight(request.oidc.issuerUrl, cluster.issuerUrl)
    return null
  }

  /**
   * The checks `associate` runs before its write (issuer differs from the cluster's, no other
   * config, issuer pre-flight), without writing: for a change that associates later (a
   * replacement), so that it fails before the old config is removed.
   */
  async checkAssociable (clusterName: string, oidc: OidcConfigRequest, options: { skipIssuerChecks: boolean }): Promise<IssuerChecksOutcome> {
    const cluster = await this.#clusterWithOtherIssuer(clusterName, oidc)
    await this.#onlyConfigMayBe(clusterName, oidc.identityProviderConfigName)
    if (options.skipIssuerChecks) return 'skipped'
    await this.#preflight(oidc.issuerUrl, cluster.issuerUrl)
    return 'passed'
  }

  async #clusterWithOtherIssuer (clusterName: string, oidc: OidcConfigRequest) {
    const cluster = await this.#clusters.identity(clusterName)
    if (cluster.issuerUrl && sameIssuer(cluster.issuerUrl, oidc.issuerUrl)) {
      throw problem('InvalidParameter', {
        detail: 'Incorrect Identity Provider URL configuration. The Identity Provider URL cannot be same as OpenID Connect (OIDC) issuer URL',
        errors: [{ pointer: '/body/oidc/issuerUrl', detail: 'must differ from the cluster\'s own OIDC issuer (identity.oidc.issuer)' }]
      })
    }
    return cluster
  }

  /** The cluster's OIDC config name, if any; a conflict when it is another than `wanted`. */
  async #onlyConfigMayBe (clusterName: string, wanted: string): Promise<string | undefined> {
    const { identityProviderConfigs } = await this.list(clusterName, {})
    const existing = identityProviderConfigs.find(c => c.type === OIDC_CONFIG_TYPE)?.name
    if (existing && existing !== wanted) {
      throw problem('ConfigLimit', {
        detail: `Cluster "${clusterName}" already has the OIDC identity provider config "${existing}"; EKS allows one per cluster. Disassociate it first.`
      })
    }
    return existing || undefined
  }

  /** Fail now, not 20 minutes into an EKS update, when the issuer is unreachable or inconsistent. */
  async #preflight (issuerUrl: string, clusterIssuer: string | undefined) {
    const failed = await this.#issuers.preflightIssuer(issuerUrl, { clusterIssuer })
    if (failed.length) throw preflightError(failed)
  }

  /**
   * EKS allows one OIDC config per cluster. The same config already there is adopted; any other
   * is a conflict that EKS itself would only report as a bare ResourceInUseException.
   */
  async #existingConfig (clusterName: string, request: AssociateIdentityProviderConfigRequest): Promise<AssociateOutcome | null> {
    const wanted = request.oidc.identityProviderConfigName
    const existing = await this.#onlyConfigMayBe(clusterName, wanted)
    if (!existing) return null
    const config = await this.describe(clusterName, wanted)
    if (!sameConfig(config, request.oidc)) {
      throw problem('ConfigExists', {
        detail: `Config "${wanted}" is already associated with different settings; EKS configs cannot be changed in place. Disassociate it, wait until it is gone, then associate the new settings.`
      })
    }
    const update = await this.#latestAssociateUpdate(clusterName, wanted)
    return { kind: 'adopted', update, tags: config.tags }
  }

  /** Finds the update that associated a config, scanning the cluster's first page of updates. */
  async #latestAssociateUpdate (clusterName: string, configName: string): Promise<SdkUpdate> {
    const { updateIds } = await this.listUpdates(clusterName, {})
    for (const updateId of updateIds) {
      const update = await this.describeUpdate(clusterName, updateId)
      const names = (update.params ?? []).flatMap(p => parseConfigParam(p.value))
      if (update.type === 'AssociateIdentityProviderConfig' && names.includes(configName)) return update
    }
    return {}
  }
}

function parseConfigParam (value: string | undefined): string[] {
  try {
    const parsed = JSON.parse(value ?? '[]') as Array<{ name?: string }>
    return Array.isArray(parsed) ? parsed.map(p => p.name ?? '') : []
  } catch {
    return []
  }
}

function isNotAssociated (error: unknown) {
  return isAwsError(error, 'InvalidRequestException') && /not associated/i.test((error as Error).message)
}
