import type { EksPort, IamPort } from './aws-ports.ts'
import { ClusterService } from './clusters.ts'
import { IdentityProviderConfigService } from './identity-provider-configs.ts'
import { OidcProviderService } from './oidc-provider.ts'

export interface AppServices {
  clusters: ClusterService
  oidcProvider: OidcProviderService
  identityProviderConfigs: IdentityProviderConfigService
}

export function createServices (deps: { eks: EksPort, iam: IamPort }): AppServices {
  const clusters = new ClusterService({ eks: deps.eks })
  return {
    clusters,
    oidcProvider: new OidcProviderService({ iam: deps.iam, clusters }),
    identityProviderConfigs: new IdentityProviderConfigService({ eks: deps.eks, clusters })
  }
}
