/**
 * The real AWS adapters: SDK clients with explicit timeouts and the standard retry mode, exposed
 * through the narrow ports the services use. `createAwsClients` builds the one pair of the
 * service's own account; the client pool (src/accounts/client-pool.ts) builds one per scope.
 */
import type { AwsCredentialIdentityProvider } from '@smithy/types'
import { EKS } from '@aws-sdk/client-eks'
import { IAM } from '@aws-sdk/client-iam'
import { STS } from '@aws-sdk/client-sts'
import { NodeHttpHandler } from '@smithy/node-http-handler'
import type { EksPort, IamPort, StsPort } from './ports.ts'
import { refuseHtmlAnswers } from './html-answers.ts'
import { QuotaAwareRetryStrategy } from './retry-strategy.ts'

export interface AwsClients {
  eks: EksPort
  iam: IamPort
  destroy (): void
}

/** Name of the AWS SDK's own logging middleware. */
export const SDK_LOGGER_STEP = 'loggerMiddleware'

/** The settings of the SDK clients: this part of the service's config (src/config.ts). */
export interface AwsClientConfig {
  AWS_REGION: string
  AWS_ENDPOINT_URL_EKS?: string
  AWS_ENDPOINT_URL_IAM?: string
  AWS_ENDPOINT_URL_STS?: string
  AWS_MAX_ATTEMPTS: number
  AWS_CONNECT_TIMEOUT_MS: number
  AWS_REQUEST_TIMEOUT_MS: number
}

/** Where and as whom one client calls: its region, and credentials (absent: the SDK's default chain). */
export interface ClientTarget {
  region: string
  credentials?: AwsCredentialIdentityProvider
}

interface SdkClient {
  destroy (): void
  middlewareStack: { remove (name: string): unknown, use (plugin: typeof refuseHtmlAnswers): void }
}

function commonOptions (config: AwsClientConfig, target: ClientTarget) {
  return {
    region: target.region,
    ...(target.credentials ? { credentials: target.credentials } : {}),
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
}

/**
 * The SDK's logger step copies every input and output through its sensitive-data filters even for
 * its no-op logger; AWS calls are logged and measured by src/aws instead (wrap-port.ts). HTML pages
 * from something in front of AWS are refused before the SDK parses them (html-answers.ts).
 */
function prepared<C extends SdkClient> (client: C): C {
  client.middlewareStack.remove(SDK_LOGGER_STEP)
  client.middlewareStack.use(refuseHtmlAnswers)
  return client
}

const endpoint = (url: string | undefined) => url ? { endpoint: url } : {}

// The aggregated clients (EKS, IAM, STS) expose one method per operation, which is exactly the ports' shape.
export function createEksClient (config: AwsClientConfig, target: ClientTarget): EKS & EksPort {
  return prepared(new EKS({ ...commonOptions(config, target), ...endpoint(config.AWS_ENDPOINT_URL_EKS) }))
}

export function createIamClient (config: AwsClientConfig, target: ClientTarget): IAM & IamPort {
  return prepared(new IAM({ ...commonOptions(config, target), ...endpoint(config.AWS_ENDPOINT_URL_IAM) }))
}

/** Regional STS: the SDK's v3 default is the regional endpoint of `target.region`. */
export function createStsClient (config: AwsClientConfig, target: ClientTarget): STS & StsPort {
  return prepared(new STS({ ...commonOptions(config, target), ...endpoint(config.AWS_ENDPOINT_URL_STS) }))
}

export function createAwsClients (config: AwsClientConfig): AwsClients {
  const target = { region: config.AWS_REGION }
  const eks = createEksClient(config, target)
  const iam = createIamClient(config, target)
  return {
    eks,
    iam,
    destroy () {
      eks.destroy()
      iam.destroy()
    }
  }
}
