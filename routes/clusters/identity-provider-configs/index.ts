import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { ClusterNameParams, ConfigParams, IdempotencyKeyHeader, Ref } from '../../../schemas/common.ts'
import {
  AssociateIdentityProviderConfigQuery, AssociateIdentityProviderConfigRequest, AssociateIdentityProviderConfigResponse,
  DescribeIdentityProviderConfigHeaders, DescribeIdentityProviderConfigResponse, DisassociateIdentityProviderConfigResponse,
  ListIdentityProviderConfigsResponse, ListQuery
} from '../../../schemas/eks.ts'
import {
  ReplaceIdentityProviderConfigQuery, ReplaceIdentityProviderConfigRequest, ReplaceIdentityProviderConfigResponse
} from '../../../schemas/replace.ts'
import type { ReadSource } from '../../../src/cache/read-through.ts'
import { REPLACE_ACTION, STEP_DESCRIPTIONS } from '../../../src/replace/plan.ts'
import { operationLocation, type ReplaceOutcome } from '../../../src/replace/service.ts'
import { currentChange } from '../../support/current-change.ts'
import { CACHE_STATUS as CACHE_STATUS_HEADER, location, withHeaders } from '../../support/headers.ts'
import { EKS_CALL, ISSUER_PREFLIGHT, type DeclaredProblems } from '../../support/problems.ts'
import { scopedPath, scopedServices } from '../../support/scope.ts'
import { updateLocation } from '../../support/update-location.ts'

/** How associate and PUT refuse an issuer; the same pre-flight runs for both. */
const ISSUER_REFUSALS = [
  'An `issuerUrl` breaking the issuer URL rule is a 400 `ValidationException`, with or without `skipIssuerChecks`.',
  'An issuer whose address the SSRF guard refuses is a 400 `IssuerAddressForbidden`. A failed pre-flight is a problem listing the failed `checks`:',
  '400 when the issuer answered and is wrong (another `issuer`, no signing key, an untrusted certificate, a redirect),',
  '502 `IssuerUnreachable` when it cannot be resolved or reached, 504 `IssuerTimeout` when it does not answer in time.',
  'Those two may be transient and are never stored under the `Idempotency-Key`: a retry checks the issuer again.'
].join(' ')

const REPLACE_DESCRIPTION = [
  'Makes the config of the path equal to the body, however many EKS updates that takes. EKS configs cannot be changed in place, so:',
  '- the same config already associated: nothing happens, 200 `unchanged`;',
  '- no config of this name: one association, 202 `started`;',
  '- a config with other settings: a replacement, 202 `started`: disassociate it, wait until it is gone, associate the desired one.',
  '',
  'A started change is one operation, recorded before the answer and carried out by the service (it resumes after a restart, and only one replica drives it). Follow it at the `Location`, `/clusters/{name}/operations/{operationId}`: `details.steps` shows each step with its status and EKS update.',
  '',
  '**Downtime.** Between the completion of the disassociation and the completion of the association the cluster has no config, so logins through it fail: about one association, 20 to 40 minutes on AWS (`expectedDowntime`); the whole replacement takes 40 to 80 minutes (`expectedDuration`). `?dryRun=true` answers the plan and changes nothing.',
  '',
  'Everything refusable is checked before any write: the body\'s `identityProviderConfigName` must equal the path\'s (else 400), the cluster must have no other config, the new issuer must differ from the cluster\'s own and pass the pre-flight checks unless `skipIssuerChecks=true` (also with `dryRun=true`). ' + ISSUER_REFUSALS + ' While a change of the same config runs, another PUT answers 409 `ReplaceInProgress` naming that `operationId`. With an `Idempotency-Key`, a retry replays the first answer.'
].join('\n')

/** The PUT's answer: the outcome with each step described, and the operation unless it was a dry run. */
function replaceAnswer ({ kind, current, ...plan }: ReplaceOutcome, operationId: string | undefined) {
  return {
    outcome: kind,
    ...plan,
    steps: plan.steps.map(step => ({ ...step, description: STEP_DESCRIPTIONS[step.name] })),
    ...(kind === 'dry-run' ? {} : { operationId }),
    ...(current ? { identityProviderConfig: { oidc: current } } : {})
  }
}

/** RFC 9211 Cache-Status of an answer, by where it came from. */
const CACHE_STATUS: Record<ReadSource, string> = {
  hit: 'eks-oidc-api; hit',
  miss: 'eks-oidc-api; fwd=miss',
  coalesced: 'eks-oidc-api; fwd=miss; collapsed',
  bypass: 'eks-oidc-api; fwd=request'
}

const asksForFresh = (cacheControl: string | undefined) => cacheControl !== undefined && /(^|,)\s*(no-cache|max-age\s*=\s*0)\s*(,|$)/i.test(cacheControl)

/** What refuses or fails an association, whether asked for directly or as part of a replacement. */
const ASSOCIATION_PROBLEMS = [
  EKS_CALL, ISSUER_PREFLIGHT, 'ResourceNotFoundException', 'InvalidParameter', 'ConfigLimit',
  'ResourceInUseException', 'InvalidRequestException', 'ResourceLimitExceededException'
] as const satisfies DeclaredProblems

const UPDATE_LOCATION = location('The EKS update to follow: `/clusters/{name}/updates/{updateId}`.')

const identityProviderConfigRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/clusters/:name/identity-provider-configs', {
    config: { auth: { action: 'read' }, problems: [EKS_CALL, 'ResourceNotFoundException'] },
    schema: {
      tags: ['identity-provider-configs'],
      operationId: 'listIdentityProviderConfigs',
      summary: 'List the identity provider configs of a cluster',
      params: ClusterNameParams,
      querystring: ListQuery,
      response: { 200: Ref(ListIdentityProviderConfigsResponse) }
    }
  }, async (request) => scopedServices(request).identityProviderConfigs.list(request.params.name, request.query))

  app.post('/clusters/:name/identity-provider-configs', {
    config: {
      change: { idempotency: 'required' },
      problems: [...ASSOCIATION_PROBLEMS, 'ConfigExists']
    },
    schema: {
      tags: ['identity-provider-configs'],
      operationId: 'associateIdentityProviderConfig',
      summary: 'Associate an OIDC identity provider config (starts a 20 to 40 minute EKS update)',
      description: 'Requires an `Idempotency-Key` header or a body `clientRequestToken`, so a retry never starts a second update. Checked first, so that nothing fails 20 minutes later: the issuer must differ from the cluster\'s own OIDC issuer, the cluster may have only one OIDC config (the same config already associated is adopted and answered 200), and the issuer must pass the pre-flight checks (discovery reachable, `issuer` equal to the URL, JWKS with a signing key, certificate valid) unless `skipIssuerChecks=true`. ' + ISSUER_REFUSALS + ' Answers 202 with the EKS update and a `Location` to follow it.',
      params: ClusterNameParams,
      querystring: AssociateIdentityProviderConfigQuery,
      headers: IdempotencyKeyHeader,
      body: Ref(AssociateIdentityProviderConfigRequest),
      response: {
        200: withHeaders({ ...Ref(AssociateIdentityProviderConfigResponse), description: 'The same config was already associated; its association update is returned.' }, UPDATE_LOCATION),
        202: withHeaders({ ...Ref(AssociateIdentityProviderConfigResponse), description: 'The association started; follow the update at `Location`.' }, UPDATE_LOCATION)
      }
    }
  }, async (request, reply) => {
    const change = currentChange(request)
    const outcome = await scopedServices(request).identityProviderConfigs.associate(request.params.name, request.body, change.guard, { skipIssuerChecks: request.query.skipIssuerChecks ?? false })
    change.report({ resource: request.body.oidc.identityProviderConfigName, updateId: outcome.update.id, next: 'follow-update' })
    reply.code(outcome.kind === 'started' ? 202 : 200).header('location', scopedPath(request, updateLocation(request.params.name, outcome.update.id)))
    return {
      update: outcome.update,
      tags: outcome.tags,
      operationId: change.operationId,
      ...(outcome.kind === 'started' ? { issuerChecks: outcome.issuerChecks } : {})
    }
  })

  app.get('/clusters/:name/identity-provider-configs/:configName', {
    config: { auth: { action: 'read' }, problems: [EKS_CALL, 'ResourceNotFoundException'] },
    schema: {
      tags: ['identity-provider-configs'],
      operationId: 'describeIdentityProviderConfig',
      summary: 'Describe an OIDC identity provider config, with its status (CREATING, ACTIVE, DELETING)',
      description: 'Concurrent identical reads share one DescribeIdentityProviderConfig call, and the answer for an ACTIVE config may be reused for up to `CONFIG_CACHE_TTL_MS` (default 1 s; CREATING and DELETING are always read fresh); `Cache-Status` says whether it was. Send `Cache-Control: no-cache` to read EKS now. Changes made through this service are seen at once.',
      params: ConfigParams,
      headers: DescribeIdentityProviderConfigHeaders,
      response: { 200: withHeaders(Ref(DescribeIdentityProviderConfigResponse), CACHE_STATUS_HEADER) }
    }
  }, async (request, reply) => {
    const { value, source } = await scopedServices(request).identityProviderConfigs.describeRecent(request.params.name, request.params.configName, {
      fresh: asksForFresh(request.headers['cache-control'])
    })
    reply.header('cache-status', CACHE_STATUS[source])
    return { identityProviderConfig: { oidc: value } }
  })

  app.put('/clusters/:name/identity-provider-configs/:configName', {
    config: {
      change: { idempotency: 'optional', resource: 'param:configName' },
      problems: [...ASSOCIATION_PROBLEMS, 'ReplaceInProgress']
    },
    schema: {
      tags: ['identity-provider-configs'],
      operationId: REPLACE_ACTION,
      summary: 'Put a whole OIDC identity provider config: associate it, or replace the current one (disassociate, wait, associate)',
      description: REPLACE_DESCRIPTION,
      params: ConfigParams,
      querystring: ReplaceIdentityProviderConfigQuery,
      headers: IdempotencyKeyHeader,
      body: Ref(ReplaceIdentityProviderConfigRequest),
      response: {
        200: { ...Ref(ReplaceIdentityProviderConfigResponse), description: 'Nothing to do (`unchanged`), or the plan of a dry run (`dry-run`).' },
        202: withHeaders({ ...Ref(ReplaceIdentityProviderConfigResponse), description: 'The change started as an operation; follow it at `Location`.' },
          location('The operation carrying out the change: `/clusters/{name}/operations/{operationId}`.'))
      }
    }
  }, async (request, reply) => {
    const change = currentChange(request)
    const { operationId } = change
    const outcome = await scopedServices(request).replacements.replace({
      clusterName: request.params.name,
      configName: request.params.configName,
      desired: request.body,
      operationId,
      dryRun: change.dryRun,
      skipIssuerChecks: request.query.skipIssuerChecks ?? false
    })
    const body = replaceAnswer(outcome, operationId)
    if (outcome.kind !== 'started' || operationId === undefined) return body
    change.report({ next: 'run-steps' })
    return reply.code(202).header('location', scopedPath(request, operationLocation(request.params.name, operationId))).send(body)
  })

  app.delete('/clusters/:name/identity-provider-configs/:configName', {
    config: {
      change: { idempotency: 'optional', resource: 'param:configName' },
      problems: [
        EKS_CALL, 'ResourceNotFoundException', 'ResourceInUseException', 'InvalidRequestException'
      ]
    },
    schema: {
      tags: ['identity-provider-configs'],
      operationId: 'disassociateIdentityProviderConfig',
      summary: 'Disassociate an identity provider config (starts a 20 to 40 minute EKS update)',
      description: 'Answers 202 with the EKS update and a `Location` to follow it, or 204 when the config is already gone.',
      params: ConfigParams,
      headers: IdempotencyKeyHeader,
      response: {
        202: withHeaders({ ...Ref(DisassociateIdentityProviderConfigResponse), description: 'The disassociation started; follow the update at `Location`.' }, UPDATE_LOCATION),
        204: Type.Null({ description: 'The config was not associated (already gone).' })
      }
    }
  }, async (request, reply) => {
    const change = currentChange(request)
    const update = await scopedServices(request).identityProviderConfigs.disassociate(request.params.name, request.params.configName, change.guard)
    if (!update) return reply.code(204).send(null)
    change.report({ updateId: update.id, next: 'follow-update' })
    return reply.code(202).header('location', scopedPath(request, updateLocation(request.params.name, update.id))).send({ update, operationId: change.operationId })
  })
}

export default identityProviderConfigRoutes
