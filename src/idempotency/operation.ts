/**
 * What the service layer gets from the idempotency layer, without any framework type: the
 * operation id and the EKS clientRequestToken to send, plus the recovery-point hook.
 */
import { randomUUID } from 'node:crypto'
import { RecoveryPoint } from '../store/store.ts'

export const CLIENT_REQUEST_TOKEN_PREFIX = 'eks-oidc-api-'
const TOKEN_MIN = 33
const TOKEN_MAX = 126

export interface OperationContext {
  /** Server-generated UUID; the same on every retry of one idempotent request. */
  operationId: string
  /** Pass to EKS explicitly on every mutating call so SDK auto-fill never applies. */
  clientRequestToken: string
  /** Where an earlier attempt stopped: `aws_call_issued` means EKS may already have the change. */
  recoveryPoint: RecoveryPoint
  /**
   * Call right before the first mutating AWS call. Rejects with a 409 problem if this request lost
   * its lease to another replica (which then owns the work).
   */
  markAwsCallIssued (): Promise<void>
  /**
   * Puts the recovery point back after markAwsCallIssued when the request ends without the AWS
   * call after all (a check before it failed), so that a retry runs those checks again. Best
   * effort: never rejects.
   */
  markAwsCallNotIssued (): Promise<void>
}

/** EKS accepts 33–126 characters; a UUID gives 49. Never derived from the client's own key. */
export function clientRequestTokenFor (operationId: string): string {
  const token = CLIENT_REQUEST_TOKEN_PREFIX + operationId
  if (token.length < TOKEN_MIN || token.length > TOKEN_MAX) {
    throw new RangeError(`clientRequestToken must be ${TOKEN_MIN}-${TOKEN_MAX} characters, got ${token.length}`)
  }
  return token
}

/**
 * Context for a request without an idempotency record (no key sent on an optional route, or a
 * client-supplied clientRequestToken instead of a key): a fresh operation id, nothing to persist.
 */
export function detachedOperation (clientRequestToken?: string): OperationContext {
  const operationId = randomUUID()
  return {
    operationId,
    clientRequestToken: clientRequestToken ?? clientRequestTokenFor(operationId),
    recoveryPoint: RecoveryPoint.STARTED,
    markAwsCallIssued: async () => {},
    markAwsCallNotIssued: async () => {}
  }
}

/** The client's own token from a request body, if it sent one. */
export function bodyClientRequestToken (body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || !('clientRequestToken' in body)) return undefined
  const token = body.clientRequestToken
  return typeof token === 'string' && token !== '' ? token : undefined
}
