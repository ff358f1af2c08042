import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ClusterNameParams, Ref } from '../schemas/common.ts'
import { DescribeClusterResponse, ListClustersResponse, ListQuery } from '../schemas/eks.ts'
import { problems } from './responses.ts'

const clusterRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { clusters } = app.services

  app.get('/clusters', {
    config: { auth: { action: 'read' } },
    schema: {
      tags: ['clusters'],
      operationId: 'listClusters',
      summary: 'List the EKS clusters of the account and region',
      querystring: ListQuery,
      response: { 200: Ref(ListClustersResponse), ...problems() }
    }
  }, async (request) => clusters.list(request.query))

  app.get('/clusters/:name', {
    config: { auth: { action: 'read' } },
    schema: {
      tags: ['clusters'],
      operationId: 'describeCluster',
      summary: 'Describe a cluster: ARN, status, version and OIDC issuer',
      params: ClusterNameParams,
      response: { 200: Ref(DescribeClusterResponse), ...problems(404) }
    }
  }, async (request) => ({ cluster: await clusters.describe(request.params.name) }))
}

export default clusterRoutes
