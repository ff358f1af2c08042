import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { ClusterNameParams, NextToken, Ref } from '../schemas/common.ts'
import { Operation, OperationPage } from '../schemas/operations.ts'
import type { Authorizer } from '../src/auth/grants.ts'
import { notFound } from '../src/errors.ts'
import type { OperationRecord, OperationStore } from '../src/store/index.ts'
import { problems } from './responses.ts'

const OperationParams = Type.Object({
  operationId: Type.String({ format: 'uuid', description: 'Operation id.' })
}, { additionalProperties: false })

const ListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: 'Page size, 1 to 100 (default 50).' })),
  nextToken: Type.Optional(NextToken)
}, { additionalProperties: false })

export interface OperationRoutesOptions {
  operations: OperationStore
  /** Undefined when authentication is off: every caller sees every operation. */
  authorizer?: Authorizer
}

const operationRoutes: FastifyPluginAsyncTypebox<OperationRoutesOptions> = async (app, { operations, authorizer }) => {
  /** Operations of other principals are visible to admins of the cluster only. */
  const seesOthers = (request: FastifyRequest, cluster: string | undefined) =>
    !authorizer || authorizer.allows(request.principal?.name ?? '', 'admin', cluster)

  const visible = (request: FastifyRequest, record: OperationRecord | undefined, cluster?: string) => {
    if (!record || (cluster !== undefined && record.cluster !== cluster) ||
      (record.principal !== request.principal?.name && !seesOthers(request, record.cluster))) {
      throw notFound('OperationNotFound', { detail: 'No operation with this id is visible to you.' })
    }
    return record
  }

  app.get('/clusters/:name/operations', {
    config: { auth: { action: 'read' } },
    schema: {
      tags: ['operations'],
      operationId: 'listOperations',
      summary: 'List this service\'s operations on a cluster, newest first',
      description: 'Your own operations; cluster admins see everyone\'s.',
      params: ClusterNameParams,
      querystring: ListQuery,
      response: { 200: Ref(OperationPage), ...problems() }
    }
  }, async (request) => operations.listByCluster({
    cluster: request.params.name,
    principal: seesOthers(request, request.params.name) ? undefined : request.principal?.name,
    ...request.query
  }))

  app.get('/clusters/:name/operations/:operationId', {
    config: { auth: { action: 'read' } },
    schema: {
      tags: ['operations'],
      operationId: 'describeClusterOperation',
      summary: 'Describe an operation on a cluster',
      params: Type.Object({ ...ClusterNameParams.properties, ...OperationParams.properties }, { additionalProperties: false }),
      response: { 200: Ref(Operation), ...problems(404) }
    }
  }, async (request) => visible(request, await operations.get(request.params.operationId), request.params.name))

  app.get('/operations/:operationId', {
    config: { auth: { action: 'read', cluster: 'none' } },
    schema: {
      tags: ['operations'],
      operationId: 'describeOperation',
      summary: 'Describe an operation by id',
      description: 'Needs a read grant on all clusters (`*`); principals scoped to some clusters use `/clusters/{name}/operations/{operationId}`.',
      params: OperationParams,
      response: { 200: Ref(Operation), ...problems(404) }
    }
  }, async (request) => visible(request, await operations.get(request.params.operationId)))
}

export default operationRoutes
