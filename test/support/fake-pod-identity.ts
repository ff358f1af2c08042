/**
 * The Pod Identity part of the fake EKS port (test/support/fake-aws.ts): associations and add-ons
 * in memory, one association per service account, errors shaped like the SDK's.
 */
import type { Addon, AddonStatus, PodIdentityAssociation } from '@aws-sdk/client-eks'
import type { EksPort } from '../../src/aws/ports.ts'

type PodIdentityPort = Pick<EksPort,
  'createPodIdentityAssociation' | 'listPodIdentityAssociations' | 'describePodIdentityAssociation' |
  'updatePodIdentityAssociation' | 'deletePodIdentityAssociation' | 'describeAddon'>

interface Deps {
  record: (operation: string, input: unknown) => void
  /** Throws ResourceNotFoundException for an unknown cluster. */
  cluster: (name: string) => unknown
  awsError: (name: string, httpStatusCode: number, message: string) => Error
  account: string
}

export function createFakePodIdentity ({ record, cluster, awsError, account }: Deps) {
  const meta = { $metadata: { httpStatusCode: 200, requestId: 'req' } }
  const associations = new Map<string, PodIdentityAssociation>()
  const addons = new Map<string, Addon>()
  const tokens = new Map<string, string>()
  let next = 1

  const find = (clusterName: string, id: string) => {
    const found = associations.get(id)
    if (!found || found.clusterName !== clusterName) throw awsError('ResourceNotFoundException', 404, `Association ${id} not found in cluster ${clusterName}.`)
    return found
  }

  const port: PodIdentityPort = {
    async createPodIdentityAssociation (input) {
      record('CreatePodIdentityAssociation', input)
      cluster(input.clusterName!)
      const replayed = input.clientRequestToken === undefined ? undefined : tokens.get(input.clientRequestToken)
      if (replayed && associations.has(replayed)) return { association: structuredClone(associations.get(replayed)), ...meta }
      for (const existing of associations.values()) {
        if (existing.clusterName === input.clusterName && existing.namespace === input.namespace && existing.serviceAccount === input.serviceAccount) {
          throw awsError('ResourceInUseException', 409, `Association already exists: ${existing.associationId}`)
        }
      }
      const associationId = `a-fake${String(next++).padStart(13, '0')}`
      const now = new Date('2026-01-02T03:04:05Z')
      const association: PodIdentityAssociation = {
        clusterName: input.clusterName,
        namespace: input.namespace,
        serviceAccount: input.serviceAccount,
        roleArn: input.roleArn,
        associationId,
        associationArn: `arn:aws:eks:us-east-1:${account}:podidentityassociation/${input.clusterName}/${associationId}`,
        tags: input.tags ?? {},
        createdAt: now,
        modifiedAt: now,
        disableSessionTags: input.disableSessionTags ?? false,
        ...(input.targetRoleArn ? { targetRoleArn: input.targetRoleArn, externalId: `us-east-1/${account}/${input.clusterName}/${input.namespace}/${input.serviceAccount}` } : {}),
        ...(input.policy ? { policy: input.policy } : {})
      }
      associations.set(associationId, association)
      if (input.clientRequestToken !== undefined) tokens.set(input.clientRequestToken, associationId)
      return { association: structuredClone(association), ...meta }
    },
    async listPodIdentityAssociations (input) {
      record('ListPodIdentityAssociations', input)
      cluster(input.clusterName!)
      const matching = [...associations.values()].filter(a => a.clusterName === input.clusterName &&
        (input.namespace === undefined || a.namespace === input.namespace) &&
        (input.serviceAccount === undefined || a.serviceAccount === input.serviceAccount))
      return {
        associations: matching.map(({ clusterName, namespace, serviceAccount, associationArn, associationId }) => ({ clusterName, namespace, serviceAccount, associationArn, associationId })),
        ...meta
      }
    },
    async describePodIdentityAssociation (input) {
      record('DescribePodIdentityAssociation', input)
      cluster(input.clusterName!)
      return { association: structuredClone(find(input.clusterName!, input.associationId!)), ...meta }
    },
    async updatePodIdentityAssociation (input) {
      record('UpdatePodIdentityAssociation', input)
      cluster(input.clusterName!)
      const association = find(input.clusterName!, input.associationId!)
      if (input.roleArn !== undefined) association.roleArn = input.roleArn
      if (input.targetRoleArn !== undefined) {
        association.targetRoleArn = input.targetRoleArn || undefined
        association.externalId = input.targetRoleArn ? `us-east-1/${account}/${association.clusterName}/${association.namespace}/${association.serviceAccount}` : undefined
      }
      if (input.disableSessionTags !== undefined) association.disableSessionTags = input.disableSessionTags
      if (input.policy !== undefined) association.policy = input.policy || undefined
      association.modifiedAt = new Date('2026-01-02T04:05:06Z')
      return { association: structuredClone(association), ...meta }
    },
    async deletePodIdentityAssociation (input) {
      record('DeletePodIdentityAssociation', input)
      cluster(input.clusterName!)
      const association = find(input.clusterName!, input.associationId!)
      associations.delete(input.associationId!)
      return { association, ...meta }
    },
    async describeAddon (input) {
      record('DescribeAddon', input)
      cluster(input.clusterName!)
      const addon = addons.get(`${input.clusterName}/${input.addonName}`)
      if (!addon) throw awsError('ResourceNotFoundException', 404, `No addon: ${input.addonName} found in cluster: ${input.clusterName}`)
      return { addon: structuredClone(addon), ...meta }
    }
  }

  return {
    port,
    associations,
    /** Installs an add-on on a cluster of the fake, in the given status. */
    setAddon (clusterName: string, addonName: string, status: AddonStatus = 'ACTIVE') {
      addons.set(`${clusterName}/${addonName}`, { clusterName, addonName, status, addonVersion: 'v1.3.4-eksbuild.1', health: { issues: [] } })
    }
  }
}
