import type { Cluster as SdkCluster } from '@aws-sdk/client-eks'
import { ServiceError } from '../errors.ts'
import type { EksPort } from './aws-ports.ts'
import { callAws } from './aws-errors.ts'

export interface PageQuery { maxResults?: number, nextToken?: string }

/** A cluster as the other services need it: its ARN and OIDC issuer are always known. */
export interface ClusterIdentity {
  name: string
  arn: string
  status?: string
  issuerUrl?: string
}

export class ClusterService {
  readonly #eks: EksPort

  constructor (deps: { eks: EksPort }) {
    this.#eks = deps.eks
  }

  async list (query: PageQuery) {
    const { clusters = [], nextToken } = await callAws(() => this.#eks.listClusters(query))
    return { clusters, nextToken }
  }

  async describe (name: string): Promise<SdkCluster & { name: string, arn: string }> {
    const { cluster } = await callAws(() => this.#eks.describeCluster({ name }))
    if (!cluster?.name || !cluster.arn) {
      throw new ServiceError({ status: 502, code: 'UpstreamInvalidResponse', slug: 'upstream-invalid-response', title: 'AWS answered with an incomplete cluster', detail: `DescribeCluster for "${name}" returned no name or ARN.` })
    }
    return cluster as SdkCluster & { name: string, arn: string }
  }

  async identity (name: string): Promise<ClusterIdentity> {
    const cluster = await this.describe(name)
    return { name: cluster.name, arn: cluster.arn, status: cluster.status, issuerUrl: cluster.identity?.oidc?.issuer }
  }
}
