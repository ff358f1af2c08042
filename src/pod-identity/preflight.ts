/**
 * The pre-flight checks of a Pod Identity association: will the pods of the service account
 * actually get the role? Three checks, each with its reason: the role's trust policy, the
 * `eks-pod-identity-agent` add-on, the cluster's platform. Read-only; the caller decides whether
 * a failure refuses the write.
 */
import type { EksPort } from '../aws/ports.ts'
import { callAws, isAwsError } from '../aws/errors.ts'
import type { ClusterService } from '../services/clusters.ts'
import type { PodIdentityPreflight, PreflightCheck } from '../../schemas/pod-identity.ts'
import { platformSupport } from './platform.ts'

export const AGENT_ADDON = 'eks-pod-identity-agent'

/** Judges a role's trust policy for Pod Identity (src/pod-identity/trust.ts). */
export interface TrustPolicyCheck {
  check (roleArn: string): Promise<PreflightCheck>
}

export class PodIdentityPreflightChecks {
  readonly #eks: EksPort
  readonly #clusters: ClusterService
  readonly #trust: TrustPolicyCheck

  constructor (deps: { eks: EksPort, clusters: ClusterService, trust: TrustPolicyCheck }) {
    this.#eks = deps.eks
    this.#clusters = deps.clusters
    this.#trust = deps.trust
  }

  async run (clusterName: string, roleArn: string): Promise<PodIdentityPreflight> {
    const [trust, cluster] = await Promise.all([this.#trust.check(roleArn), this.clusterChecks(clusterName)])
    const checks = [trust, ...cluster]
    return { passed: checks.every(check => check.status === 'passed'), checks }
  }

  /** The checks that depend on the cluster only: the agent add-on and the platform. */
  async clusterChecks (clusterName: string): Promise<PreflightCheck[]> {
    const cluster = await this.#clusters.describe(clusterName)
    const platform = platformSupport(cluster)
    return [
      await this.#agent(clusterName, cluster.computeConfig?.enabled === true),
      { name: 'platform', status: platform.supported ? 'passed' : 'failed', reason: platform.reason }
    ]
  }

  async #agent (clusterName: string, autoMode: boolean): Promise<PreflightCheck> {
    // EKS Auto Mode runs the agent itself ("The agent isn't needed with Auto Mode", EKS User Guide, pod-id-agent-setup).
    if (autoMode) return { name: 'agent-addon', status: 'passed', reason: 'The cluster uses EKS Auto Mode, which includes the EKS Pod Identity Agent.' }
    let addon
    try {
      ({ addon } = await callAws(() => this.#eks.describeAddon({ clusterName, addonName: AGENT_ADDON })))
    } catch (error) {
      if (!isAwsError(error, 'ResourceNotFoundException') || !/addon/i.test((error as Error).message)) throw error
      return {
        name: 'agent-addon',
        status: 'failed',
        reason: `The ${AGENT_ADDON} add-on is not installed on cluster ${clusterName}, so no node serves Pod Identity credentials. Install it: aws eks create-addon --cluster-name ${clusterName} --addon-name ${AGENT_ADDON}.`
      }
    }
    if (addon?.status === 'ACTIVE') return { name: 'agent-addon', status: 'passed', reason: `The ${AGENT_ADDON} add-on ${addon.addonVersion ?? ''} is ACTIVE.`.replace('  ', ' ') }
    const issues = (addon?.health?.issues ?? []).map(issue => `${issue.code ?? 'issue'}: ${issue.message ?? ''}`.trim())
    return {
      name: 'agent-addon',
      status: 'failed',
      reason: `The ${AGENT_ADDON} add-on is ${addon?.status ?? 'in an unknown state'}, not ACTIVE${issues.length ? ` (${issues.join('; ')})` : ''}; pods may not get credentials until it is healthy.`
    }
  }
}
