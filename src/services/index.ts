import type { EksPort, IamPort } from './aws-ports.ts'
import { type ClusterCache, ClusterService } from './clusters.ts'
import { IdentityProviderConfigService } from './identity-provider-configs.ts'
import { OidcProviderService } from './oidc-provider.ts'

export interface AppServices {
  clusters: ClusterService
  oidcProvider: OidcProviderService
  identityProviderConfigs: IdentityProviderConfigService
}

export function createServices (deps: { eks: EksPort, iam: IamPort, clusterCache?: ClusterCache }): AppServices {
  const clusters = new ClusterService({ eks: deps.eks, cache: deps.clusterCache })
  return {
    clusters,
    oidcProvider: new OidcProviderService({ iam: deps.iam, clusters }),
    identityProviderConfigs: new IdentityProviderConfigService({ eks: deps.eks, clusters })
  }
}
