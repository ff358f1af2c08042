import { EKS_OPERATIONS, IAM_OPERATIONS, wrapPort } from '../../src/aws/wrap-port.ts'
import { awsError, createFakeAws, type FakeCluster } from '../support/fake-aws.ts'

export const issuerOf = (i: number) => `https://oidc.eks.us-east-1.amazonaws.com/id/${String(i).padStart(32, '0')}`

/**
 * A fleet of `size` clusters: every third has an IAM OIDC provider, every fourth an OIDC identity
 * provider config. ListClusters answers pages of `pageSize`.
 */
export async function fakeFleet (size: number, pageSize = 10) {
  const clusters: FakeCluster[] = Array.from({ length: size }, (_, i) => ({ name: `cluster-${String(i).padStart(3, '0')}`, issuer: issuerOf(i) }))
  const aws = createFakeAws(clusters)
  for (const [i, c] of clusters.entries()) {
    if (i % 3 === 0) await aws.iam.createOpenIDConnectProvider({ Url: c.issuer, ClientIDList: ['sts.amazonaws.com'], ThumbprintList: ['a'.repeat(40)] })
    if (i % 4 === 0) await aws.eks.associateIdentityProviderConfig({ clusterName: c.name, oidc: { identityProviderConfigName: 'corp', issuerUrl: 'https://login.example.com', clientId: 'kubernetes' } })
  }
  const listAll = aws.eks.listClusters
  aws.eks.listClusters = async (input) => {
    const all = await listAll(input)
    const start = Number(input.nextToken ?? 0)
    const end = start + Math.min(pageSize, input.maxResults ?? 100)
    return { ...all, clusters: all.clusters!.slice(start, end), nextToken: end < all.clusters!.length ? String(end) : undefined }
  }
  aws.calls.length = 0
  return { aws, clusters }
}

/** Ports that throttle beyond `perSecond` calls in any second (sliding window), as AWS does. */
export function throttleBeyond<E extends object, I extends object> (ports: { eks: E, iam: I }, perSecond: number) {
  let throttled = 0
  const limit = (name: string, httpStatusCode: number) => {
    const accepted: number[] = []
    return (_operation: string, call: () => Promise<unknown>) => {
      const now = performance.now()
      while (accepted.length && accepted[0] <= now - 1000) accepted.shift()
      if (accepted.length >= perSecond) {
        throttled++
        return Promise.reject(awsError(name, httpStatusCode, 'Rate exceeded'))
      }
      accepted.push(now)
      return call()
    }
  }
  return {
    eks: wrapPort(ports.eks, EKS_OPERATIONS as Record<keyof E, true>, limit('ThrottlingException', 429)),
    iam: wrapPort(ports.iam, IAM_OPERATIONS as Record<keyof I, true>, limit('Throttling', 400)),
    throttled: () => throttled
  }
}
