/**
 * The real AWS adapters: SDK clients built once, with explicit timeouts and the standard retry
 * mode, exposed through the narrow ports the services use.
 */
import { EKS } from '@aws-sdk/client-eks'
import { IAM } from '@aws-sdk/client-iam'
import { NodeHttpHandler } from '@smithy/node-http-handler'
import type { Config } from '../config.ts'
import type { EksPort, IamPort } from './ports.ts'
import { refuseHtmlAnswers } from './html-answers.ts'
import { QuotaAwareRetryStrategy } from './retry-strategy.ts'

export interface AwsClients {
  eks: EksPort
  iam: IamPort
  destroy (): void
}

/** Name of the AWS SDK's own logging middleware. */
export const SDK_LOGGER_STEP = 'loggerMiddleware'

type AwsClientConfig = Pick<Config, 'AWS_REGION' | 'AWS_ENDPOINT_URL_EKS' | 'AWS_ENDPOINT_URL_IAM' | 'AWS_MAX_ATTEMPTS' | 'AWS_CONNECT_TIMEOUT_MS' | 'AWS_REQUEST_TIMEOUT_MS'>

export function createAwsClients (config: AwsClientConfig): AwsClients {
  const common = {
    region: config.AWS_REGION,
    retryStrategy: new QuotaAwareRetryStrategy(config.AWS_MAX_ATTEMPTS),
    // Resolve each operation's middleware chain once instead of on every call (no call passes
    // per-call options, which would bypass the cache).
    cacheMiddleware: true,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: config.AWS_CONNECT_TIMEOUT_MS,
      requestTimeout: config.AWS_REQUEST_TIMEOUT_MS,
      // Without it the handler only logs a warning when requestTimeout passes, and the call waits on.
      throwOnRequestTimeout: true
    })
  }
  // The aggregated clients (EKS, IAM) expose one method per operation, which is exactly the ports' shape.
  const eks = new EKS({ ...common, ...(config.AWS_ENDPOINT_URL_EKS ? { endpoint: config.AWS_ENDPOINT_URL_EKS } : {}) })
  const iam = new IAM({ ...common, ...(config.AWS_ENDPOINT_URL_IAM ? { endpoint: config.AWS_ENDPOINT_URL_IAM } : {}) })
  // The SDK's logger step copies every input and output through its sensitive-data filters even for
  // its no-op logger; AWS calls are logged and measured by src/aws instead (wrap-port.ts).
  // HTML pages from something in front of AWS are refused before the SDK parses them (html-answers.ts).
  for (const client of [eks, iam]) {
    client.middlewareStack.remove(SDK_LOGGER_STEP)
    client.middlewareStack.use(refuseHtmlAnswers)
  }
  return {
    eks,
    iam,
    destroy () {
      eks.destroy()
      iam.destroy()
    }
  }
}
