import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Ref } from '../schemas/common.ts'
import { Operation, OperationParams } from '../schemas/operations.ts'

const operationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { operations } = app.services

  app.get('/operations/:operationId', {
    config: { auth: { action: 'read', cluster: 'none' }, problems: ['OperationNotFound'] },
    schema: {
      tags: ['operations'],
      operationId: 'describeOperation',
      summary: 'Describe an operation by id',
      description: 'Needs a read grant on all clusters (`*`); principals scoped to some clusters use `/clusters/{name}/operations/{operationId}`.',
      params: OperationParams,
      response: { 200: Ref(Operation) }
    }
  }, async (request) => operations.describe(request.principal?.name, request.params.operationId))
}

export default operationRoutes
