/**
 * The service's configuration: every environment variable it reads, validated once at start.
 * Only src/server.ts reads process.env; everything else receives a frozen Config.
 */
import { boolean, decimal, integer, oneOf, readVariables, text, url } from './config-spec.ts'

export const configVariables = {
  PORT: integer({ min: 0, max: 65535, defaultValue: 3000, description: 'TCP port to listen on.' }),
  HOST: text({ defaultValue: '127.0.0.1', description: 'Address to listen on. The container image sets 0.0.0.0.' }),
  LOG_LEVEL: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, { defaultValue: 'info', description: 'pino log level.' }),
  TRUST_PROXY: boolean({ defaultValue: false, description: 'Trust X-Forwarded-* headers from a reverse proxy in front of the service.' }),
  BODY_LIMIT_BYTES: integer({ min: 1024, max: 10_485_760, defaultValue: 65_536, description: 'Largest accepted request body, in bytes.' }),
  AWS_REGION: text({ defaultValue: 'us-east-1', pattern: /^[a-z]{2}(-[a-z]+)+-\d$/, rule: 'must be an AWS region such as us-east-1', description: 'AWS region of the EKS clusters. Credentials come from the AWS SDK default chain (env, profile, web identity, instance role).' }),
  AWS_ENDPOINT_URL_EKS: url({ protocols: ['http:', 'https:'], example: 'http://127.0.0.1:4566', description: 'Override of the EKS endpoint, e.g. the local emulator. Unset: the real regional endpoint.' }),
  AWS_ENDPOINT_URL_IAM: url({ protocols: ['http:', 'https:'], example: 'http://127.0.0.1:4566', description: 'Override of the IAM endpoint, e.g. the local emulator. Unset: the real global endpoint.' }),
  AWS_MAX_ATTEMPTS: integer({ min: 1, max: 10, defaultValue: 3, description: 'Attempts per AWS call (standard retry mode). IAM LimitExceeded is never retried.' }),
  AWS_CONNECT_TIMEOUT_MS: integer({ min: 100, max: 60_000, defaultValue: 3000, description: 'Connection timeout of AWS calls, in milliseconds.' }),
  AWS_REQUEST_TIMEOUT_MS: integer({ min: 100, max: 120_000, defaultValue: 10_000, description: 'Per-attempt timeout of AWS calls, in milliseconds.' }),
  SHUTDOWN_DELAY_MS: integer({ min: 0, max: 600_000, defaultValue: 10_000, description: 'After SIGTERM or SIGINT, how long in-flight requests may take to finish before the process exits anyway (exit code 1). Keep it below the orchestrator\'s grace period.' }),
  SHUTDOWN_DRAIN_MS: integer({ min: 0, max: 60_000, defaultValue: 1000, description: 'At shutdown, how long open keep-alive connections may drain (each gets its next answer, a 503 problem, with Connection: close) before idle ones are closed; part of SHUTDOWN_DELAY_MS.' }),
  MAX_EVENT_LOOP_DELAY_MS: integer({ min: 0, max: 60_000, defaultValue: 1000, description: 'Overload: answer 503 (with Retry-After) while the mean event-loop delay is above this, in milliseconds. 0 turns the check off.' }),
  MAX_EVENT_LOOP_UTILIZATION: decimal({ min: 0, max: 1, defaultValue: 0.98, description: 'Overload: answer 503 while event-loop utilisation (0 to 1) is above this. 0 turns the check off.' }),
  MAX_HEAP_BYTES: integer({ min: 0, max: Number.MAX_SAFE_INTEGER, defaultValue: 0, description: 'Overload: answer 503 while the used V8 heap is above this many bytes. 0 (default) turns the check off.' }),
  MAX_RSS_BYTES: integer({ min: 0, max: Number.MAX_SAFE_INTEGER, defaultValue: 0, description: 'Overload: answer 503 while the resident set size is above this many bytes. 0 (default) turns the check off.' }),
  CLUSTER_CACHE_TTL_SECONDS: integer({ min: 0, max: 86_400, defaultValue: 300, description: 'How long a cluster\'s identity (ARN, OIDC issuer) from DescribeCluster is reused, in seconds. Only ACTIVE or UPDATING clusters with an issuer are cached. 0 turns the cache off.' }),
  CLUSTER_CACHE_MAX: integer({ min: 1, max: 1_000_000, defaultValue: 1000, description: 'Most cluster identities kept in the cache; the least recently used go first.' }),
  FLEET_CONCURRENCY: integer({ min: 1, max: 256, defaultValue: 16, description: 'Fleet view (GET /clusters?include=...): clusters inspected at once, and the most AWS calls in flight per service.' }),
  FLEET_RATE_PER_SECOND: integer({ min: 1, max: 1000, defaultValue: 10, description: 'Fleet view: starting rate of AWS calls per second and service (eks, iam). It grows while calls succeed and halves when AWS throttles.' }),
  FLEET_MAX_RATE_PER_SECOND: integer({ min: 1, max: 1000, defaultValue: 50, description: 'Fleet view: highest rate of AWS calls per second and service the adaptive limiter may reach.' })
}

export type Config = Readonly<ReturnType<typeof readConfigVariables>>

function readConfigVariables (env: Record<string, string | undefined>) {
  return readVariables(configVariables, env)
}

export function loadConfig (env: Record<string, string | undefined> = {}): Config {
  return Object.freeze(readConfigVariables(env))
}
