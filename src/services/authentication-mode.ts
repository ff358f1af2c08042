/**
 * The cluster's authentication mode (`accessConfig.authenticationMode`): read it, and move it one
 * step forward through UpdateClusterConfig, an asynchronous AccessConfigUpdate that the updates
 * routes follow. EKS allows CONFIG_MAP → API_AND_CONFIG_MAP → API only, one step at a time, and
 * answers anything else with a bare InvalidParameterException; this service refuses it first, with
 * the way forward, and asks for a confirmation before `API`, which stops reading `aws-auth`.
 */
import type { Update } from '@aws-sdk/client-eks'
import { AUTHENTICATION_MODES, type AuthenticationMode, type PutAuthenticationModeRequest } from '../../schemas/access-entries.ts'
import type { EksPort } from '../aws/ports.ts'
import { callAws } from '../aws/errors.ts'
import { problem } from '../errors.ts'
import type { ClusterService } from './clusters.ts'
import type { WriteGuard } from './write-guard.ts'

export type ModeChangeOutcome =
  | { kind: 'started', authenticationMode: AuthenticationMode, update: Update }
  | { kind: 'unchanged', authenticationMode: AuthenticationMode }

/** The mode a cluster may move to next, if any. */
export function nextAuthenticationMode (mode: AuthenticationMode): AuthenticationMode | undefined {
  return AUTHENTICATION_MODES[AUTHENTICATION_MODES.indexOf(mode) + 1]
}

/** EKS leaves accessConfig out for clusters created before access entries existed: those read only aws-auth. */
function modeOf (cluster: { accessConfig?: { authenticationMode?: string } }): AuthenticationMode {
  const mode = cluster.accessConfig?.authenticationMode
  return (AUTHENTICATION_MODES as readonly string[]).includes(mode ?? '') ? mode as AuthenticationMode : 'CONFIG_MAP'
}

export class AuthenticationModeService {
  readonly #eks: EksPort
  readonly #clusters: ClusterService

  constructor (deps: { eks: EksPort, clusters: ClusterService }) {
    this.#eks = deps.eks
    this.#clusters = deps.clusters
  }

  async read (clusterName: string) {
    const authenticationMode = modeOf(await this.#clusters.describe(clusterName))
    const next = nextAuthenticationMode(authenticationMode)
    return { clusterName, authenticationMode, allowedNext: next ? [next] : [] }
  }

  async change (clusterName: string, request: PutAuthenticationModeRequest, guard: WriteGuard): Promise<ModeChangeOutcome> {
    const wanted = request.authenticationMode
    if (wanted === 'API' && request.confirm !== 'API') {
      throw problem('ConfirmationRequired', {
        detail: 'Moving to API stops the cluster reading the aws-auth ConfigMap: every principal mapped only there loses access, and EKS offers no way back. Send "confirm": "API" to go ahead.',
        errors: [{ pointer: '/body/confirm', detail: 'must be "API" to change the authentication mode to API' }]
      })
    }
    const current = (await this.read(clusterName)).authenticationMode
    if (current === wanted) return { kind: 'unchanged', authenticationMode: current }
    const next = nextAuthenticationMode(current)
    if (next !== wanted) {
      const forward = AUTHENTICATION_MODES.indexOf(wanted) > AUTHENTICATION_MODES.indexOf(current)
      throw problem('AuthenticationModeTransition', {
        detail: forward
          ? `Cluster "${clusterName}" is in ${current}: EKS moves one step at a time, so change it to ${next} first, wait for that update to end, then to ${wanted}.`
          : `Cluster "${clusterName}" is in ${current} and EKS never moves an authentication mode back (CONFIG_MAP → API_AND_CONFIG_MAP → API only); ${wanted} would need a new cluster.`,
        errors: [{ pointer: '/body/authenticationMode', detail: next ? `can only be ${next} from ${current}` : `${current} is the last mode; it cannot change` }]
      })
    }
    await guard.beforeWrite()
    const out = await callAws(() => this.#eks.updateClusterConfig({
      name: clusterName,
      accessConfig: { authenticationMode: wanted },
      clientRequestToken: guard.clientRequestToken
    }))
    return { kind: 'started', authenticationMode: current, update: out.update ?? {} }
  }
}
