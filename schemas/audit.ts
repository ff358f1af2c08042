/** The audit trail as the API answers it (GET /audit). */
import { Type } from 'typebox'
import { ACCOUNT_ID_PATTERN, Ref, REGION_PATTERN } from './common.ts'

/** How a request ended, for the audit trail. */
export const AuditOutcome = { SUCCEEDED: 'succeeded', FAILED: 'failed', DENIED: 'denied', REPLAYED: 'replayed' } as const
export type AuditOutcome = typeof AuditOutcome[keyof typeof AuditOutcome]

export const AuditOutcomeSchema = Type.Enum(Object.values(AuditOutcome), {
  description: '`succeeded`, `failed` (an error status), `denied` (401/403) or `replayed` (an idempotent replay).'
})

export const AwsCall = Type.Object({
  service: Type.Union([Type.Literal('eks'), Type.Literal('iam'), Type.Literal('sts')], { description: 'The AWS service called (sts: the AssumeRole of a registry account).' }),
  operation: Type.String({ description: 'The AWS operation, e.g. `AssociateIdentityProviderConfig`.' }),
  outcome: Type.Union([Type.Literal('success'), Type.Literal('error'), Type.Literal('throttled')], { description: 'How the call ended (after the SDK\'s retries).' }),
  error: Type.Optional(Type.String({ description: 'The AWS exception name of a failed call.' })),
  awsRequestId: Type.Optional(Type.String({ description: 'The AWS request id, for CloudTrail and AWS support.' }))
}, { $id: 'AwsCall', additionalProperties: false, description: 'One AWS call a request made.' })

export const AuditRecordSchema = Type.Object({
  id: Type.String({ description: 'Unique id of the record.' }),
  time: Type.String({ format: 'date-time', description: 'When the response was sent.' }),
  principal: Type.String({ description: 'Who acted: a token name, `jwt:<claim>`, `anonymous`, or `(unauthenticated)`.' }),
  action: Type.String({ description: 'operationId of the route, e.g. `associateIdentityProviderConfig`.' }),
  cluster: Type.Optional(Type.String({ description: 'EKS cluster named by the request.' })),
  accountId: Type.Optional(Type.String({ description: 'AWS account the request acted in (absent for the implicit account of a service without registry, and on records older than the registry).' })),
  region: Type.Optional(Type.String({ description: 'AWS region the request acted in.' })),
  resource: Type.Optional(Type.String({ description: 'Name or ARN of the resource acted on.' })),
  outcome: AuditOutcomeSchema,
  status: Type.Integer({ description: 'HTTP status answered.' }),
  requestId: Type.String({ description: 'Request id (also sent as X-Request-Id).' }),
  clientRequestToken: Type.Optional(Type.String({ description: 'EKS clientRequestToken used, if any.' })),
  awsRequestId: Type.Optional(Type.String({ description: 'AWS request id of the last AWS call, if any.' })),
  operationId: Type.Optional(Type.String({ format: 'uuid', description: 'The operation the request started, continued or replayed; absent for dry runs and refused requests.' })),
  dryRun: Type.Boolean({ description: 'True for a dry run (`dryRun=true`): nothing was changed and no operation recorded.' }),
  awsCalls: Type.Array(Ref(AwsCall), { description: 'The AWS calls the request made, in order (empty for replays and refused requests).' })
}, { additionalProperties: false, description: 'One request to a mutating route, however it ended.' })

export const AuditRecordPageSchema = Type.Object({
  items: Type.Array(AuditRecordSchema, { description: 'Records of this page.' }),
  nextToken: Type.Optional(Type.String({ description: 'Pass as `nextToken` to get the next page; absent on the last page.' }))
}, { additionalProperties: false })

export const ListAuditRecordsQuery = Type.Object({
  principal: Type.Optional(Type.String({ minLength: 1, maxLength: 300, description: 'Only records of this principal.' })),
  cluster: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Only records about this cluster.' })),
  action: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Only records of this action (operationId).' })),
  accountId: Type.Optional(Type.String({ pattern: ACCOUNT_ID_PATTERN, description: 'Only records of requests in this AWS account.' })),
  region: Type.Optional(Type.String({ pattern: REGION_PATTERN, description: 'Only records of requests in this AWS region.' })),
  outcome: Type.Optional(AuditOutcomeSchema),
  since: Type.Optional(Type.String({ format: 'date-time', description: 'Only records at or after this time.' })),
  until: Type.Optional(Type.String({ format: 'date-time', description: 'Only records before this time.' })),
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 50, description: 'Page size, 1 to 100.' }),
  nextToken: Type.Optional(Type.String({ minLength: 1, maxLength: 2048, description: 'Cursor from the previous page.' }))
}, { additionalProperties: false })
