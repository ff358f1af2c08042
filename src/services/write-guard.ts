/**
 * What a service gets from the change pipeline before it writes to AWS: the token to send and a
 * recovery point to mark. One narrow object per request; no framework type, no callbacks to set.
 */
export const CLIENT_REQUEST_TOKEN_PREFIX = 'eks-oidc-api-'
const TOKEN_MIN = 33
const TOKEN_MAX = 126

export interface WriteGuard {
  /** Pass to EKS explicitly on every mutating call, so SDK auto-fill never applies. */
  readonly clientRequestToken: string
  /** An earlier attempt of this request may already have sent its write (a retry after a timeout or crash). */
  readonly resuming: boolean
  /**
   * Call right before the first mutating AWS call: makes the recovery point durable. Rejects with
   * a 409 problem when this request lost its claim to another replica (which then owns the work).
   */
  beforeWrite (): Promise<void>
  /** Undoes beforeWrite when the write was not sent after all, so a retry runs the checks again. Never rejects. */
  writeNotSent (): Promise<void>
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
 * A guard with nothing to record: a change without an idempotency record (no key sent, or the
 * body's own clientRequestToken), or a runner's step, which carries its own token.
 */
export function tokenOnlyGuard (clientRequestToken: string): WriteGuard {
  return { clientRequestToken, resuming: false, beforeWrite: async () => {}, writeNotSent: async () => {} }
}

/** The client's own token from a request body, if it sent one. */
export function bodyClientRequestToken (body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || !('clientRequestToken' in body)) return undefined
  const token = body.clientRequestToken
  return typeof token === 'string' && token !== '' ? token : undefined
}
