import type { OidcIdentityProviderConfig as SdkOidcConfig } from '@aws-sdk/client-eks'
import { ServiceError } from '../errors.ts'
import type { IdentityProviderConfigService } from '../services/identity-provider-configs.ts'

/** The config as EKS describes it now, or undefined when there is none (404). */
export async function currentConfig (configs: Pick<IdentityProviderConfigService, 'describe'>, clusterName: string, configName: string): Promise<SdkOidcConfig | undefined> {
  try {
    return await configs.describe(clusterName, configName)
  } catch (error) {
    if (error instanceof ServiceError && error.status === 404) return undefined
    throw error
  }
}
