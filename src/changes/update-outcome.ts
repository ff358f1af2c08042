/**
 * What an operation that is one EKS update becomes when that update ends: the operation's status,
 * error and `details.update`, from the update's terminal state or from the error that ended the watch.
 */
import type { ErrorDetail, Update } from '@aws-sdk/client-eks'
import type { ServiceError } from '../errors.ts'
import { OperationStatus, type OperationError } from '../store/store.ts'

export interface UpdateOutcome {
  status: OperationStatus
  error: OperationError | null
  /** Absent when the update's state is not known (the watch ended on an error). */
  details?: { update: { status: string, errors?: ErrorDetail[] } }
}

const FAILURE_CODES: Readonly<Record<string, string>> = { Failed: 'UpdateFailed', Cancelled: 'UpdateCancelled' }

function reasonsOf (errors: ErrorDetail[]) {
  return errors.map(e => [e.errorCode, e.errorMessage].filter(Boolean).join(': ')).filter(Boolean).join('; ')
}

/** For an update in a terminal status: Successful, Failed or Cancelled. */
export function outcomeOfUpdate (update: Update): UpdateOutcome {
  const status = update.status ?? 'Unknown'
  const errors = update.errors ?? []
  const details = { update: { status, ...(errors.length > 0 ? { errors } : {}) } }
  if (status === 'Successful') return { status: OperationStatus.SUCCEEDED, error: null, details }
  const reasons = reasonsOf(errors)
  const message = `${update.id ? `EKS update ${update.id}` : 'The EKS update'} ended ${status}${reasons ? `: ${reasons}` : ''}`
  return { status: OperationStatus.FAILED, error: { code: FAILURE_CODES[status] ?? 'UpdateFailed', message }, details }
}

/** For a permanent error of the watch, such as the update no longer existing (404). */
export function outcomeOfWatchError (error: ServiceError): UpdateOutcome {
  return { status: OperationStatus.FAILED, error: { code: error.code, message: error.message } }
}
