/**
 * Whether an EKS cluster's control plane supports Pod Identity. The EKS User Guide, "EKS Pod
 * Identity cluster versions" (https://docs.aws.amazon.com/eks/latest/userguide/pod-identities.html#pod-id-cluster-versions):
 * Kubernetes 1.24 or later; for 1.24 to 1.28 the platform version must be at least the one listed,
 * later Kubernetes versions support it on every platform version. Its "EKS Pod Identity
 * restrictions" exclude AWS Outposts; Fargate and Windows nodes are excluded too, which a cluster's
 * description does not tell (see docs/pod-identity.md).
 */
export const MIN_KUBERNETES_VERSION = '1.24'

/** The first platform version with Pod Identity, per Kubernetes minor version. */
export const MIN_PLATFORM_VERSIONS: ReadonlyMap<string, number> = new Map([
  ['1.24', 13],
  ['1.25', 10],
  ['1.26', 9],
  ['1.27', 8],
  ['1.28', 4]
])

export interface ClusterPlatform {
  version?: string
  platformVersion?: string
  /** Set on a local cluster on AWS Outposts (DescribeCluster `outpostConfig`). */
  outpostConfig?: unknown
}

export type PlatformVerdict = { supported: true, reason: string } | { supported: false, reason: string }

const minorOf = (version: string) => {
  const match = /^(\d+)\.(\d+)/.exec(version)
  return match ? [Number(match[1]), Number(match[2])] as const : undefined
}

export function platformSupport (cluster: ClusterPlatform): PlatformVerdict {
  if (cluster.outpostConfig !== undefined && cluster.outpostConfig !== null) {
    return { supported: false, reason: 'The cluster runs on AWS Outposts, where EKS Pod Identity is not available; keep IAM roles for service accounts (IRSA).' }
  }
  const minor = minorOf(cluster.version ?? '')
  if (!minor) return { supported: false, reason: `The cluster reports no Kubernetes version this service can read (${cluster.version ?? 'none'}).` }
  const [major, minorVersion] = minor
  const label = `${major}.${minorVersion}`
  if (major < 1 || (major === 1 && minorVersion < 24)) {
    return { supported: false, reason: `Kubernetes ${label} is older than ${MIN_KUBERNETES_VERSION}, the first version with EKS Pod Identity; upgrade the cluster.` }
  }
  const minimum = MIN_PLATFORM_VERSIONS.get(label)
  if (minimum === undefined) return { supported: true, reason: `Kubernetes ${label} supports EKS Pod Identity on every platform version.` }
  const platform = /^eks\.(\d+)$/.exec(cluster.platformVersion ?? '')
  if (!platform || Number(platform[1]) < minimum) {
    return {
      supported: false,
      reason: `Kubernetes ${label} needs platform version eks.${minimum} or later for EKS Pod Identity; the cluster is on ${cluster.platformVersion ?? 'an unknown platform version'}. EKS updates platform versions automatically, or upgrade the Kubernetes version.`
    }
  }
  return { supported: true, reason: `Kubernetes ${label} on ${cluster.platformVersion} supports EKS Pod Identity (eks.${minimum} or later).` }
}
