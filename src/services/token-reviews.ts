/**
 * Login diagnosis: what Kubernetes identity a token gets under a cluster's associated config (or a
 * proposed one), and the RBAC binding that matches it. Tokens are judged, never stored or logged.
 */
import type { OidcIdentityProviderConfig as SdkOidcConfig } from '@aws-sdk/client-eks'
import { problem } from '../errors.ts'
import { rbacBinding, type RbacBindingInput } from '../token-review/rbac-binding.ts'
import { reviewTokenOrClaims, type ReviewInput } from '../token-review/review.ts'
import type { FetchJwks, OidcConfig } from '../token-review/types.ts'
import type { IdentityProviderConfigService } from './identity-provider-configs.ts'

export class TokenReviewService {
  readonly #configs: IdentityProviderConfigService
  readonly #fetchJwks: FetchJwks

  constructor (deps: { configs: IdentityProviderConfigService, fetchJwks: FetchJwks }) {
    this.#configs = deps.configs
    this.#fetchJwks = deps.fetchJwks
  }

  async review (clusterName: string, configName: string, input: ReviewInput) {
    return this.preview(await this.#associated(clusterName, configName), input)
  }

  async preview (config: OidcConfig, input: ReviewInput) {
    return reviewTokenOrClaims(config, input, { fetchJwks: this.#fetchJwks })
  }

  async rbac (clusterName: string, configName: string, query: Omit<RbacBindingInput, 'config'>) {
    return rbacBinding({ config: await this.#associated(clusterName, configName), ...query })
  }

  async #associated (clusterName: string, configName: string): Promise<OidcConfig> {
    return toOidcConfig(await this.#configs.describe(clusterName, configName))
  }
}

function toOidcConfig (config: SdkOidcConfig): OidcConfig {
  if (!config.issuerUrl || !config.clientId) {
    throw problem('UpstreamInvalidResponse', { detail: `Config "${config.identityProviderConfigName}" has no issuerUrl or clientId.` })
  }
  return {
    identityProviderConfigName: config.identityProviderConfigName,
    issuerUrl: config.issuerUrl,
    clientId: config.clientId,
    usernameClaim: config.usernameClaim,
    usernamePrefix: config.usernamePrefix,
    groupsClaim: config.groupsClaim,
    groupsPrefix: config.groupsPrefix,
    requiredClaims: config.requiredClaims
  }
}
