import { Type } from 'typebox'
import { ClusterNameParams, NextToken, Ref } from './common.ts'
import { AwsCall } from './audit.ts'
import { ErrorDetail } from './eks.ts'
import { ReplaceIdentityProviderConfigRequest, ReplaceStep } from './replace.ts'
import { MigrationRunStep } from './pod-identity-migration.ts'

export const OperationDetails = Type.Object({
  httpStatus: Type.Optional(Type.Integer({ description: 'HTTP status of the answer to the request.' })),
  requestId: Type.Optional(Type.String({ description: 'Id of the request that started the operation.' })),
  desired: Type.Optional(Ref(ReplaceIdentityProviderConfigRequest, { description: 'Config replacements: the desired config.' })),
  steps: Type.Optional(Type.Array(Type.Union([Ref(ReplaceStep), Ref(MigrationRunStep)]), { description: 'Multi-step operations (config replacements, Pod Identity migrations): each step with its status, EKS update or resource, and times.' })),
  update: Type.Optional(Type.Object({
    status: Type.String({ description: 'The terminal status of the EKS update: `Successful`, `Failed` or `Cancelled`.' }),
    errors: Type.Optional(Type.Array(Ref(ErrorDetail), { description: 'Why the update failed, as EKS says.' }))
  }, { additionalProperties: false, description: 'Associations and disassociations: how their EKS update ended.' }))
}, { additionalProperties: false, description: 'What the service recorded about the operation.' })

export const Operation = Type.Object({
  id: Type.String({ description: 'Operation id (also in Associate and Disassociate answers as `operationId`).' }),
  principal: Type.String({ description: 'Who made the request.' }),
  action: Type.String({ description: 'The API operation, e.g. `associateIdentityProviderConfig`.' }),
  cluster: Type.String({ description: 'Cluster name.' }),
  accountId: Type.Union([Type.String(), Type.Null()], { description: 'AWS account of the cluster; null for the implicit account of a service without registry, and on records older than the registry.' }),
  region: Type.Union([Type.String(), Type.Null()], { description: 'AWS region of the cluster; null on records older than the registry.' }),
  resource: Type.Union([Type.String(), Type.Null()], { description: 'The resource acted on: the config name, or the IAM OIDC provider ARN.' }),
  clientRequestToken: Type.Union([Type.String(), Type.Null()], { description: 'The EKS clientRequestToken sent for it.' }),
  updateId: Type.Union([Type.String(), Type.Null()], { description: 'The EKS update it started, for asynchronous operations.' }),
  status: Type.Union([Type.Literal('pending'), Type.Literal('in_progress'), Type.Literal('succeeded'), Type.Literal('failed')], {
    description: '`pending`, `in_progress` (an EKS update runs; followed by the service until it ends), `succeeded` or `failed`.'
  }),
  error: Type.Union([Type.Object({
    code: Type.String({ description: 'Error code.' }),
    message: Type.String({ description: 'Error message.' })
  }, { additionalProperties: false }), Type.Null()], { description: 'Why it failed.' }),
  details: OperationDetails,
  awsCalls: Type.Array(Ref(AwsCall), { description: 'The AWS calls made for it, by every attempt of the request, in order (not the steps of a runner).' }),
  createdAt: Type.Unsafe<Date | string>({ type: 'string', format: 'date-time', description: 'When the request arrived.' }),
  updatedAt: Type.Unsafe<Date | string>({ type: 'string', format: 'date-time', description: 'Last change.' })
}, { $id: 'Operation', additionalProperties: false, description: 'This service\'s record of one mutating request.' })

export const OperationPage = Type.Object({
  items: Type.Array(Type.Ref('Operation'), { description: 'Operations, newest first.' }),
  nextToken: Type.Optional(NextToken)
}, { $id: 'OperationPage', additionalProperties: false })

export const OperationParams = Type.Object({
  operationId: Type.String({ format: 'uuid', description: 'Operation id.' })
}, { additionalProperties: false })

export const ClusterOperationParams = Type.Object({
  ...ClusterNameParams.properties,
  ...OperationParams.properties
}, { additionalProperties: false })

export const ListOperationsQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: 'Page size, 1 to 100 (default 50).' })),
  nextToken: Type.Optional(NextToken)
}, { additionalProperties: false })
