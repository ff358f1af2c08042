/** Pure functions deriving IAM identities from an EKS cluster. */
import { problem } from '../errors.ts'
import { normaliseIssuer } from '../issuers/issuer-url.ts'

export interface ClusterArnParts { partition: string, region: string, account: string, name: string }

export function parseClusterArn (arn: string): ClusterArnParts {
  const match = /^arn:([a-z-]+):eks:([a-z0-9-]+):(\d{12}):cluster\/(.+)$/.exec(arn)
  if (!match) {
    throw problem('UpstreamInvalidResponse', { detail: `Cannot read partition and account from cluster ARN "${arn}".` })
  }
  const [, partition, region, account, name] = match
  return { partition, region, account, name }
}

/**
 * The issuer as IAM keys it: its normal form (host and path, no scheme, no default port, no
 * trailing slash). A non-default port is kept unless `withPort` is false: it is part of the
 * issuer's identity (only loopback test issuers have one).
 */
export function issuerHostPath (issuerUrl: string, options: { withPort: boolean } = { withPort: true }) {
  const hostPath = normaliseIssuer(issuerUrl)
  return options.withPort ? hostPath : hostPath.replace(/^(\[[^\]]*\]|[^/:]*):\d+/, '$1')
}

/** The `Url` sent to CreateOpenIDConnectProvider: https, never a default port (eksctl adds `:443`; we don't). */
export function iamProviderUrl (issuerUrl: string) {
  return `https://${issuerHostPath(issuerUrl)}`
}

/**
 * IAM names the provider by host and path only: its ARN never has a port, even when the Url has one.
 * The provider is in the cluster's account unless `inAccount` names another (IRSA across accounts);
 * the partition is always the cluster's.
 */
export function oidcProviderArn (clusterArn: string, issuerUrl: string, inAccount?: string) {
  const { partition, account } = parseClusterArn(clusterArn)
  return `arn:${partition}:iam::${inAccount ?? account}:oidc-provider/${issuerHostPath(issuerUrl, { withPort: false })}`
}
