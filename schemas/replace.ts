import { Type, type Static } from 'typebox'
import { Ref, TagMap } from './common.ts'
import { OidcIdentityProviderConfig, OidcIdentityProviderConfigRequest } from './eks.ts'

export const ReplaceIdentityProviderConfigRequest = Type.Object({
  oidc: Ref(OidcIdentityProviderConfigRequest),
  tags: Type.Optional(Ref(TagMap))
}, { $id: 'ReplaceIdentityProviderConfigRequest', additionalProperties: false, description: 'The whole desired config. `oidc.identityProviderConfigName` must equal the `configName` of the path.' })

export const ReplaceStep = Type.Object({
  name: Type.Union([Type.Literal('disassociate'), Type.Literal('wait-gone'), Type.Literal('associate')], { description: 'Step: `disassociate` the current config, `wait-gone` until EKS no longer lists it, `associate` the desired one.' }),
  status: Type.Union([Type.Literal('pending'), Type.Literal('in_progress'), Type.Literal('succeeded'), Type.Literal('skipped'), Type.Literal('failed')], { description: '`pending`, `in_progress`, `succeeded`, `skipped` (nothing to do, e.g. the config was already gone) or `failed`.' }),
  description: Type.Optional(Type.String({ description: 'What the step does (in plans and fresh answers).' })),
  clientRequestToken: Type.Optional(Type.String({ description: 'The EKS clientRequestToken of the step, derived from the operation id: a resumed step never starts a second update.' })),
  updateId: Type.Optional(Type.String({ description: 'The EKS update the step started; follow it at `/clusters/{name}/updates/{updateId}`.' })),
  startedAt: Type.Optional(Type.String({ format: 'date-time', description: 'When the step started.' })),
  endedAt: Type.Optional(Type.String({ format: 'date-time', description: 'When the step ended.' })),
  note: Type.Optional(Type.String({ description: 'Why the step was skipped or failed.' }))
}, { $id: 'ReplaceStep', additionalProperties: false, description: 'One step of a config replacement.' })

export const MinutesRange = Type.Object({
  minMinutes: Type.Integer({ description: 'Lower end, in minutes.' }),
  maxMinutes: Type.Integer({ description: 'Upper end, in minutes.' })
}, { $id: 'MinutesRange', additionalProperties: false, description: 'A range of minutes, from what AWS typically takes.' })

export const ReplaceIdentityProviderConfigResponse = Type.Object({
  outcome: Type.Union([Type.Literal('unchanged'), Type.Literal('dry-run'), Type.Literal('started')], { description: '`unchanged` (the desired config is already associated; nothing was done), `dry-run` (the plan; nothing was done) or `started` (an operation now carries out the steps).' }),
  plan: Type.Union([Type.Literal('unchanged'), Type.Literal('associate'), Type.Literal('replace')], { description: '`unchanged`, `associate` (no config yet: one association) or `replace` (disassociate, wait until gone, associate).' }),
  operationId: Type.Optional(Type.String({ description: 'The operation carrying out the steps; follow it at the `Location`.' })),
  identityProviderConfig: Type.Optional(Type.Object({
    oidc: Ref(OidcIdentityProviderConfig)
  }, { additionalProperties: false, description: 'The config associated now (unchanged answers and dry runs).' })),
  steps: Type.Array(Ref(ReplaceStep), { description: 'The steps, in order; empty when unchanged.' }),
  expectedDowntime: Type.Union([Ref(MinutesRange), Type.Null()], { description: 'How long logins through the config will not work: from the completion of the disassociation until the completion of the association, about one association (20 to 40 minutes on AWS). Null when there is none.' }),
  expectedDuration: Ref(MinutesRange, { description: 'How long the whole change takes: 20 to 40 minutes per EKS update (two for a replacement).' }),
  issuerChecks: Type.Optional(Type.Union([Type.Literal('passed'), Type.Literal('skipped')], { description: 'Whether the new issuer\'s pre-flight checks ran and passed, or were skipped with `skipIssuerChecks=true`.' }))
}, { $id: 'ReplaceIdentityProviderConfigResponse', additionalProperties: false })

export const ReplaceIdentityProviderConfigQuery = Type.Object({
  dryRun: Type.Optional(Type.Boolean({ default: false, description: 'Answer the plan (steps, expected downtime) and change nothing.' })),
  skipIssuerChecks: Type.Optional(Type.Boolean({ default: false, description: 'Skip the network checks of the new issuer (for issuers reachable from AWS but not from this service).' }))
}, { additionalProperties: false })

export type ReplaceIdentityProviderConfigRequest = Static<typeof ReplaceIdentityProviderConfigRequest>
