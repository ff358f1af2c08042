import { Type } from 'typebox'
import { NextToken } from './common.ts'

export const Operation = Type.Object({
  id: Type.String({ description: 'Operation id (also in Associate and Disassociate answers as `operationId`).' }),
  principal: Type.String({ description: 'Who made the request.' }),
  action: Type.String({ description: 'The API operation, e.g. `associateIdentityProviderConfig`.' }),
  cluster: Type.String({ description: 'Cluster name.' }),
  resource: Type.Union([Type.String(), Type.Null()], { description: 'Config name, when the operation concerns one.' }),
  clientRequestToken: Type.Union([Type.String(), Type.Null()], { description: 'The EKS clientRequestToken sent for it.' }),
  updateId: Type.Union([Type.String(), Type.Null()], { description: 'The EKS update it started, for asynchronous operations.' }),
  status: Type.String({ description: '`pending`, `in_progress` (an EKS update runs), `succeeded` or `failed`.' }),
  error: Type.Union([Type.Object({
    code: Type.String({ description: 'Error code.' }),
    message: Type.String({ description: 'Error message.' })
  }, { additionalProperties: false }), Type.Null()], { description: 'Why it failed.' }),
  createdAt: Type.Unsafe<Date | string>({ type: 'string', format: 'date-time', description: 'When the request arrived.' }),
  updatedAt: Type.Unsafe<Date | string>({ type: 'string', format: 'date-time', description: 'Last change.' })
}, { $id: 'Operation', additionalProperties: false, description: 'This service\'s record of one mutating request.' })

export const OperationPage = Type.Object({
  items: Type.Array(Type.Ref('Operation'), { description: 'Operations, newest first.' }),
  nextToken: Type.Optional(NextToken)
}, { $id: 'OperationPage', additionalProperties: false })
