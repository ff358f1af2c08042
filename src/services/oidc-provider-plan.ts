/**
 * Pure convergence planning for an IAM OIDC provider: from the current and the desired state to
 * the fewest IAM calls, in a deterministic order.
 */
import { DEFAULT_AUDIENCE, type PlannedCall, type Tag } from '../../schemas/iam.ts'

export interface ProviderState {
  ClientIDList: string[]
  ThumbprintList: string[]
  Tags: Tag[]
}

/** What a PUT asks for. Each member left undefined is left as it is on an existing provider. */
export interface DesiredProvider {
  /** Undefined: leave the audiences as they are (on create: the default audience only). */
  ClientIDList?: string[]
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
      ClientIDList: [...new Set(desired.ClientIDList ?? [DEFAULT_AUDIENCE])].sort(),
      ...(desired.ThumbprintList ? { ThumbprintList: normaliseThumbprints(desired.ThumbprintList) } : {}),
      ...(desired.Tags?.length ? { Tags: sortTags(desired.Tags) } : {})
    }
  }
}

export function convergenceCalls (arn: string, current: ProviderState, desired: DesiredProvider): PlannedCall[] {
  return [
    ...(desired.ClientIDList ? clientIdCalls(arn, current.ClientIDList, desired.ClientIDList) : []),
    ...(desired.ThumbprintList ? thumbprintCalls(arn, current.ThumbprintList, desired.ThumbprintList) : []),
    ...(desired.Tags ? tagCalls(arn, current.Tags, desired.Tags) : [])
  ]
}

function clientIdCalls (arn: string, current: string[], desired: string[]): PlannedCall[] {
  const { adds, deletes } = arrayDiff(current, desired)
  // Add before remove: the provider never passes through a state without any audience.
  return [
    ...adds.map(ClientID => ({ operation: 'AddClientIDToOpenIDConnectProvider', input: { OpenIDConnectProviderArn: arn, ClientID } })),
    ...deletes.map(ClientID => ({ operation: 'RemoveClientIDFromOpenIDConnectProvider', input: { OpenIDConnectProviderArn: arn, ClientID } }))
  ]
}

function thumbprintCalls (arn: string, current: string[], desired: string[]): PlannedCall[] {
  const wanted = normaliseThumbprints(desired)
  if (wanted.join() === normaliseThumbprints(current).join()) return []
  return [{ operation: 'UpdateOpenIDConnectProviderThumbprint', input: { OpenIDConnectProviderArn: arn, ThumbprintList: wanted } }]
}

/**
 * Untag before tag. The provider then never holds more tags than the larger of its current and
 * desired sets, so swapping a key at IAM's 50-tag quota fits. It also makes a case-only rename
 * (`Team` to `team`) end right whichever way keys compare: IAM compares the tag keys of OIDC
 * providers case-sensitively (IAM User Guide, "Tagging IAM resources", case sensitivity: only
 * users and roles compare them case-insensitively), while an implementation that folds case would
 * remove the freshly set `team` if `Team` were untagged after it.
 */
function tagCalls (arn: string, current: Tag[], desired: Tag[]): PlannedCall[] {
  const currentValues = new Map(current.map(t => [t.Key, t.Value]))
  const wantedKeys = new Set(desired.map(t => t.Key))
  const removed = current.map(t => t.Key).filter(k => !wantedKeys.has(k)).sort()
  const changed = sortTags(desired.filter(t => currentValues.get(t.Key) !== t.Value))
  return [
    ...(removed.length ? [{ operation: 'UntagOpenIDConnectProvider', input: { OpenIDConnectProviderArn: arn, TagKeys: removed } }] : []),
    ...(changed.length ? [{ operation: 'TagOpenIDConnectProvider', input: { OpenIDConnectProviderArn: arn, Tags: changed } }] : [])
  ]
}
