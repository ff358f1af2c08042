/**
 * The service's configuration: every environment variable it reads, validated once at start.
 * Only src/server.ts reads process.env; everything else receives a frozen Config.
 */
import { boolean, integer, list, oneOf, readVariables, text, url } from './config-spec.ts'

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
  EGRESS_ALLOW_LIST: list({ defaultValue: [], example: '127.0.0.1/32', description: 'CIDRs, addresses or host names exempt from the SSRF address rules (comma-separated). Empty in production; the sandbox and tests use it to reach loopback issuers.' }),
  EGRESS_ALLOWED_PORTS: list({ defaultValue: ['443'], item: /^\d{1,5}$/, rule: 'must be comma-separated port numbers', description: 'Ports the service may contact on caller-supplied issuers (comma-separated).' }),
  EGRESS_CA_FILE: text({ example: '/etc/ssl/private-ca.pem', description: 'PEM file of extra CA certificates to trust when fetching issuers (e.g. a private CA, or the sandbox emulator\'s CA).' }),
  EGRESS_TIMEOUT_MS: integer({ min: 100, max: 60_000, defaultValue: 5000, description: 'Deadline of each issuer fetch or TLS handshake, in milliseconds.' }),
  EGRESS_MAX_BODY_BYTES: integer({ min: 1024, max: 10_485_760, defaultValue: 262_144, description: 'Largest discovery document or JWKS read from an issuer, in bytes.' }),
  THUMBPRINT_CACHE_TTL_SECONDS: integer({ min: 0, max: 3600, defaultValue: 60, description: 'How long an issuer host\'s certificate chain and thumbprint are reused (0: no cache; concurrent requests still share one handshake).' })
}

export type Config = Readonly<ReturnType<typeof readConfigVariables>>

function readConfigVariables (env: Record<string, string | undefined>) {
  return readVariables(configVariables, env)
}

export function loadConfig (env: Record<string, string | undefined> = {}): Config {
  return Object.freeze(readConfigVariables(env))
}
