/**
 * Pure convergence planning for an IAM OIDC provider: from the current and the desired state to
 * the fewest IAM calls, in a deterministic order.
 */
import type { PlannedCall, Tag } from '../../schemas/iam.ts'

export interface ProviderState {
  ClientIDList: string[]
  ThumbprintList: string[]
  Tags: Tag[]
}

export interface DesiredProvider {
  ClientIDList: string[]
  /** Undefined: leave thumbprints as they are (or let IAM compute them on create). */
  ThumbprintList?: string[]
  /** Undefined: leave tags as they are. */
  Tags?: Tag[]
}

export function arrayDiff (current: string[], desired: string[]) {
  const have = new Set(current)
  const want = new Set(desired)
  return {
    adds: [...want].filter(v => !have.has(v)).sort(),
    deletes: [...have].filter(v => !want.has(v)).sort()
  }
}

export const normaliseThumbprints = (list: string[]) => [...new Set(list.map(t => t.toLowerCase()))].sort()

const sortTags = (tags: Tag[]) => [...tags].sort((a, b) => a.Key.localeCompare(b.Key))

export function createCall (url: string, desired: DesiredProvider): PlannedCall {
  return {
    operation: 'CreateOpenIDConnectProvider',
    input: {
      Url: url,
      ClientIDList: [...new Set(desired.ClientIDList)].sort(),
      ...(desired.ThumbprintList ? { ThumbprintList: normaliseThumbprints(desired.ThumbprintList) } : {}),
      ...(desired.Tags?.length ? { Tags: sortTags(desired.Tags) } : {})
    }
  }
}

export function convergenceCalls (arn: string, current: ProviderState, desired: DesiredProvider): PlannedCall[] {
  const calls: PlannedCall[] = []
  const clientIds = arrayDiff(current.ClientIDList, desired.ClientIDList)
  // Add before remove: the provider never passes through a state without any audience.
  for (const ClientID of clientIds.adds) {
    calls.push({ operation: 'AddClientIDToOpenIDConnectProvider', input: { OpenIDConnectProviderArn: arn, ClientID } })
  }
  for (const ClientID of clientIds.deletes) {
    calls.push({ operation: 'RemoveClientIDFromOpenIDConnectProvider', input: { OpenIDConnectProviderArn: arn, ClientID } })
  }

  if (desired.ThumbprintList) {
    const wanted = normaliseThumbprints(desired.ThumbprintList)
    if (wanted.join() !== normaliseThumbprints(current.ThumbprintList).join()) {
      calls.push({ operation: 'UpdateOpenIDConnectProviderThumbprint', input: { OpenIDConnectProviderArn: arn, ThumbprintList: wanted } })
    }
  }

  if (desired.Tags) {
    const currentValues = new Map(current.Tags.map(t => [t.Key, t.Value]))
    const wantedKeys = new Set(desired.Tags.map(t => t.Key))
    const changed = sortTags(desired.Tags.filter(t => currentValues.get(t.Key) !== t.Value))
    const removed = current.Tags.map(t => t.Key).filter(k => !wantedKeys.has(k)).sort()
    if (changed.length) calls.push({ operation: 'TagOpenIDConnectProvider', input: { OpenIDConnectProviderArn: arn, Tags: changed } })
    if (removed.length) calls.push({ operation: 'UntagOpenIDConnectProvider', input: { OpenIDConnectProviderArn: arn, TagKeys: removed } })
  }
  return calls
}
