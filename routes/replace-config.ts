import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { IdempotencyKeyHeader, Ref } from '../schemas/common.ts'
import { ReplaceIdentityProviderConfigRequest, ReplaceIdentityProviderConfigResponse } from '../schemas/replace.ts'
import { REPLACE_ACTION, STEP_DESCRIPTIONS, type ReplaceStep } from '../src/replace/plan.ts'
import { operationLocation, type ReplaceService } from '../src/replace/service.ts'
import { ConfigParams } from './identity-provider-configs.ts'
import { currentOperation } from './operation.ts'
import { problems } from './responses.ts'

const ReplaceQuery = Type.Object({
  dryRun: Type.Optional(Type.Boolean({ default: false, description: 'Answer the plan (steps, expected downtime) and change nothing.' })),
  skipIssuerChecks: Type.Optional(Type.Boolean({ default: false, description: 'Skip the network checks of the new issuer (for issuers reachable from AWS but not from this service).' }))
}, { additionalProperties: false })

const DESCRIPTION = [
  'Makes the config of the path equal to the body, however many EKS updates that takes. EKS configs cannot be changed in place, so:',
  '- the same config already associated: nothing happens, 200 `unchanged`;',
  '- no config of this name: one association, 202 `started`;',
  '- a config with other settings: a replacement, 202 `started`: disassociate it, wait until it is gone, associate the desired one.',
  '',
  'A started change is one operation, recorded before the answer and carried out by the service (it resumes after a restart, and only one replica drives it). Follow it at the `Location`, `/clusters/{name}/operations/{operationId}`: `details.steps` shows each step with its status and EKS update.',
  '',
  '**Downtime.** Between the completion of the disassociation and the completion of the association the cluster has no config, so logins through it fail: about one association, 20 to 40 minutes on AWS (`expectedDowntime`); the whole replacement takes 40 to 80 minutes (`expectedDuration`). `?dryRun=true` answers the plan and changes nothing.',
  '',
  'Everything refusable is checked before any write: the body\'s `identityProviderConfigName` must equal the path\'s (else 400), the cluster must have no other config, the new issuer must differ from the cluster\'s own and pass the pre-flight checks unless `skipIssuerChecks=true`. While a change of the same config runs, another PUT answers 409 `ReplaceInProgress` naming that `operationId`. With an `Idempotency-Key`, a retry replays the first answer.'
].join('\n')

const withDescriptions = (steps: ReplaceStep[]) => steps.map(step => ({ ...step, description: STEP_DESCRIPTIONS[step.name] }))

export interface ReplaceConfigRoutesOptions {
  replacements: ReplaceService
}

const replaceConfigRoutes: FastifyPluginAsyncTypebox<ReplaceConfigRoutesOptions> = async (app, { replacements }) => {
  app.put('/clusters/:name/identity-provider-configs/:configName', {
    config: { auth: { action: 'write' }, idempotency: 'optional' },
    schema: {
      tags: ['identity-provider-configs'],
      operationId: REPLACE_ACTION,
      summary: 'Put a whole OIDC identity provider config: associate it, or replace the current one (disassociate, wait, associate)',
      description: DESCRIPTION,
      params: ConfigParams,
      querystring: ReplaceQuery,
      headers: IdempotencyKeyHeader,
      body: Ref(ReplaceIdentityProviderConfigRequest),
      response: {
        200: { ...Ref(ReplaceIdentityProviderConfigResponse), description: 'Nothing to do (`unchanged`), or the plan of a dry run (`dry-run`).' },
        202: { ...Ref(ReplaceIdentityProviderConfigResponse), description: 'The change started as an operation; follow it at `Location`.' },
        ...problems(404, 409, 422)
      }
    },
    // After the operations plugin recorded the answer, so the runner's progress is never overwritten by it.
    onResponse: async (request, reply) => {
      const operationId = request.operation?.operationId
      if (reply.statusCode === 202 && operationId) replacements.begin(operationId)
    }
  }, async (request, reply) => {
    const operation = currentOperation(request)
    const outcome = await replacements.replace({
      clusterName: request.params.name,
      configName: request.params.configName,
      desired: request.body,
      operationId: operation.operationId,
      clientRequestToken: operation.clientRequestToken,
      principal: request.principal?.name ?? 'anonymous',
      dryRun: request.query.dryRun ?? false,
      skipIssuerChecks: request.query.skipIssuerChecks ?? false
    })
    const { kind, current, ...plan } = outcome
    const body = {
      outcome: kind,
      ...plan,
      steps: withDescriptions(plan.steps),
      ...(kind === 'dry-run' ? {} : { operationId: operation.operationId }),
      ...(current ? { identityProviderConfig: { oidc: current } } : {})
    }
    if (kind !== 'started') return body
    return reply.code(202).header('location', operationLocation(request.params.name, operation.operationId)).send(body)
  })
}

export default replaceConfigRoutes
