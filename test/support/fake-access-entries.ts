/**
 * The access entry part of the fake EKS port (test/support/fake-aws.ts): entries, their access
 * policies and the authentication mode of each cluster, in memory, refusing the way EKS does in
 * the cases the route and service tests need. The wire behaviour is tested against the emulator.
 */
import type { AccessEntry, AssociatedAccessPolicy, AuthenticationMode, Update } from '@aws-sdk/client-eks'
import type { EksPort } from '../../src/aws/ports.ts'

type AccessEntryOperations = Pick<EksPort,
  'createAccessEntry' | 'listAccessEntries' | 'describeAccessEntry' | 'updateAccessEntry' | 'deleteAccessEntry' |
  'associateAccessPolicy' | 'listAssociatedAccessPolicies' | 'disassociateAccessPolicy' | 'listAccessPolicies' | 'updateClusterConfig'>

export interface FakeAccessEntryDeps {
  record (operation: string, input: unknown): void
  /** Throws ResourceNotFoundException for an unknown cluster. */
  cluster (name: string): unknown
  newUpdate (clusterName: string, type: 'AccessConfigUpdate', value: string, paramType: 'AuthenticationMode'): Update
  awsError (name: string, httpStatusCode: number, message: string): Error
  meta: { $metadata: { httpStatusCode: number, requestId: string } }
}

export const FAKE_ACCESS_POLICIES = ['AmazonEKSAdminPolicy', 'AmazonEKSClusterAdminPolicy', 'AmazonEKSEditPolicy', 'AmazonEKSViewPolicy']
  .map(name => ({ name, arn: `arn:aws:eks::aws:cluster-access-policy/${name}` }))

export function createFakeAccessEntries ({ record, cluster, newUpdate, awsError, meta }: FakeAccessEntryDeps) {
  const entries = new Map<string, AccessEntry & { policies: Map<string, AssociatedAccessPolicy> }>()
  /** Clusters not listed here are in API_AND_CONFIG_MAP mode. */
  const modes = new Map<string, AuthenticationMode>()
  const key = (clusterName?: string, principalArn?: string) => `${clusterName}\n${principalArn}`
  const withAccessEntries = (clusterName: string) => {
    cluster(clusterName)
    if (modes.get(clusterName) === 'CONFIG_MAP') {
      throw awsError('InvalidRequestException', 400, 'The cluster\'s authentication mode must be set to one of [API, API_AND_CONFIG_MAP] to perform this operation.')
    }
  }
  const entry = (clusterName?: string, principalArn?: string) => {
    withAccessEntries(clusterName!)
    const found = entries.get(key(clusterName, principalArn))
    if (!found) throw awsError('ResourceNotFoundException', 404, `The specified access entry resource could not be found: principalArn ${principalArn}.`)
    return found
  }
  const view = ({ policies, ...rest }: AccessEntry & { policies: unknown }): AccessEntry => structuredClone(rest)

  const eks: AccessEntryOperations = {
    async createAccessEntry (input) {
      record('CreateAccessEntry', input)
      withAccessEntries(input.clusterName!)
      if (entries.has(key(input.clusterName, input.principalArn))) {
        throw awsError('ResourceInUseException', 409, 'The specified access entry resource is already in use on this cluster.')
      }
      const type = input.type ?? 'STANDARD'
      const created = {
        clusterName: input.clusterName,
        principalArn: input.principalArn,
        type,
        username: input.username ?? (type === 'STANDARD' ? input.principalArn : 'system:node:{{EC2PrivateDNSName}}'),
        kubernetesGroups: type === 'STANDARD' ? input.kubernetesGroups ?? [] : ['system:nodes'],
        tags: input.tags,
        accessEntryArn: `arn:aws:eks:us-east-1:111122223333:access-entry/${input.clusterName}/fake`,
        createdAt: new Date('2025-01-02T03:04:05Z'),
        modifiedAt: new Date('2025-01-02T03:04:05Z'),
        policies: new Map()
      }
      entries.set(key(input.clusterName, input.principalArn), created)
      return { accessEntry: view(created), ...meta }
    },
    async listAccessEntries (input) {
      record('ListAccessEntries', input)
      withAccessEntries(input.clusterName!)
      const accessEntries = [...entries.values()]
        .filter(e => e.clusterName === input.clusterName && (!input.associatedPolicyArn || e.policies.has(input.associatedPolicyArn)))
        .map(e => e.principalArn!)
      return { accessEntries, ...meta }
    },
    async describeAccessEntry (input) {
      record('DescribeAccessEntry', input)
      return { accessEntry: view(entry(input.clusterName, input.principalArn)), ...meta }
    },
    async updateAccessEntry (input) {
      record('UpdateAccessEntry', input)
      const found = entry(input.clusterName, input.principalArn)
      if (input.kubernetesGroups !== undefined) found.kubernetesGroups = input.kubernetesGroups
      if (input.username !== undefined) found.username = input.username
      return { accessEntry: view(found), ...meta }
    },
    async deleteAccessEntry (input) {
      record('DeleteAccessEntry', input)
      entry(input.clusterName, input.principalArn)
      entries.delete(key(input.clusterName, input.principalArn))
      return meta
    },
    async associateAccessPolicy (input) {
      record('AssociateAccessPolicy', input)
      const found = entry(input.clusterName, input.principalArn)
      if (found.type !== 'STANDARD') throw awsError('InvalidRequestException', 400, 'Access policies can only be associated with access entries of type STANDARD.')
      const association = {
        policyArn: input.policyArn,
        accessScope: { type: input.accessScope?.type, namespaces: input.accessScope?.namespaces ?? [] },
        associatedAt: new Date('2025-01-02T03:04:05Z'),
        modifiedAt: new Date('2025-01-02T03:04:05Z')
      }
      found.policies.set(input.policyArn!, association)
      return { clusterName: input.clusterName, principalArn: input.principalArn, associatedAccessPolicy: structuredClone(association), ...meta }
    },
    async listAssociatedAccessPolicies (input) {
      record('ListAssociatedAccessPolicies', input)
      const found = entry(input.clusterName, input.principalArn)
      return { clusterName: input.clusterName, principalArn: input.principalArn, associatedAccessPolicies: structuredClone([...found.policies.values()]), ...meta }
    },
    async disassociateAccessPolicy (input) {
      record('DisassociateAccessPolicy', input)
      const found = entry(input.clusterName, input.principalArn)
      if (!found.policies.delete(input.policyArn!)) throw awsError('ResourceNotFoundException', 404, `The access policy ${input.policyArn} is not associated.`)
      return meta
    },
    async listAccessPolicies (input) {
      record('ListAccessPolicies', input)
      return { accessPolicies: structuredClone(FAKE_ACCESS_POLICIES), ...meta }
    },
    async updateClusterConfig (input) {
      record('UpdateClusterConfig', input)
      cluster(input.name!)
      const mode = input.accessConfig?.authenticationMode
      if (!mode) throw awsError('InvalidParameterException', 400, 'At least one configuration to update must be given')
      return { update: newUpdate(input.name!, 'AccessConfigUpdate', mode, 'AuthenticationMode'), ...meta }
    }
  }
  return { eks, entries, modes }
}
