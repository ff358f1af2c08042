import type { OidcIdentityProviderConfig } from '@aws-sdk/client-eks'
import type { ReadThroughCache } from '../cache/read-through.ts'
import type { IssuerInspector } from '../issuers/inspect.ts'
import type { ThumbprintService } from '../issuers/thumbprint.ts'
import type { FetchJwks } from '../token-review/types.ts'
import type { EksPort, IamPort } from './aws-ports.ts'
import { type ClusterCache, ClusterService } from './clusters.ts'
import { IdentityProviderConfigService } from './identity-provider-configs.ts'
import { OidcProviderService } from './oidc-provider.ts'
import { TokenReviewService } from './token-reviews.ts'

export interface AppServices {
  clusters: ClusterService
  oidcProvider: OidcProviderService
  identityProviderConfigs: IdentityProviderConfigService
  issuers: IssuerInspector
  tokenReviews: TokenReviewService
}

export interface ServiceDeps {
  eks: EksPort
  iam: IamPort
  thumbprints: ThumbprintService
  issuers: IssuerInspector
  fetchJwks: FetchJwks
  clusterCache?: ClusterCache
  /** Recent DescribeIdentityProviderConfig answers, for readers that accept them (see describeRecent). */
  configReadCache?: ReadThroughCache<OidcIdentityProviderConfig>
}

export function createServices (deps: ServiceDeps): AppServices {
  const clusters = new ClusterService({ eks: deps.eks, cache: deps.clusterCache })
  const identityProviderConfigs = new IdentityProviderConfigService({ eks: deps.eks, clusters, issuers: deps.issuers, readCache: deps.configReadCache })
  return {
    clusters,
    oidcProvider: new OidcProviderService({ iam: deps.iam, clusters, thumbprints: deps.thumbprints }),
    identityProviderConfigs,
    issuers: deps.issuers,
    tokenReviews: new TokenReviewService({ configs: identityProviderConfigs, fetchJwks: deps.fetchJwks })
  }
}
