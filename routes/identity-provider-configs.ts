import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { ClusterNameParams, IdempotencyKeyHeader, Ref } from '../schemas/common.ts'
import {
  AssociateIdentityProviderConfigRequest, AssociateIdentityProviderConfigResponse,
  DescribeIdentityProviderConfigResponse, DisassociateIdentityProviderConfigResponse,
  ListIdentityProviderConfigsResponse, ListQuery
} from '../schemas/eks.ts'
import type { ReadSource } from '../src/cache/read-through.ts'
import { currentOperation } from './operation.ts'
import { problems } from './responses.ts'

export const ConfigParams = Type.Object({
  ...ClusterNameParams.properties,
  configName: Type.String({ minLength: 1, maxLength: 100, pattern: '^[0-9A-Za-z][A-Za-z0-9\\-_]*$', description: 'Name of the identity provider config.' })
}, { additionalProperties: false })

const AssociateQuery = Type.Object({
  skipIssuerChecks: Type.Optional(Type.Boolean({ default: false, description: 'Skip the network checks of the issuer (for issuers reachable from AWS but not from this service). The answer says `issuerChecks: skipped`.' }))
}, { additionalProperties: false })

const DescribeHeaders = Type.Object({
  'cache-control': Type.Optional(Type.String({
    description: 'Send `no-cache` (or `max-age=0`) to read EKS now. Otherwise an answer up to `CONFIG_CACHE_TTL_MS` old may be reused; the `Cache-Status` response header says which (RFC 9211).'
  }))
})

/** RFC 9211 Cache-Status of an answer, by where it came from. */
const CACHE_STATUS: Record<ReadSource, string> = {
  hit: 'eks-oidc-api; hit',
  miss: 'eks-oidc-api; fwd=miss',
  coalesced: 'eks-oidc-api; fwd=miss; collapsed',
  bypass: 'eks-oidc-api; fwd=request'
}

const asksForFresh = (cacheControl: string | undefined) => cacheControl !== undefined && /(^|,)\s*(no-cache|max-age\s*=\s*0)\s*(,|$)/i.test(cacheControl)

const updateLocation = (cluster: string, updateId: string | undefined) =>
  `/clusters/${encodeURIComponent(cluster)}/updates/${encodeURIComponent(updateId ?? '')}`

const identityProviderConfigRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { identityProviderConfigs } = app.services

  app.get('/clusters/:name/identity-provider-configs', {
    config: { auth: { action: 'read' } },
    schema: {
      tags: ['identity-provider-configs'],
      operationId: 'listIdentityProviderConfigs',
      summary: 'List the identity provider configs of a cluster',
      params: ClusterNameParams,
      querystring: ListQuery,
      response: { 200: Ref(ListIdentityProviderConfigsResponse), ...problems(404) }
    }
  }, async (request) => identityProviderConfigs.list(request.params.name, request.query))

  app.post('/clusters/:name/identity-provider-configs', {
    config: { auth: { action: 'write' }, idempotency: 'required' },
    schema: {
      tags: ['identity-provider-configs'],
      operationId: 'associateIdentityProviderConfig',
      summary: 'Associate an OIDC identity provider config (starts a 20 to 40 minute EKS update)',
      description: 'Requires an `Idempotency-Key` header or a body `clientRequestToken`, so a retry never starts a second update. Checked first, so that nothing fails 20 minutes later: the issuer must differ from the cluster\'s own OIDC issuer, the cluster may have only one OIDC config (the same config already associated is adopted and answered 200), and the issuer must pass the pre-flight checks (discovery reachable, `issuer` equal to the URL, JWKS with a signing key, certificate valid) unless `skipIssuerChecks=true`. A refusal is a 400 problem listing the failed `checks`. Answers 202 with the EKS update and a `Location` to follow it.',
      params: ClusterNameParams,
      querystring: AssociateQuery,
      headers: IdempotencyKeyHeader,
      body: Ref(AssociateIdentityProviderConfigRequest),
      response: {
        200: { ...Ref(AssociateIdentityProviderConfigResponse), description: 'The same config was already associated; its association update is returned.' },
        202: { ...Ref(AssociateIdentityProviderConfigResponse), description: 'The association started; follow the update at `Location`.' },
        ...problems(404, 409, 422)
      }
    }
  }, async (request, reply) => {
    const operation = currentOperation(request)
    const skipIssuerChecks = request.query.skipIssuerChecks ?? false
    const outcome = await identityProviderConfigs.associate(request.params.name, request.body, { ...operation, skipIssuerChecks })
    reply.code(outcome.kind === 'started' ? 202 : 200).header('location', updateLocation(request.params.name, outcome.update.id))
    return {
      update: outcome.update,
      tags: outcome.tags,
      operationId: operation.operationId,
      ...(outcome.kind === 'started' ? { issuerChecks: outcome.issuerChecks } : {})
    }
  })

  app.get('/clusters/:name/identity-provider-configs/:configName', {
    config: { auth: { action: 'read' } },
    schema: {
      tags: ['identity-provider-configs'],
      operationId: 'describeIdentityProviderConfig',
      summary: 'Describe an OIDC identity provider config, with its status (CREATING, ACTIVE, DELETING)',
      description: 'Concurrent identical reads share one DescribeIdentityProviderConfig call, and the answer for an ACTIVE config may be reused for up to `CONFIG_CACHE_TTL_MS` (default 1 s; CREATING and DELETING are always read fresh); `Cache-Status` says whether it was. Send `Cache-Control: no-cache` to read EKS now. Changes made through this service are seen at once.',
      params: ConfigParams,
      headers: DescribeHeaders,
      response: { 200: Ref(DescribeIdentityProviderConfigResponse), ...problems(404) }
    }
  }, async (request, reply) => {
    const { value, source } = await identityProviderConfigs.describeRecent(request.params.name, request.params.configName, {
      fresh: asksForFresh(request.headers['cache-control'])
    })
    reply.header('cache-status', CACHE_STATUS[source])
    return { identityProviderConfig: { oidc: value } }
  })

  app.delete('/clusters/:name/identity-provider-configs/:configName', {
    config: { auth: { action: 'write' }, idempotency: 'optional' },
    schema: {
      tags: ['identity-provider-configs'],
      operationId: 'disassociateIdentityProviderConfig',
      summary: 'Disassociate an identity provider config (starts a 20 to 40 minute EKS update)',
      description: 'Answers 202 with the EKS update and a `Location` to follow it, or 204 when the config is already gone.',
      params: ConfigParams,
      headers: IdempotencyKeyHeader,
      response: {
        202: { ...Ref(DisassociateIdentityProviderConfigResponse), description: 'The disassociation started; follow the update at `Location`.' },
        204: Type.Null({ description: 'The config was not associated (already gone).' }),
        ...problems(404, 409, 422)
      }
    }
  }, async (request, reply) => {
    const operation = currentOperation(request)
    const update = await identityProviderConfigs.disassociate(request.params.name, request.params.configName, operation)
    if (!update) return reply.code(204).send(null)
    return reply.code(202).header('location', updateLocation(request.params.name, update.id)).send({ update, operationId: operation.operationId })
  })
}

export default identityProviderConfigRoutes
