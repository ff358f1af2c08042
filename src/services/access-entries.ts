/**
 * EKS access entries and their access policies: create, list, describe, update, delete (node
 * entries only when asked explicitly), associate, list and disassociate policies, and the
 * AWS-managed policies on offer. Writes EKS deduplicates take the request's clientRequestToken;
 * the others are idempotent by nature (associating again sets the same scope, a missing entry or
 * policy is already deleted).
 */
import type { AccessEntry } from '@aws-sdk/client-eks'
import type { AccessScope, AssociateAccessPolicyRequest, CreateAccessEntryRequest, UpdateAccessEntryRequest } from '../../schemas/access-entries.ts'
import { NODE_ACCESS_ENTRY_TYPES } from '../../schemas/access-entries.ts'
import type { EksPort } from '../aws/ports.ts'
import { callAws, isAwsError, mapAwsError } from '../aws/errors.ts'
import { problem } from '../errors.ts'
import type { PageQuery } from './clusters.ts'
import type { WriteGuard } from './write-guard.ts'

export interface ListAccessEntriesQuery extends PageQuery { associatedPolicyArn?: string }

export type CreateOutcome = { kind: 'created' | 'adopted', accessEntry: AccessEntry }

/** EKS refuses a scope that contradicts its type; say which member before calling it. */
function checkScope (scope: AccessScope): void {
  const namespaces = scope.namespaces ?? []
  if (scope.type === 'namespace' && namespaces.length === 0) {
    throw problem('InvalidParameter', {
      detail: 'An access scope of type namespace needs at least one namespace.',
      errors: [{ pointer: '/body/accessScope/namespaces', detail: 'required (at least one) when accessScope.type is namespace' }]
    })
  }
  if (scope.type === 'cluster' && namespaces.length > 0) {
    throw problem('InvalidParameter', {
      detail: 'An access scope of type cluster applies to every namespace and takes none.',
      errors: [{ pointer: '/body/accessScope/namespaces', detail: 'must be empty when accessScope.type is cluster' }]
    })
  }
}

function checkNodeEntryFields (request: CreateAccessEntryRequest): void {
  const type = request.type ?? 'STANDARD'
  if (!NODE_ACCESS_ENTRY_TYPES.has(type)) return
  const errors = [
    ...(request.kubernetesGroups?.length ? [{ pointer: '/body/kubernetesGroups', detail: `not allowed for an entry of type ${type}: EKS gives node entries system:nodes` }] : []),
    ...(request.username !== undefined ? [{ pointer: '/body/username', detail: `not allowed for an entry of type ${type}: EKS sets the node username` }] : []),
    ...(/:user\//.test(request.principalArn) ? [{ pointer: '/body/principalArn', detail: `must be an IAM role for an entry of type ${type}` }] : [])
  ]
  if (errors.length > 0) throw problem('InvalidParameter', { detail: `An access entry of type ${type} is for a node role.`, errors })
}

/** EKS answers a missing cluster and a missing entry with the same exception; only the message tells them apart. */
export const isEntryGone = (error: unknown) => isAwsError(error, 'ResourceNotFoundException') && !/No cluster found/.test((error as Error).message)

export class AccessEntryService {
  readonly #eks: EksPort

  constructor (deps: { eks: EksPort }) {
    this.#eks = deps.eks
  }

  async list (clusterName: string, query: ListAccessEntriesQuery) {
    const out = await callAws(() => this.#eks.listAccessEntries({ clusterName, ...query }))
    return { accessEntries: out.accessEntries ?? [], nextToken: out.nextToken }
  }

  /** Every entry's principal ARN, following nextToken to the last page. */
  async listAll (clusterName: string): Promise<string[]> {
    const arns: string[] = []
    let nextToken: string | undefined
    do {
      const page = await this.list(clusterName, { maxResults: 100, nextToken })
      arns.push(...page.accessEntries)
      nextToken = page.nextToken
    } while (nextToken)
    return arns
  }

  async describe (clusterName: string, principalArn: string): Promise<AccessEntry> {
    const out = await callAws(() => this.#eks.describeAccessEntry({ clusterName, principalArn }))
    return out.accessEntry ?? {}
  }

  /** Creates the entry; a retry of an attempt that may have created it adopts the entry it finds. */
  async create (clusterName: string, request: CreateAccessEntryRequest, guard: WriteGuard): Promise<CreateOutcome> {
    checkNodeEntryFields(request)
    await guard.beforeWrite()
    try {
      const { clientRequestToken: _sent, ...fields } = request
      const out = await this.#eks.createAccessEntry({ clusterName, ...fields, clientRequestToken: guard.clientRequestToken })
      return { kind: 'created', accessEntry: out.accessEntry ?? {} }
    } catch (error) {
      if (guard.resuming && isAwsError(error, 'ResourceInUseException')) {
        return { kind: 'adopted', accessEntry: await this.describe(clusterName, request.principalArn) }
      }
      throw mapAwsError(error)
    }
  }

  async update (clusterName: string, principalArn: string, request: UpdateAccessEntryRequest, guard: WriteGuard): Promise<AccessEntry> {
    if (request.kubernetesGroups === undefined && request.username === undefined) {
      throw problem('InvalidParameter', {
        detail: 'Nothing to update: give kubernetesGroups, username or both.',
        errors: [{ pointer: '/body', detail: 'needs kubernetesGroups or username' }]
      })
    }
    await guard.beforeWrite()
    const { clientRequestToken: _sent, ...fields } = request
    const out = await callAws(() => this.#eks.updateAccessEntry({ clusterName, principalArn, ...fields, clientRequestToken: guard.clientRequestToken }))
    return out.accessEntry ?? {}
  }

  /**
   * Deletes the entry; answers false when it is already gone. An entry of a node type is deleted
   * only with `confirmNodeEntry`: the nodes using its role lose their identity in the cluster.
   */
  async delete (clusterName: string, principalArn: string, options: { confirmNodeEntry: boolean }, guard: WriteGuard): Promise<boolean> {
    let entry: AccessEntry
    try {
      entry = await this.describe(clusterName, principalArn)
    } catch (error) {
      if (isEntryGone(error)) return false
      throw error
    }
    if (NODE_ACCESS_ENTRY_TYPES.has(entry.type ?? '') && !options.confirmNodeEntry) {
      throw problem('NodeAccessEntryProtected', {
        detail: `The access entry of ${principalArn} is of type ${entry.type}: nodes authenticate with it, and deleting it cuts them off the cluster (they can no longer register or renew). Delete it with ?confirmNodeEntryDeletion=true once no node uses the role.`,
        errors: [{ pointer: '/querystring/confirmNodeEntryDeletion', detail: 'must be true to delete an entry of a node type' }]
      })
    }
    await guard.beforeWrite()
    try {
      await this.#eks.deleteAccessEntry({ clusterName, principalArn })
      return true
    } catch (error) {
      if (isEntryGone(error)) return false
      throw mapAwsError(error)
    }
  }

  async associatePolicy (clusterName: string, principalArn: string, request: AssociateAccessPolicyRequest, guard: WriteGuard) {
    checkScope(request.accessScope)
    await guard.beforeWrite()
    const out = await callAws(() => this.#eks.associateAccessPolicy({ clusterName, principalArn, ...request }))
    return { clusterName: out.clusterName, principalArn: out.principalArn, associatedAccessPolicy: out.associatedAccessPolicy ?? {} }
  }

  async listPolicies (clusterName: string, principalArn: string, query: PageQuery) {
    const out = await callAws(() => this.#eks.listAssociatedAccessPolicies({ clusterName, principalArn, ...query }))
    return { clusterName: out.clusterName, principalArn: out.principalArn, associatedAccessPolicies: out.associatedAccessPolicies ?? [], nextToken: out.nextToken }
  }

  /** Every associated policy of the entry, following nextToken to the last page. */
  async listAllPolicies (clusterName: string, principalArn: string) {
    const policies = []
    let nextToken: string | undefined
    do {
      const page = await this.listPolicies(clusterName, principalArn, { maxResults: 100, nextToken })
      policies.push(...page.associatedAccessPolicies)
      nextToken = page.nextToken
    } while (nextToken)
    return policies
  }

  /** Disassociates the policy; answers false when it was not associated (or the entry is gone). */
  async disassociatePolicy (clusterName: string, principalArn: string, policyArn: string, guard: WriteGuard): Promise<boolean> {
    await guard.beforeWrite()
    try {
      await this.#eks.disassociateAccessPolicy({ clusterName, principalArn, policyArn })
      return true
    } catch (error) {
      if (isEntryGone(error)) return false
      throw mapAwsError(error)
    }
  }

  async listAccessPolicies (query: PageQuery) {
    const out = await callAws(() => this.#eks.listAccessPolicies(query))
    return { accessPolicies: out.accessPolicies ?? [], nextToken: out.nextToken }
  }
}
