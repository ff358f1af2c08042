/**
 * Narrow ports onto EKS, IAM and STS: only the operations the service calls, typed with the SDK's own
 * command shapes. The real adapter wraps the SDK clients; tests may pass plain fakes.
 */
import type {
  AssociateIdentityProviderConfigCommandInput, AssociateIdentityProviderConfigCommandOutput,
  DescribeClusterCommandInput, DescribeClusterCommandOutput,
  DescribeIdentityProviderConfigCommandInput, DescribeIdentityProviderConfigCommandOutput,
  DescribeUpdateCommandInput, DescribeUpdateCommandOutput,
  DisassociateIdentityProviderConfigCommandInput, DisassociateIdentityProviderConfigCommandOutput,
  ListClustersCommandInput, ListClustersCommandOutput,
  ListIdentityProviderConfigsCommandInput, ListIdentityProviderConfigsCommandOutput,
  ListUpdatesCommandInput, ListUpdatesCommandOutput
} from '@aws-sdk/client-eks'
import type {
  CreatePodIdentityAssociationCommandInput, CreatePodIdentityAssociationCommandOutput,
  DeletePodIdentityAssociationCommandInput, DeletePodIdentityAssociationCommandOutput,
  DescribeAddonCommandInput, DescribeAddonCommandOutput,
  DescribePodIdentityAssociationCommandInput, DescribePodIdentityAssociationCommandOutput,
  ListPodIdentityAssociationsCommandInput, ListPodIdentityAssociationsCommandOutput,
  UpdatePodIdentityAssociationCommandInput, UpdatePodIdentityAssociationCommandOutput,
  AssociateAccessPolicyCommandInput, AssociateAccessPolicyCommandOutput,
  CreateAccessEntryCommandInput, CreateAccessEntryCommandOutput,
  DeleteAccessEntryCommandInput, DeleteAccessEntryCommandOutput,
  DescribeAccessEntryCommandInput, DescribeAccessEntryCommandOutput,
  DisassociateAccessPolicyCommandInput, DisassociateAccessPolicyCommandOutput,
  ListAccessEntriesCommandInput, ListAccessEntriesCommandOutput,
  ListAccessPoliciesCommandInput, ListAccessPoliciesCommandOutput,
  ListAssociatedAccessPoliciesCommandInput, ListAssociatedAccessPoliciesCommandOutput,
  UpdateAccessEntryCommandInput, UpdateAccessEntryCommandOutput,
  UpdateClusterConfigCommandInput, UpdateClusterConfigCommandOutput
} from '@aws-sdk/client-eks'
import type {
  AddClientIDToOpenIDConnectProviderCommandInput,
  CreateOpenIDConnectProviderCommandInput, CreateOpenIDConnectProviderCommandOutput,
  DeleteOpenIDConnectProviderCommandInput,
  GetOpenIDConnectProviderCommandInput, GetOpenIDConnectProviderCommandOutput,
  ListOpenIDConnectProvidersCommandInput, ListOpenIDConnectProvidersCommandOutput,
  GetRoleCommandInput, GetRoleCommandOutput,
  ListRolesCommandInput, ListRolesCommandOutput,
  RemoveClientIDFromOpenIDConnectProviderCommandInput,
  TagOpenIDConnectProviderCommandInput,
  UntagOpenIDConnectProviderCommandInput,
  UpdateAssumeRolePolicyCommandInput,
  UpdateOpenIDConnectProviderThumbprintCommandInput
} from '@aws-sdk/client-iam'
import type {
  AssumeRoleCommandInput, AssumeRoleCommandOutput,
  GetCallerIdentityCommandInput, GetCallerIdentityCommandOutput
} from '@aws-sdk/client-sts'

export interface EksPort {
  listClusters (input: ListClustersCommandInput): Promise<ListClustersCommandOutput>
  describeCluster (input: DescribeClusterCommandInput): Promise<DescribeClusterCommandOutput>
  associateIdentityProviderConfig (input: AssociateIdentityProviderConfigCommandInput): Promise<AssociateIdentityProviderConfigCommandOutput>
  describeIdentityProviderConfig (input: DescribeIdentityProviderConfigCommandInput): Promise<DescribeIdentityProviderConfigCommandOutput>
  listIdentityProviderConfigs (input: ListIdentityProviderConfigsCommandInput): Promise<ListIdentityProviderConfigsCommandOutput>
  disassociateIdentityProviderConfig (input: DisassociateIdentityProviderConfigCommandInput): Promise<DisassociateIdentityProviderConfigCommandOutput>
  describeUpdate (input: DescribeUpdateCommandInput): Promise<DescribeUpdateCommandOutput>
  listUpdates (input: ListUpdatesCommandInput): Promise<ListUpdatesCommandOutput>
  // Pod Identity associations and the add-on their agent is
  createPodIdentityAssociation (input: CreatePodIdentityAssociationCommandInput): Promise<CreatePodIdentityAssociationCommandOutput>
  listPodIdentityAssociations (input: ListPodIdentityAssociationsCommandInput): Promise<ListPodIdentityAssociationsCommandOutput>
  describePodIdentityAssociation (input: DescribePodIdentityAssociationCommandInput): Promise<DescribePodIdentityAssociationCommandOutput>
  updatePodIdentityAssociation (input: UpdatePodIdentityAssociationCommandInput): Promise<UpdatePodIdentityAssociationCommandOutput>
  deletePodIdentityAssociation (input: DeletePodIdentityAssociationCommandInput): Promise<DeletePodIdentityAssociationCommandOutput>
  describeAddon (input: DescribeAddonCommandInput): Promise<DescribeAddonCommandOutput>
  // Access entries, access policies and the authentication mode
  createAccessEntry (input: CreateAccessEntryCommandInput): Promise<CreateAccessEntryCommandOutput>
  listAccessEntries (input: ListAccessEntriesCommandInput): Promise<ListAccessEntriesCommandOutput>
  describeAccessEntry (input: DescribeAccessEntryCommandInput): Promise<DescribeAccessEntryCommandOutput>
  updateAccessEntry (input: UpdateAccessEntryCommandInput): Promise<UpdateAccessEntryCommandOutput>
  deleteAccessEntry (input: DeleteAccessEntryCommandInput): Promise<DeleteAccessEntryCommandOutput>
  associateAccessPolicy (input: AssociateAccessPolicyCommandInput): Promise<AssociateAccessPolicyCommandOutput>
  listAssociatedAccessPolicies (input: ListAssociatedAccessPoliciesCommandInput): Promise<ListAssociatedAccessPoliciesCommandOutput>
  disassociateAccessPolicy (input: DisassociateAccessPolicyCommandInput): Promise<DisassociateAccessPolicyCommandOutput>
  listAccessPolicies (input: ListAccessPoliciesCommandInput): Promise<ListAccessPoliciesCommandOutput>
  updateClusterConfig (input: UpdateClusterConfigCommandInput): Promise<UpdateClusterConfigCommandOutput>
}

/** Write calls of IAM answer only response metadata. */
export interface Acknowledged { $metadata: { requestId?: string } }

export interface IamPort {
  getOpenIDConnectProvider (input: GetOpenIDConnectProviderCommandInput): Promise<GetOpenIDConnectProviderCommandOutput>
  listOpenIDConnectProviders (input: ListOpenIDConnectProvidersCommandInput): Promise<ListOpenIDConnectProvidersCommandOutput>
  createOpenIDConnectProvider (input: CreateOpenIDConnectProviderCommandInput): Promise<CreateOpenIDConnectProviderCommandOutput>
  deleteOpenIDConnectProvider (input: DeleteOpenIDConnectProviderCommandInput): Promise<Acknowledged>
  updateOpenIDConnectProviderThumbprint (input: UpdateOpenIDConnectProviderThumbprintCommandInput): Promise<Acknowledged>
  addClientIDToOpenIDConnectProvider (input: AddClientIDToOpenIDConnectProviderCommandInput): Promise<Acknowledged>
  removeClientIDFromOpenIDConnectProvider (input: RemoveClientIDFromOpenIDConnectProviderCommandInput): Promise<Acknowledged>
  tagOpenIDConnectProvider (input: TagOpenIDConnectProviderCommandInput): Promise<Acknowledged>
  untagOpenIDConnectProvider (input: UntagOpenIDConnectProviderCommandInput): Promise<Acknowledged>
  /** The role's AssumeRolePolicyDocument comes URL-encoded (RFC 3986), as IAM sends it. */
  getRole (input: GetRoleCommandInput): Promise<GetRoleCommandOutput>
  updateAssumeRolePolicy (input: UpdateAssumeRolePolicyCommandInput): Promise<Acknowledged>
  listRoles (input: ListRolesCommandInput): Promise<ListRolesCommandOutput>
}

/** STS: the service assumes the registry's roles (src/accounts/credentials.ts) and checks whose credentials it holds. */
export interface StsPort {
  assumeRole (input: AssumeRoleCommandInput): Promise<AssumeRoleCommandOutput>
  getCallerIdentity (input: GetCallerIdentityCommandInput): Promise<GetCallerIdentityCommandOutput>
}
