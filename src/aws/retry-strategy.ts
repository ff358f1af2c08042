import { StandardRetryStrategy } from '@smithy/util-retry'
import type { RetryErrorInfo, StandardRetryToken } from '@smithy/types'

/** Errors the SDK classifies as throttling but that are hard quotas: retrying cannot succeed. */
const NEVER_RETRIED = new Set(['LimitExceededException'])

/**
 * The SDK's standard retry strategy, except that IAM `LimitExceeded` (a quota, which the SDK files
 * under throttling) fails on the first attempt instead of three.
 */
export class QuotaAwareRetryStrategy extends StandardRetryStrategy {
  override async refreshRetryTokenForRetry (token: StandardRetryToken, errorInfo: RetryErrorInfo): Promise<StandardRetryToken> {
    if (NEVER_RETRIED.has(errorInfo.error?.name ?? '')) throw new Error(`${errorInfo.error?.name} is not retried`)
    return super.refreshRetryTokenForRetry(token, errorInfo)
  }
}
