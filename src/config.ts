/**
 * The service's configuration: every environment variable it reads, validated once at start.
 * Only src/server.ts reads process.env; everything else receives a frozen Config.
 */
import { boolean, integer, oneOf, readVariables, text, url } from './config-spec.ts'

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
  WATCH_POLL_INTERVAL_MS: integer({ min: 1, max: 300_000, defaultValue: 5000, description: 'First interval between DescribeUpdate calls for a watched update (`?wait=` and event streams), in milliseconds; it grows ×1.5 per poll up to WATCH_MAX_POLL_INTERVAL_MS. One poll loop per update serves every watcher. Tiny values are for tests only.' }),
  WATCH_MAX_POLL_INTERVAL_MS: integer({ min: 1, max: 600_000, defaultValue: 30_000, description: 'Longest interval between DescribeUpdate calls for a watched update, in milliseconds (throttling backs off up to it too).' }),
  WATCH_MAX_SECONDS: integer({ min: 1, max: 86_400, defaultValue: 3600, description: 'Longest life of an update event stream (`Accept: text/event-stream`), in seconds; it then ends with an `end` event (reason `max-duration`) and the client reconnects.' }),
  WATCH_HEARTBEAT_MS: integer({ min: 10, max: 300_000, defaultValue: 15_000, description: 'Interval of the heartbeat comment on update event streams, in milliseconds, so proxies keep idle streams open.' })
}

export type Config = Readonly<ReturnType<typeof readConfigVariables>>

function readConfigVariables (env: Record<string, string | undefined>) {
  return readVariables(configVariables, env)
}

export function loadConfig (env: Record<string, string | undefined> = {}): Config {
  return Object.freeze(readConfigVariables(env))
}
