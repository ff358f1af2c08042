/**
 * Who an IAM principal is in a cluster, as its access entry makes it: the Kubernetes username and
 * groups, and the access policies with their scopes, or why it has none. The IAM counterpart of the
 * token review. A role session ARN (`arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`) does not show
 * the role's path, so its entry is found by the role's name in the cluster's entries (as for a role
 * ARN written without its path): IAM role names are unique in an account whatever their path, so at
 * most one entry can match.
 */
import type { AccessEntry } from '@aws-sdk/client-eks'
import { NODE_ACCESS_ENTRY_TYPES, type PrincipalReview } from '../../schemas/access-entries.ts'
import { isEntryGone, type AccessEntryService } from './access-entries.ts'
import type { AuthenticationModeService } from './authentication-mode.ts'

interface RoleSession { partition: string, accountId: string, roleName: string, sessionName: string }

const ROLE_SESSION = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/

export function parseRoleSession (arn: string): RoleSession | undefined {
  const match = ROLE_SESSION.exec(arn)
  return match ? { partition: match[1], accountId: match[2], roleName: match[3], sessionName: match[4] } : undefined
}

type RoleRef = Pick<RoleSession, 'partition' | 'accountId' | 'roleName'>

const IAM_ROLE = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/

function roleOf (arn: string): RoleRef | undefined {
  const match = IAM_ROLE.exec(arn)
  return match ? { partition: match[1], accountId: match[2], roleName: match[3] } : undefined
}

/** Whether `entryArn` is this IAM role, with any path. */
const isRoleOf = (role: RoleRef, entryArn: string) =>
  entryArn.startsWith(`arn:${role.partition}:iam::${role.accountId}:role/`) && entryArn.endsWith(`/${role.roleName}`)

/**
 * The username EKS passes to Kubernetes for this session: `{{SessionName}}` with `@` replaced by
 * `-`, `{{SessionNameRaw}}` as is, `{{AccountID}}` (EKS User Guide, Create access entries). Node
 * templates such as `{{EC2PrivateDNSName}}` depend on the instance and stay.
 */
export function renderUsername (template: string, session: RoleSession | undefined): string {
  if (!session) return template
  return template
    .replaceAll('{{SessionNameRaw}}', session.sessionName)
    .replaceAll('{{SessionName}}', session.sessionName.replaceAll('@', '-'))
    .replaceAll('{{AccountID}}', session.accountId)
}

export class PrincipalReviewService {
  readonly #entries: AccessEntryService
  readonly #modes: AuthenticationModeService

  constructor (deps: { entries: AccessEntryService, modes: AuthenticationModeService }) {
    this.#entries = deps.entries
    this.#modes = deps.modes
  }

  async review (clusterName: string, principalArn: string): Promise<PrincipalReview> {
    const { authenticationMode } = await this.#modes.read(clusterName)
    const session = parseRoleSession(principalArn)
    const base = { principalArn, ...(session ? { sessionName: session.sessionName } : {}), authenticationMode, kubernetesGroups: [], accessPolicies: [] }
    if (authenticationMode === 'CONFIG_MAP') {
      return {
        ...base,
        mapped: false,
        reason: 'ConfigMapMode',
        detail: `Cluster "${clusterName}" is in CONFIG_MAP mode: only the aws-auth ConfigMap maps IAM principals, and this service does not read it. Move the cluster to API_AND_CONFIG_MAP (PUT /clusters/${clusterName}/authentication-mode) to use access entries.`
      }
    }
    const entry = await this.#entryFor(clusterName, principalArn, session)
    if (!entry?.principalArn) {
      const fallback = authenticationMode === 'API_AND_CONFIG_MAP'
        ? ' The cluster is in API_AND_CONFIG_MAP mode, so the aws-auth ConfigMap may still map it; this service does not read the ConfigMap.'
        : ' The cluster is in API mode: without an entry the principal cannot authenticate.'
      return { ...base, mapped: false, reason: 'NoAccessEntry', detail: `No access entry of cluster "${clusterName}" names ${session ? `the role ${session.roleName} of this session` : principalArn}.${fallback}` }
    }
    const template = entry.username ?? ''
    const isNode = NODE_ACCESS_ENTRY_TYPES.has(entry.type ?? '')
    const accessPolicies = isNode ? [] : await this.#entries.listAllPolicies(clusterName, entry.principalArn)
    return {
      ...base,
      entryPrincipalArn: entry.principalArn,
      mapped: true,
      reason: isNode ? 'NodeAccessEntry' : 'AccessEntry',
      detail: isNode
        ? `The access entry of ${entry.principalArn} is of type ${entry.type}: EKS maps the principal as a node (group system:nodes) and grants it what nodes need; it takes no access policies.`
        : `The access entry of ${entry.principalArn} maps the principal to username ${renderUsername(template, session)} with ${entry.kubernetesGroups?.length ? `groups ${entry.kubernetesGroups.join(', ')}` : 'no groups'} and ${accessPolicies.length} access ${accessPolicies.length === 1 ? 'policy' : 'policies'}.`,
      username: renderUsername(template, session),
      usernameTemplate: template,
      kubernetesGroups: entry.kubernetesGroups ?? [],
      accessEntryType: entry.type,
      accessPolicies
    }
  }

  /**
   * The entry for the principal: by its own ARN, else, for a role or a role session, by the role's
   * name among all entries (the ARN asked about may lack the role's path; the role is the same).
   */
  async #entryFor (clusterName: string, principalArn: string, session: RoleSession | undefined): Promise<AccessEntry | undefined> {
    const direct = session ? undefined : await this.#describeIfAny(clusterName, principalArn)
    if (direct?.principalArn) return direct
    const role = session ?? roleOf(principalArn)
    if (!role) return undefined
    const match = (await this.#entries.listAll(clusterName)).find(arn => isRoleOf(role, arn))
    return match ? this.#describeIfAny(clusterName, match) : undefined
  }

  async #describeIfAny (clusterName: string, principalArn: string): Promise<AccessEntry | undefined> {
    try {
      return await this.#entries.describe(clusterName, principalArn)
    } catch (error) {
      if (isEntryGone(error)) return undefined
      throw error
    }
  }
}
