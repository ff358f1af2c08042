/**
 * Times, counts and logs every AWS call at the port level: the services stay unaware. Each call
 * is logged through the current request's logger, so a request's log shows the calls it caused.
 * An answer that could not be read becomes the AwsResponseUnreadable problem here, where the
 * service and operation are known; its details (the SDK's message, the HTTP status, the AWS
 * request id) go to the log at warn, never to the caller.
 */
import { isThrottlingError } from '../aws/throttling.ts'
import { EKS_OPERATIONS, IAM_OPERATIONS, STS_OPERATIONS, wrapPort } from '../aws/wrap-port.ts'
import { awsResponseUnreadable, unreadableAnswer, type UnreadableAnswer } from '../aws/errors.ts'
import type { EksPort, IamPort, StsPort } from '../aws/ports.ts'
import type { AwsCallScope, AwsOutcome, AwsService, ServiceMetrics } from './metrics.ts'
import { contextLogger, currentRequestContext, type Logger } from './request-context.ts'

interface ResponseMetadata { $metadata?: { requestId?: string, attempts?: number } }

/** Port methods are the SDK's camelCase command names; AWS names the operation in PascalCase. */
const awsOperationName = (method: string) => method.charAt(0).toUpperCase() + method.slice(1)

function instrument<P extends object> (service: AwsService, port: P, operations: Record<keyof P, true>, metrics: ServiceMetrics, logger: Logger, where: AwsCallScope): P {
  return wrapPort(port, operations, async (operation, call) => {
    const started = performance.now()
    let outcome: AwsOutcome = 'success'
    let metadata: ResponseMetadata['$metadata']
    let errorName: string | undefined
    let unreadable: UnreadableAnswer | undefined
    try {
      const output = await call() as ResponseMetadata | undefined
      metadata = output?.$metadata
      return output
    } catch (error) {
      outcome = isThrottlingError(error) ? 'throttled' : 'error'
      metadata = (error as ResponseMetadata | undefined)?.$metadata
      unreadable = unreadableAnswer(error)
      if (unreadable === undefined) {
        errorName = (error as Error | undefined)?.name
        throw error
      }
      const mapped = awsResponseUnreadable(service, operation, unreadable, error)
      errorName = mapped.code
      throw mapped
    } finally {
      const ms = performance.now() - started
      const attempts = metadata?.attempts ?? 1
      metrics.observeAwsCall({ service, operation, outcome }, ms / 1000, attempts - 1, where)
      const line = { service, operation, outcome, ms: Math.round(ms * 10) / 10, attempts, awsRequestId: metadata?.requestId, ...(errorName ? { error: errorName } : {}) }
      currentRequestContext()?.awsCalls.push({ service, operation: awsOperationName(operation), outcome, ...(errorName ? { error: errorName } : {}), ...(metadata?.requestId ? { awsRequestId: metadata.requestId } : {}) })
      const log = contextLogger(logger)
      if (outcome === 'success') log.debug(line, 'aws call')
      else if (unreadable) log.warn({ ...line, httpStatus: unreadable.httpStatus, sdkMessage: unreadable.sdkMessage }, 'aws call failed: the answer could not be read')
      else log.info(line, 'aws call failed')
    }
  })
}

export function instrumentEks (port: EksPort, metrics: ServiceMetrics, logger: Logger, where: AwsCallScope = {}): EksPort {
  return instrument('eks', port, EKS_OPERATIONS, metrics, logger, where)
}

export function instrumentIam (port: IamPort, metrics: ServiceMetrics, logger: Logger, where: AwsCallScope = {}): IamPort {
  return instrument('iam', port, IAM_OPERATIONS, metrics, logger, where)
}

export function instrumentSts (port: StsPort, metrics: ServiceMetrics, logger: Logger, where: AwsCallScope = {}): StsPort {
  return instrument('sts', port, STS_OPERATIONS, metrics, logger, where)
}
