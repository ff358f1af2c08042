/** Every schema with an `$id`, registered once with `addSchema` so routes can `$ref` them and the
 * OpenAPI document lists them as components. Order matters: referenced schemas come first. */
import { FieldError, Problem, TagMap } from './common.ts'
import * as eks from './eks.ts'
import * as fleet from './fleet.ts'
import * as iam from './iam.ts'

export const sharedSchemas = [
  FieldError, Problem, TagMap,
  eks.Cluster, eks.ListClustersResponse, eks.DescribeClusterResponse,
  eks.OidcIdentityProviderConfigRequest, eks.AssociateIdentityProviderConfigRequest,
  eks.ErrorDetail, eks.UpdateParam, eks.Update, eks.AssociateIdentityProviderConfigResponse,
  eks.IdentityProviderConfig, eks.ListIdentityProviderConfigsResponse,
  eks.OidcIdentityProviderConfig, eks.DescribeIdentityProviderConfigResponse,
  eks.DisassociateIdentityProviderConfigResponse, eks.ListUpdatesResponse, eks.DescribeUpdateResponse,
  iam.Tag, iam.GetOpenIDConnectProviderResponse, iam.OidcProviderStatus, iam.PutOidcProviderRequest,
  iam.PlannedCall, iam.PutOidcProviderResponse,
  fleet.FleetPartError, fleet.ThumbprintDrift, fleet.FleetIrsaStatus, fleet.FleetCluster, fleet.ListClustersFleetResponse
]
