import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { ClusterNameParams, IdempotencyKeyHeader, Ref } from '../../schemas/common.ts'
import {
  CreatePodIdentityAssociationRequest, CreatePodIdentityAssociationResponse, DeletePodIdentityAssociationResponse,
  DescribePodIdentityAssociationResponse, ForceQuery, ListPodIdentityAssociationsQuery, ListPodIdentityAssociationsResponse,
  PodIdentityAssociationParams, UpdatePodIdentityAssociationRequest, UpdatePodIdentityAssociationResponse
} from '../../schemas/pod-identity.ts'
import { currentChange } from '../support/current-change.ts'
import { location, withHeaders } from '../support/headers.ts'
import { EKS_CALL, POD_IDENTITY_PREFLIGHT } from '../support/problems.ts'
import { scopedPath, scopedServices } from '../support/scope.ts'

const TAGS = ['pod-identity']

/** The URL of an association (the declarative PUT answers it too). */
export const associationPath = (cluster: string, associationId: string | undefined) =>
  `/clusters/${encodeURIComponent(cluster)}/pod-identity-associations/${encodeURIComponent(associationId ?? '')}`

const ASSOCIATION_LOCATION = location('The association: `/clusters/{name}/pod-identity-associations/{associationId}`.')

const podIdentityAssociationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/clusters/:name/pod-identity-associations', {
    config: { auth: { action: 'read' }, problems: [EKS_CALL, 'ResourceNotFoundException'] },
    schema: {
      tags: TAGS,
      operationId: 'listPodIdentityAssociations',
      summary: 'List the Pod Identity associations of a cluster',
      description: 'Filter by `namespace` and `serviceAccount`; page with `maxResults` (1 to 100) and `nextToken`.',
      params: ClusterNameParams,
      querystring: ListPodIdentityAssociationsQuery,
      response: { 200: Ref(ListPodIdentityAssociationsResponse) }
    }
  }, async (request) => scopedServices(request).podIdentityAssociations.list(request.params.name, request.query))

  app.post('/clusters/:name/pod-identity-associations', {
    config: {
      change: { idempotency: 'required' },
      problems: [EKS_CALL, POD_IDENTITY_PREFLIGHT, 'ResourceNotFoundException', 'InvalidRequestException', 'ResourceLimitExceededException', 'PodIdentityAssociationExists']
    },
    schema: {
      tags: TAGS,
      operationId: 'createPodIdentityAssociation',
      summary: 'Give the pods of a service account an IAM role (EKS Pod Identity)',
      description: 'Requires an `Idempotency-Key` header (sent to EKS as its `clientRequestToken`) or a body `clientRequestToken`, so a retry never makes a second association. First runs the pre-flight checks (the role trusts `pods.eks.amazonaws.com` with `sts:AssumeRole` and `sts:TagSession`, the `eks-pod-identity-agent` add-on is ACTIVE, the cluster\'s versions support Pod Identity): a failed one refuses the request with 422 `PodIdentityPreflightFailed` listing the `preflight` checks, unless `force=true`. EKS allows one association per service account: the same association already there is adopted (200); one with other settings is a 409 `ResourceInUseException` naming it. EKS allows 1,000 associations per cluster (409 `ResourceLimitExceededException`). Answers 201 with a `Location`.',
      params: ClusterNameParams,
      querystring: ForceQuery,
      headers: IdempotencyKeyHeader,
      body: Ref(CreatePodIdentityAssociationRequest),
      response: {
        200: withHeaders({ ...Ref(CreatePodIdentityAssociationResponse), description: 'The same association already existed; it is answered as is.' }, ASSOCIATION_LOCATION),
        201: withHeaders({ ...Ref(CreatePodIdentityAssociationResponse), description: 'The association was created.' }, ASSOCIATION_LOCATION)
      }
    }
  }, async (request, reply) => {
    const change = currentChange(request)
    const outcome = await scopedServices(request).podIdentityAssociations.create(request.params.name, request.body, change.guard, { force: request.query.force ?? false })
    change.report({ resource: outcome.association.associationArn })
    reply.code(outcome.kind === 'created' ? 201 : 200).header('location', scopedPath(request, associationPath(request.params.name, outcome.association.associationId)))
    return { association: outcome.association, ...(outcome.kind === 'created' && outcome.preflight ? { preflight: outcome.preflight } : {}), operationId: change.operationId }
  })

  app.get('/clusters/:name/pod-identity-associations/:associationId', {
    config: { auth: { action: 'read' }, problems: [EKS_CALL, 'ResourceNotFoundException'] },
    schema: {
      tags: TAGS,
      operationId: 'describePodIdentityAssociation',
      summary: 'Describe a Pod Identity association',
      params: PodIdentityAssociationParams,
      response: { 200: Ref(DescribePodIdentityAssociationResponse) }
    }
  }, async (request) => ({ association: await scopedServices(request).podIdentityAssociations.describe(request.params.name, request.params.associationId) }))

  app.patch('/clusters/:name/pod-identity-associations/:associationId', {
    config: {
      change: { idempotency: 'optional', resource: 'param:associationId' },
      problems: [EKS_CALL, POD_IDENTITY_PREFLIGHT, 'ResourceNotFoundException', 'InvalidRequestException']
    },
    schema: {
      tags: TAGS,
      operationId: 'updatePodIdentityAssociation',
      summary: 'Change the role, target role or session tags of a Pod Identity association',
      description: 'Only the members sent change. A new `roleArn` runs the pre-flight checks first (422 `PodIdentityPreflightFailed` unless `force=true`). The namespace and service account cannot change: delete and create instead.',
      params: PodIdentityAssociationParams,
      querystring: ForceQuery,
      headers: IdempotencyKeyHeader,
      body: Ref(UpdatePodIdentityAssociationRequest),
      response: { 200: Ref(UpdatePodIdentityAssociationResponse) }
    }
  }, async (request) => {
    const change = currentChange(request)
    const association = await scopedServices(request).podIdentityAssociations.update(request.params.name, request.params.associationId, request.body, change.guard, { force: request.query.force ?? false })
    change.report({ resource: association.associationArn })
    return { association, operationId: change.operationId }
  })

  app.delete('/clusters/:name/pod-identity-associations/:associationId', {
    config: {
      change: { idempotency: 'optional', resource: 'param:associationId' },
      problems: [EKS_CALL, 'ResourceNotFoundException', 'InvalidRequestException']
    },
    schema: {
      tags: TAGS,
      operationId: 'deletePodIdentityAssociation',
      summary: 'Delete a Pod Identity association',
      description: 'Answers 200 with the deleted association, or 204 when it is already gone (an unknown cluster is still a 404). Credentials already handed to pods stay valid until they expire.',
      params: PodIdentityAssociationParams,
      headers: IdempotencyKeyHeader,
      response: {
        200: Ref(DeletePodIdentityAssociationResponse),
        204: Type.Null({ description: 'The association did not exist (already deleted).' })
      }
    }
  }, async (request, reply) => {
    const change = currentChange(request)
    const association = await scopedServices(request).podIdentityAssociations.delete(request.params.name, request.params.associationId, change.guard)
    if (!association) return reply.code(204).send(null)
    change.report({ resource: association.associationArn })
    return { association, operationId: change.operationId }
  })
}

export default podIdentityAssociationRoutes
