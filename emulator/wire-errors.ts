/**
 * Errors as the emulated services put them on the wire. EKS errors are rendered as restJson1
 * (`X-Amzn-Errortype` + `{"message"}`), IAM and STS errors as awsQuery `<ErrorResponse>` documents.
 */
export type EksErrorType =
  | 'ResourceNotFoundException' | 'InvalidParameterException' | 'InvalidRequestException'
  | 'ResourceInUseException' | 'ResourceLimitExceededException' | 'ClientException' | 'ServerException' | 'ThrottlingException'
  | 'BadRequestException' | 'NotFoundException' | 'SerializationException' | 'UnknownOperationException'
  | 'UnrecognizedClientException' | 'ExpiredTokenException'

const EKS_STATUS: Record<EksErrorType, number> = {
  ResourceNotFoundException: 404,
  InvalidParameterException: 400,
  InvalidRequestException: 400,
  ResourceInUseException: 409,
  ResourceLimitExceededException: 400,
  ClientException: 400,
  ServerException: 500,
  ThrottlingException: 429,
  BadRequestException: 400,
  NotFoundException: 404,
  SerializationException: 400,
  UnknownOperationException: 404,
  UnrecognizedClientException: 403,
  ExpiredTokenException: 403
}

export class EksError extends Error {
  readonly type: EksErrorType
  readonly status: number
  /** Extra members of the error shape, e.g. `clusterName`. */
  readonly members: Record<string, string>

  constructor (type: EksErrorType, message: string, members: Record<string, string | undefined> = {}) {
    super(message)
    this.name = type
    this.type = type
    this.status = EKS_STATUS[type]
    this.members = Object.fromEntries(Object.entries(members).filter((entry): entry is [string, string] => entry[1] !== undefined))
  }
}

export type IamErrorCode =
  | 'NoSuchEntity' | 'EntityAlreadyExists' | 'InvalidInput' | 'LimitExceeded' | 'ConcurrentModification'
  | 'ServiceFailure' | 'Throttling' | 'ValidationError' | 'InvalidAction' | 'MalformedQueryString'
  | 'MalformedPolicyDocument' | 'DeleteConflict'
  // STS, and the signature checks of every awsQuery service
  | 'AccessDenied' | 'RegionDisabledException' | 'PackedPolicyTooLarge' | 'InvalidClientTokenId' | 'ExpiredToken'

const IAM_STATUS: Record<IamErrorCode, number> = {
  NoSuchEntity: 404,
  EntityAlreadyExists: 409,
  InvalidInput: 400,
  LimitExceeded: 409,
  ConcurrentModification: 409,
  ServiceFailure: 500,
  Throttling: 400,
  ValidationError: 400,
  InvalidAction: 400,
  MalformedQueryString: 404,
  MalformedPolicyDocument: 400,
  DeleteConflict: 409,
  AccessDenied: 403,
  RegionDisabledException: 403,
  PackedPolicyTooLarge: 400,
  InvalidClientTokenId: 403,
  ExpiredToken: 403
}

export class QueryError extends Error {
  readonly code: IamErrorCode
  readonly status: number
  readonly type: 'Sender' | 'Receiver'

  constructor (code: IamErrorCode, message: string) {
    super(message)
    this.name = code
    this.code = code
    this.status = IAM_STATUS[code]
    this.type = code === 'ServiceFailure' ? 'Receiver' : 'Sender'
  }
}

/** The AWS validation wording for a missing required member, alone and as one error of a request. */
export const nullMember = (member: string) => `Value null at '${member}' failed to satisfy constraint: Member must not be null`
export const missingMember = (member: string) => `1 validation error detected: ${nullMember(member)}`
