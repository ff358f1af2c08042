import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ClusterNameParams, Ref } from '../../schemas/common.ts'
import { ClusterOperationParams, ListOperationsQuery, Operation, OperationPage } from '../../schemas/operations.ts'
import { scopeOf } from '../support/scope.ts'

const clusterOperationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { operations } = app.services

  app.get('/clusters/:name/operations', {
    config: { auth: { action: 'read' }, problems: ['InvalidParameter'] },
    schema: {
      tags: ['operations'],
      operationId: 'listOperations',
      summary: 'List this service\'s operations on a cluster, newest first',
      description: 'Your own operations; cluster admins see everyone\'s.',
      params: ClusterNameParams,
      querystring: ListOperationsQuery,
      response: { 200: Ref(OperationPage) }
    }
  }, async (request) => operations.list(request.principal?.name, request.params.name, request.query, scopeOf(request)))

  app.get('/clusters/:name/operations/:operationId', {
    config: { auth: { action: 'read' }, problems: ['OperationNotFound'] },
    schema: {
      tags: ['operations'],
      operationId: 'describeClusterOperation',
      summary: 'Describe an operation on a cluster',
      params: ClusterOperationParams,
      response: { 200: Ref(Operation) }
    }
  }, async (request) => operations.describe(request.principal?.name, request.params.operationId, request.params.name, scopeOf(request)))
}

export default clusterOperationRoutes
