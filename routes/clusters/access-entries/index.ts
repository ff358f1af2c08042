import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { ClusterNameParams, IdempotencyKeyHeader, Ref } from '../../../schemas/common.ts'
import {
  AccessEntryParams, AccessEntryResponse, CreateAccessEntryRequest, DeleteAccessEntryQuery, ListAccessEntriesQuery,
  ListAccessEntriesResponse, UpdateAccessEntryRequest
} from '../../../schemas/access-entries.ts'
import { currentChange } from '../../support/current-change.ts'
import { location, withHeaders } from '../../support/headers.ts'
import { EKS_CALL, type DeclaredProblems } from '../../support/problems.ts'
import { scopedPath, scopedServices } from '../../support/scope.ts'

/** What EKS answers on a cluster whose mode refuses access entries, or for an unknown cluster or entry. */
const ENTRY_PROBLEMS = [EKS_CALL, 'ResourceNotFoundException', 'InvalidRequestException'] as const satisfies DeclaredProblems

const MODE_NOTE = 'A cluster in `CONFIG_MAP` mode has no access entries: EKS refuses every call with `InvalidRequestException` (409 here); change the mode first (`/clusters/{name}/authentication-mode`).'

export const accessEntryPath = (cluster: string, principalArn: string) =>
  `/clusters/${encodeURIComponent(cluster)}/access-entries/${encodeURIComponent(principalArn)}`

const accessEntryRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/clusters/:name/access-entries', {
    config: { auth: { action: 'read' }, problems: ENTRY_PROBLEMS },
    schema: {
      tags: ['access-entries'],
      operationId: 'listAccessEntries',
      summary: 'List the access entries of a cluster (their principal ARNs), optionally those with one access policy',
      description: MODE_NOTE,
      params: ClusterNameParams,
      querystring: ListAccessEntriesQuery,
      response: { 200: Ref(ListAccessEntriesResponse) }
    }
  }, async (request) => scopedServices(request).accessEntries.list(request.params.name, request.query))

  app.post('/clusters/:name/access-entries', {
    config: { change: { idempotency: 'required' }, problems: [...ENTRY_PROBLEMS, 'InvalidParameter', 'ResourceInUseException', 'ResourceLimitExceededException'] },
    schema: {
      tags: ['access-entries'],
      operationId: 'createAccessEntry',
      summary: 'Create an access entry: map an IAM role or user to a Kubernetes username and groups',
      description: 'Requires an `Idempotency-Key` header or a body `clientRequestToken` (sent to EKS, which deduplicates on it). Node types (`EC2_LINUX`, `EC2_WINDOWS`, `FARGATE_LINUX`, `EC2`, `HYBRID_LINUX`, `HYPERPOD_LINUX`) take an IAM role of the cluster\'s account and neither `kubernetesGroups` nor `username` (400 naming the member). A second entry for the same principal is a 409 `ResourceInUseException`. ' + MODE_NOTE,
      params: ClusterNameParams,
      headers: IdempotencyKeyHeader,
      body: Ref(CreateAccessEntryRequest),
      response: {
        200: { ...Ref(AccessEntryResponse), description: 'A retry found the entry its first attempt created.' },
        201: withHeaders({ ...Ref(AccessEntryResponse), description: 'The entry was created.' }, location('The entry: `/clusters/{name}/access-entries/{principalArn}`.'))
      }
    }
  }, async (request, reply) => {
    const change = currentChange(request)
    const outcome = await scopedServices(request).accessEntries.create(request.params.name, request.body, change.guard)
    change.report({ resource: request.body.principalArn })
    reply.code(outcome.kind === 'created' ? 201 : 200)
    if (outcome.kind === 'created') reply.header('location', scopedPath(request, accessEntryPath(request.params.name, request.body.principalArn)))
    return { accessEntry: outcome.accessEntry, operationId: change.operationId }
  })

  app.get('/clusters/:name/access-entries/:principalArn', {
    config: { auth: { action: 'read' }, problems: ENTRY_PROBLEMS },
    schema: {
      tags: ['access-entries'],
      operationId: 'describeAccessEntry',
      summary: 'Describe an access entry: type, username, groups, tags',
      params: AccessEntryParams,
      response: { 200: Ref(AccessEntryResponse) }
    }
  }, async (request) => ({ accessEntry: await scopedServices(request).accessEntries.describe(request.params.name, request.params.principalArn) }))

  app.patch('/clusters/:name/access-entries/:principalArn', {
    config: { change: { idempotency: 'optional', resource: 'param:principalArn' }, problems: [...ENTRY_PROBLEMS, 'InvalidParameter'] },
    schema: {
      tags: ['access-entries'],
      operationId: 'updateAccessEntry',
      summary: 'Change the Kubernetes groups or username of an access entry',
      description: 'The members given replace the entry\'s (`kubernetesGroups: []` removes every group); the others stay. Type and principal cannot change. EKS refuses groups and usernames on node entries.',
      params: AccessEntryParams,
      headers: IdempotencyKeyHeader,
      body: Ref(UpdateAccessEntryRequest),
      response: { 200: Ref(AccessEntryResponse) }
    }
  }, async (request) => {
    const change = currentChange(request)
    const accessEntry = await scopedServices(request).accessEntries.update(request.params.name, request.params.principalArn, request.body, change.guard)
    return { accessEntry, operationId: change.operationId }
  })

  app.delete('/clusters/:name/access-entries/:principalArn', {
    config: { change: { idempotency: 'optional', resource: 'param:principalArn' }, problems: [...ENTRY_PROBLEMS, 'NodeAccessEntryProtected'] },
    schema: {
      tags: ['access-entries'],
      operationId: 'deleteAccessEntry',
      summary: 'Delete an access entry (a node entry only with confirmNodeEntryDeletion=true)',
      description: 'Answers 204 whether the entry was deleted or already gone. An entry of a node type is refused with 409 `NodeAccessEntryProtected` unless `?confirmNodeEntryDeletion=true`: the nodes that use its role would lose their identity in the cluster.',
      params: AccessEntryParams,
      querystring: DeleteAccessEntryQuery,
      headers: IdempotencyKeyHeader,
      response: { 204: Type.Null({ description: 'The entry is gone (deleted now, or already).' }) }
    }
  }, async (request, reply) => {
    const change = currentChange(request)
    await scopedServices(request).accessEntries.delete(request.params.name, request.params.principalArn,
      { confirmNodeEntry: request.query.confirmNodeEntryDeletion ?? false }, change.guard)
    return reply.code(204).send(null)
  })
}

export default accessEntryRoutes
