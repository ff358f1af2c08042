/** Every schema with an `$id`, registered once with `addSchema` so routes can `$ref` them and the
 * OpenAPI document lists them as components. Order matters: referenced schemas come first. */
import { FieldError, Problem, TagMap } from './common.ts'
import * as accessEntries from './access-entries.ts'
import * as accounts from './accounts.ts'
import * as audit from './audit.ts'
import * as eks from './eks.ts'
import * as fleet from './fleet.ts'
import * as iam from './iam.ts'
import * as issuers from './issuers.ts'
import * as operations from './operations.ts'
import * as podIdentity from './pod-identity.ts'
import * as podIdentityMigration from './pod-identity-migration.ts'
import * as replace from './replace.ts'
import * as tokenReview from './token-review.ts'

export const sharedSchemas = [
  FieldError, Problem, TagMap,
  eks.Cluster, eks.ListClustersResponse, eks.DescribeClusterResponse,
  eks.OidcIdentityProviderConfigRequest, eks.AssociateIdentityProviderConfigRequest,
  eks.ErrorDetail, eks.UpdateParam, eks.Update, eks.AssociateIdentityProviderConfigResponse,
  eks.IdentityProviderConfig, eks.ListIdentityProviderConfigsResponse,
  eks.OidcIdentityProviderConfig, eks.DescribeIdentityProviderConfigResponse,
  eks.DisassociateIdentityProviderConfigResponse, eks.ListUpdatesResponse, eks.DescribeUpdateResponse,
  issuers.CertificateSummary, issuers.IssuerCheck, issuers.InspectIssuerRequest, issuers.IssuerInspection, issuers.ThumbprintDrift,
  iam.Tag, iam.GetOpenIDConnectProviderResponse, iam.OidcProviderStatus, iam.PutOidcProviderRequest,
  iam.PlannedCall, iam.PutOidcProviderResponse, iam.OidcProviderCount, iam.CrossAccountOidcProviderStatus,
  iam.PolicyDocument, iam.TrustPolicyRendering, iam.TrustPolicyCheck, iam.TrustPolicyFix, iam.TrustPolicyRepairRequest,
  iam.TrustPolicyDiagnosis, iam.TrustPolicyRepairResponse,
  replace.ReplaceIdentityProviderConfigRequest, replace.ReplaceStep, replace.MinutesRange, replace.ReplaceIdentityProviderConfigResponse,
  podIdentityMigration.MigrationRunStep, audit.AwsCall, operations.Operation, operations.OperationPage,
  tokenReview.TokenReviewRequest, tokenReview.PreviewRequest, tokenReview.TokenReviewStatus, tokenReview.RbacQuery, tokenReview.RbacBindingResponse,
  accounts.AccountReachability, accounts.RegisteredAccount, accounts.ListAccountsResponse,
  fleet.FleetPartError, fleet.FleetIrsaStatus, fleet.FleetCluster, fleet.ListClustersFleetResponse,
  fleet.FleetScope, fleet.FleetAccountsCluster, fleet.FleetTrustError, fleet.FleetResponse,
  podIdentity.PodIdentityAssociation, podIdentity.PodIdentityAssociationSummary, podIdentity.PreflightCheck, podIdentity.PodIdentityPreflight,
  podIdentity.CreatePodIdentityAssociationRequest, podIdentity.CreatePodIdentityAssociationResponse, podIdentity.ListPodIdentityAssociationsResponse,
  podIdentity.DescribePodIdentityAssociationResponse, podIdentity.UpdatePodIdentityAssociationRequest, podIdentity.UpdatePodIdentityAssociationResponse,
  podIdentity.DeletePodIdentityAssociationResponse, podIdentity.PutServiceAccountPodIdentityRequest, podIdentity.PutServiceAccountPodIdentityResponse,
  podIdentityMigration.MigrationServiceAccount, podIdentityMigration.PodIdentityMigrationPlan, podIdentityMigration.PodIdentityMigrationRun,
  accessEntries.AccessEntry, accessEntries.CreateAccessEntryRequest, accessEntries.UpdateAccessEntryRequest, accessEntries.AccessEntryResponse,
  accessEntries.ListAccessEntriesResponse, accessEntries.AccessScope, accessEntries.AssociateAccessPolicyRequest,
  accessEntries.AssociatedAccessPolicy, accessEntries.AssociateAccessPolicyResponse, accessEntries.ListAssociatedAccessPoliciesResponse,
  accessEntries.AccessPolicy, accessEntries.ListAccessPoliciesResponse,
  accessEntries.AuthenticationModeResponse, accessEntries.PutAuthenticationModeRequest, accessEntries.PutAuthenticationModeResponse,
  accessEntries.PrincipalReview
]
