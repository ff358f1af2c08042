import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { ClusterNameParams, Ref } from '../schemas/common.ts'
import { DescribeUpdateResponse, ListQuery, ListUpdatesResponse } from '../schemas/eks.ts'
import { problems } from './responses.ts'

const UpdateParams = Type.Object({
  ...ClusterNameParams.properties,
  updateId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9-]+$', description: 'Update id (UUID).' })
}, { additionalProperties: false })

const updateRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { identityProviderConfigs } = app.services

  app.get('/clusters/:name/updates', {
    config: { auth: { action: 'read' } },
    schema: {
      tags: ['updates'],
      operationId: 'listUpdates',
      summary: 'List the update ids of a cluster',
      params: ClusterNameParams,
      querystring: ListQuery,
      response: { 200: Ref(ListUpdatesResponse), ...problems(404) }
    }
  }, async (request) => identityProviderConfigs.listUpdates(request.params.name, request.query))

  app.get('/clusters/:name/updates/:updateId', {
    config: { auth: { action: 'read' } },
    schema: {
      tags: ['updates'],
      operationId: 'describeUpdate',
      summary: 'Describe an update: InProgress, Successful, Failed or Cancelled',
      description: 'Identity provider updates take 20 to 40 minutes on AWS: poll every 30 to 120 seconds, with a budget of at least 40 minutes.',
      params: UpdateParams,
      response: { 200: Ref(DescribeUpdateResponse), ...problems(404) }
    }
  }, async (request) => ({ update: await identityProviderConfigs.describeUpdate(request.params.name, request.params.updateId) }))
}

export default updateRoutes
