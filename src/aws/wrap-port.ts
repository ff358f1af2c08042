/**
 * Decorates every operation of an AWS port (metrics, logging, rate limiting) without touching the
 * services. The operation lists are complete by construction: the compiler rejects a missing one.
 */
import type { EksPort, IamPort, StsPort } from './ports.ts'

type OperationList<P> = Record<keyof P, true>

export const EKS_OPERATIONS: OperationList<EksPort> = {
  listClusters: true,
  describeCluster: true,
  associateIdentityProviderConfig: true,
  describeIdentityProviderConfig: true,
  listIdentityProviderConfigs: true,
  disassociateIdentityProviderConfig: true,
  describeUpdate: true,
  listUpdates: true,
  createPodIdentityAssociation: true,
  listPodIdentityAssociations: true,
  describePodIdentityAssociation: true,
  updatePodIdentityAssociation: true,
  deletePodIdentityAssociation: true,
  describeAddon: true,
  // Access entries, access policies and the authentication mode
  createAccessEntry: true,
  listAccessEntries: true,
  describeAccessEntry: true,
  updateAccessEntry: true,
  deleteAccessEntry: true,
  associateAccessPolicy: true,
  listAssociatedAccessPolicies: true,
  disassociateAccessPolicy: true,
  listAccessPolicies: true,
  updateClusterConfig: true
}

export const IAM_OPERATIONS: OperationList<IamPort> = {
  getOpenIDConnectProvider: true,
  listOpenIDConnectProviders: true,
  createOpenIDConnectProvider: true,
  deleteOpenIDConnectProvider: true,
  updateOpenIDConnectProviderThumbprint: true,
  addClientIDToOpenIDConnectProvider: true,
  removeClientIDFromOpenIDConnectProvider: true,
  tagOpenIDConnectProvider: true,
  untagOpenIDConnectProvider: true,
  getRole: true,
  updateAssumeRolePolicy: true,
  listRoles: true
}

export const STS_OPERATIONS: OperationList<StsPort> = {
  assumeRole: true,
  getCallerIdentity: true
}

/** `describeCluster` → `DescribeCluster`, the name AWS and its docs use. */
export const awsOperationName = (method: string) => method[0].toUpperCase() + method.slice(1)

export type CallDecorator = (operation: string, call: () => Promise<unknown>) => Promise<unknown>

/**
 * A port whose every operation runs through `decorate`. The wrapped port's method is looked up at
 * call time, so a test replacing a fake's method after wrapping is still honoured.
 */
export function wrapPort<P extends object> (port: P, operations: OperationList<P>, decorate: CallDecorator): P {
  const target = port as Record<string, (input: unknown) => Promise<unknown>>
  const wrapped: Record<string, (input: unknown) => Promise<unknown>> = {}
  for (const method of Object.keys(operations)) {
    const operation = awsOperationName(method)
    wrapped[method] = (input) => decorate(operation, () => target[method](input))
  }
  return wrapped as P
}
