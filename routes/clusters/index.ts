import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ClusterNameParams, Ref } from '../../schemas/common.ts'
import { DescribeClusterResponse } from '../../schemas/eks.ts'
import { type FleetPart, ListClustersFleetResponse, ListClustersQuery } from '../../schemas/fleet.ts'
import { problem } from '../../src/errors.ts'
import { EKS_CALL } from '../support/problems.ts'
import { scopedServices } from '../support/scope.ts'

const pagingWithInclude = (query: Record<string, unknown>) => problem('ValidationException', {
  detail: 'include answers for every cluster at once: it cannot be combined with maxResults or nextToken.',
  errors: ['maxResults', 'nextToken'].filter(k => query[k] !== undefined).map(k => ({ pointer: `/querystring/${k}`, detail: 'cannot be combined with include' }))
})

const clusterRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/clusters', {
    config: { auth: { action: 'read' }, problems: [EKS_CALL] },
    schema: {
      tags: ['clusters'],
      operationId: 'listClusters',
      summary: 'List the EKS clusters of the account and region; with `include`, the fleet view of every cluster',
      description: 'Without `include`: one page of ListClusters. With `include=oidc,identityProviderConfigs` (either or both): every cluster (all pages), each with whether IRSA is enabled (its IAM OIDC provider exists), the provider\'s audiences and thumbprints, and its associated OIDC identity provider config with status. A cluster that cannot be read is reported in its `errors` while the others are answered. AWS calls are paced per service and slow down when AWS throttles, so a large fleet takes a while; concurrent identical fleet requests share one sweep.',
      querystring: ListClustersQuery,
      response: { 200: Ref(ListClustersFleetResponse) }
    }
  }, async (request) => {
    const { include, ...page } = request.query
    const { clusters, fleet } = scopedServices(request)
    if (!include) return clusters.list(page)
    if (page.maxResults !== undefined || page.nextToken !== undefined) throw pagingWithInclude(page)
    return fleet.sweep(include.split(',') as FleetPart[])
  })

  app.get('/clusters/:name', {
    config: { auth: { action: 'read' }, problems: [EKS_CALL, 'ResourceNotFoundException'] },
    schema: {
      tags: ['clusters'],
      operationId: 'describeCluster',
      summary: 'Describe a cluster: ARN, status, version and OIDC issuer',
      description: 'Always a fresh DescribeCluster (never cached), shared by concurrent requests for the same cluster.',
      params: ClusterNameParams,
      response: { 200: Ref(DescribeClusterResponse) }
    }
  }, async (request) => ({ cluster: await scopedServices(request).clusters.describe(request.params.name) }))
}

export default clusterRoutes
