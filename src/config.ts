/**
 * The service's configuration: every environment variable it reads, validated once at start.
 * Only src/server.ts reads process.env; everything else receives a frozen Config.
 */
import { authConfigFromEnv, AuthConfigError, type AuthConfig } from './auth/config.ts'
import { rateLimitConfigFromEnv, type RateLimitConfig } from './auth/rate-limit-config.ts'
import { AccountRegistryError, accountRegistryFromEnv, type AccountRegistry } from './accounts/registry.ts'
import { boolean, ConfigError, integer, list, oneOf, readVariables, text, url } from './config-spec.ts'

export const configVariables = {
  PORT: integer({ min: 0, max: 65535, defaultValue: 3000, description: 'TCP port to listen on.' }),
  HOST: text({ defaultValue: '127.0.0.1', description: 'Address to listen on. The container image sets 0.0.0.0.' }),
  LOG_LEVEL: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, { defaultValue: 'info', description: 'pino log level.' }),
  TRUST_PROXY: boolean({ defaultValue: false, description: 'Trust X-Forwarded-* headers from a reverse proxy in front of the service.' }),
  BODY_LIMIT_BYTES: integer({ min: 1024, max: 10_485_760, defaultValue: 65_536, description: 'Largest accepted request body, in bytes.' }),
  DATABASE_URL: url({ protocols: ['postgres:', 'postgresql:'], example: 'postgres://user@db:5432/eks_oidc_api', description: 'PostgreSQL for idempotency records, operations and the audit trail; required to run several replicas. Unset: the embedded SQLite store under DATA_DIR (one replica).' }),
  DATA_DIR: text({ defaultValue: '.data', description: 'Directory of the embedded SQLite store (the file eks-oidc-api.sqlite) when DATABASE_URL is unset; one process at a time may use it. `memory://` keeps the store in memory (lost on exit).' }),
  IDEMPOTENCY_TTL_SECONDS: integer({ min: 60, max: 30 * 24 * 3600, defaultValue: 86_400, description: 'How long a completed request is replayed for the same Idempotency-Key (default 24 hours); later the key counts as new.' }),
  IDEMPOTENCY_LEASE_SECONDS: integer({ min: 5, max: 3600, defaultValue: 60, description: 'Lease of a request in progress; a replica that dies holding a key frees it after this long.' }),
  AUTH_MODE: text({ example: 'tokens,jwt', description: '`tokens`, `jwt`, `tokens,jwt`, or `none` (no authentication: the service then refuses to listen on anything but loopback). Unset: inferred from AUTH_API_TOKENS / AUTH_JWT_ISSUER; with neither, the service refuses to start.' }),
  AUTH_API_TOKENS: text({ example: 'ci-pipeline:sha256:<64 hex>', description: 'Static API tokens as `name:sha256:<hex of the token\'s SHA-256>`, comma-separated; never the plaintext. `npm run token -- --generate <name>` makes one.' }),
  AUTH_JWT_ISSUER: text({ example: 'https://idp.example.com', description: 'Issuer (exact `iss`) of JWT bearer tokens.' }),
  AUTH_JWT_AUDIENCE: text({ example: 'eks-oidc-api', description: 'Accepted audiences of JWT bearer tokens (comma-separated); required with AUTH_JWT_ISSUER.' }),
  AUTH_JWT_JWKS_URL: text({ example: 'https://idp.example.com/keys', description: 'JWKS of the JWT issuer. Unset: the `jwks_uri` of its discovery document.' }),
  AUTH_JWT_PRINCIPAL_CLAIM: text({ example: 'sub', description: 'Claim naming the principal (default `sub`); the principal is `jwt:<value>`.' }),
  AUTH_JWT_ALGORITHMS: text({ example: 'RS256,ES256', description: 'Accepted JWT signature algorithms (default RS256,ES256; `none` and HS* are refused).' }),
  AUTH_JWT_CA_FILE: text({ example: '/etc/ssl/idp-ca.pem', description: 'Extra CA certificates (PEM) trusted when fetching the JWT issuer\'s keys.' }),
  AUTH_JWT_CLOCK_TOLERANCE_SECONDS: text({ example: '30', description: 'Clock skew tolerated on `exp`/`nbf`, 0 to 300 seconds (default 30).' }),
  AUTH_GRANTS: text({ example: '{"grants":[{"principal":"ci-pipeline","clusters":["prod-*"],"actions":["write"]}]}', description: 'Grants as JSON: principal, clusters (names or globs) and actions (read < write < admin). Default deny.' }),
  AUTH_GRANTS_FILE: text({ example: '/etc/eks-oidc-api/grants.yaml', description: 'Grants as a YAML or JSON file (instead of AUTH_GRANTS).' }),
  RATE_LIMIT_MAX: text({ example: '300', description: 'Requests per principal (per IP when unauthenticated) per window (default 300).' }),
  RATE_LIMIT_WINDOW: text({ example: '1m', description: 'Rate-limit window: milliseconds or `30s`, `1m`, `1h` (default 1m).' }),
  REDIS_URL: url({ protocols: ['redis:', 'rediss:'], example: 'redis://redis:6379/0', description: 'Redis shared by the replicas, so that together they hold one per-caller rate limit and one AWS call budget for the fleet view. Unset: each replica counts on its own (fine for one replica). While Redis does not answer, requests are neither refused nor delayed: each replica limits and paces on its own (the limit is then per replica), logs a warning and sets `shared_store_up` to 0; readiness is not affected.' }),
  REDIS_KEY_PREFIX: text({ defaultValue: 'eks-oidc-api:', pattern: /^[A-Za-z0-9:._-]{1,64}$/, rule: 'must be 1 to 64 letters, digits or `:._-`', description: 'Prefix of every key the service writes to REDIS_URL; deployments sharing one Redis need different prefixes.' }),
  REDIS_TIMEOUT_MS: integer({ min: 10, max: 10_000, defaultValue: 250, description: 'Bound of connecting to REDIS_URL and of each command, in milliseconds; past it the replica decides on its own state for that request or call.' }),
  AWS_REGION: text({ defaultValue: 'us-east-1', pattern: /^[a-z]{2}(-[a-z]+)+-\d$/, rule: 'must be an AWS region such as us-east-1', description: 'AWS region of the EKS clusters. Credentials come from the AWS SDK default chain (env, profile, web identity, instance role).' }),
  AWS_ENDPOINT_URL_EKS: url({ protocols: ['http:', 'https:'], example: 'http://127.0.0.1:4566', description: 'Override of the EKS endpoint, e.g. the local emulator. Unset: the real regional endpoint.' }),
  AWS_ENDPOINT_URL_IAM: url({ protocols: ['http:', 'https:'], example: 'http://127.0.0.1:4566', description: 'Override of the IAM endpoint, e.g. the local emulator. Unset: the real global endpoint.' }),
  AWS_ENDPOINT_URL_STS: url({ protocols: ['http:', 'https:'], example: 'http://127.0.0.1:4566', description: 'Override of the STS endpoint (AssumeRole into the registry\'s accounts, GetCallerIdentity), e.g. the local emulator. Unset: the regional endpoint of AWS_REGION.' }),
  ACCOUNTS: text({ example: '{"accounts":[{"accountId":"111122223333","regions":["eu-west-1"]},{"accountId":"444455556666","roleArn":"arn:aws:iam::444455556666:role/eks-oidc-api","regions":["eu-west-1","us-east-1"]}]}', description: 'The account registry as JSON (docs/many-accounts.md): per account its accountId, partition, roleArn (absent for the service\'s own), externalId, regions, defaultRegion, sessionDurationSeconds, name, description, default. Unset (with ACCOUNTS_FILE): one account, the service\'s own credentials in AWS_REGION.' }),
  ACCOUNTS_FILE: text({ example: '/etc/eks-oidc-api/accounts.yaml', description: 'The account registry as a YAML or JSON file (instead of ACCOUNTS).' }),
  ACCOUNT_CREDENTIALS_TIMEOUT_MS: integer({ min: 100, max: 60_000, defaultValue: 5000, description: 'Bound of assuming a registry account\'s role (STS AssumeRole, all attempts) and of each reachability check of GET /accounts, in milliseconds; past it the request answers 502 AccountUnreachable.' }),
  AWS_MAX_ATTEMPTS: integer({ min: 1, max: 10, defaultValue: 3, description: 'Attempts per AWS call (standard retry mode). IAM LimitExceeded is never retried.' }),
  AWS_CONNECT_TIMEOUT_MS: integer({ min: 100, max: 60_000, defaultValue: 3000, description: 'Connection timeout of AWS calls, in milliseconds.' }),
  AWS_REQUEST_TIMEOUT_MS: integer({ min: 100, max: 120_000, defaultValue: 10_000, description: 'Per-attempt timeout of AWS calls, in milliseconds.' }),
  EGRESS_ALLOW_LIST: list({ defaultValue: [], example: '127.0.0.1/32', description: 'CIDRs, addresses or host names exempt from the SSRF address rules (comma-separated). Empty in production; the sandbox and tests use it to reach loopback issuers.' }),
  EGRESS_ALLOWED_PORTS: list({ defaultValue: ['443'], item: /^\d{1,5}$/, rule: 'must be comma-separated port numbers', description: 'Ports the service may contact on caller-supplied issuers (comma-separated), and so the only ports an issuer URL may name.' }),
  EGRESS_CA_FILE: text({ example: '/etc/ssl/private-ca.pem', description: 'PEM file of extra CA certificates to trust when fetching issuers (e.g. a private CA, or the sandbox emulator\'s CA).' }),
  EGRESS_TIMEOUT_MS: integer({ min: 100, max: 60_000, defaultValue: 5000, description: 'Deadline of each issuer fetch or TLS handshake, in milliseconds.' }),
  EGRESS_MAX_BODY_BYTES: integer({ min: 1024, max: 10_485_760, defaultValue: 262_144, description: 'Largest discovery document or JWKS read from an issuer, in bytes.' }),
  THUMBPRINT_CACHE_TTL_SECONDS: integer({ min: 0, max: 3600, defaultValue: 60, description: 'How long an issuer host\'s certificate chain and thumbprint are reused (0: no cache; concurrent requests still share one handshake).' }),
  TRUST_POLICY_SIZE_LIMIT: integer({ min: 2048, max: 8192, defaultValue: 2048, description: 'IAM\'s quota on a role\'s trust policy in the managed accounts, in characters without white space (IAM: 2,048 by default, raised on request up to 8,192). The IRSA diagnosis checks against it, and `apply=true` refuses a fix that would pass it.' }),
  WATCH_POLL_INTERVAL_MS: integer({ min: 1, max: 300_000, defaultValue: 5000, description: 'First interval between DescribeUpdate calls for a watched update (`?wait=` and event streams), in milliseconds; it grows ×1.5 per poll up to WATCH_MAX_POLL_INTERVAL_MS. One poll loop per update serves every watcher. Tiny values are for tests only.' }),
  WATCH_MAX_POLL_INTERVAL_MS: integer({ min: 1, max: 600_000, defaultValue: 30_000, description: 'Longest interval between DescribeUpdate calls for a watched update, in milliseconds (throttling backs off up to it too).' }),
  WATCH_MAX_SECONDS: integer({ min: 1, max: 86_400, defaultValue: 3600, description: 'Longest life of an update event stream (`Accept: text/event-stream`), in seconds; it then ends with an `end` event (reason `max-duration`) and the client reconnects.' }),
  WATCH_HEARTBEAT_MS: integer({ min: 10, max: 300_000, defaultValue: 15_000, description: 'Interval of the heartbeat comment on update event streams, in milliseconds, so proxies keep idle streams open.' }),
  REPLACE_POLL_INTERVAL_MS: integer({ min: 1, max: 600_000, defaultValue: 15_000, description: 'Config replacements (PUT of a whole identity provider config): first interval between checks of a running step (DescribeUpdate, DescribeIdentityProviderConfig), in milliseconds; it grows ×1.5 per unchanged check up to REPLACE_MAX_POLL_INTERVAL_MS. Pod Identity migrations wait this long before retrying a step AWS failed or throttled. Tiny values are for tests only.' }),
  REPLACE_MAX_POLL_INTERVAL_MS: integer({ min: 1, max: 600_000, defaultValue: 60_000, description: 'Config replacements: longest interval between checks of a running step, in milliseconds (also capped at a third of REPLACE_LEASE_SECONDS).' }),
  REPLACE_LEASE_SECONDS: integer({ min: 1, max: 3600, defaultValue: 120, description: 'Operations that outlive their request (config replacements, Pod Identity migrations, and associations and disassociations followed to the end of their EKS update): how long a replica\'s claim on one lasts without renewal. One whose replica died is resumed by another after this long; replicas also look for such operations this often.' }),
  SHUTDOWN_DELAY_MS: integer({ min: 0, max: 600_000, defaultValue: 10_000, description: 'After SIGTERM or SIGINT, how long in-flight requests may take to finish before the process exits anyway (exit code 1). Keep it below the orchestrator\'s grace period.' }),
  SHUTDOWN_DRAIN_MS: integer({ min: 0, max: 60_000, defaultValue: 1000, description: 'At shutdown, how long open keep-alive connections may drain (each gets its next answer, a 503 problem, with Connection: close) before idle ones are closed; part of SHUTDOWN_DELAY_MS.' }),
  MAX_EVENT_LOOP_DELAY_MS: integer({ min: 0, max: 60_000, defaultValue: 200, description: 'Overload: answer 503 (with Retry-After) while the 99th percentile of the event-loop delay, sampled each second, has been above this many milliseconds two samples in a row. The default is about four times what a saturated but healthy instance shows (see docs/operations.md#overload). 0 turns the check off.' }),
  MAX_HEAP_BYTES: integer({ min: 0, max: Number.MAX_SAFE_INTEGER, defaultValue: 0, description: 'Overload: answer 503 while the used V8 heap, sampled each second, has been above this many bytes two samples in a row. 0 (default) turns the check off.' }),
  MAX_RSS_BYTES: integer({ min: 0, max: Number.MAX_SAFE_INTEGER, defaultValue: 0, description: 'Overload: answer 503 while the resident set size, sampled each second, has been above this many bytes two samples in a row; set it a little under the container\'s memory limit. 0 (default) turns the check off.' }),
  CLUSTER_CACHE_TTL_SECONDS: integer({ min: 0, max: 86_400, defaultValue: 300, description: 'How long a cluster\'s identity (ARN, OIDC issuer) from DescribeCluster is reused, in seconds. Only ACTIVE or UPDATING clusters with an issuer are cached. 0 turns the cache off.' }),
  CONFIG_CACHE_TTL_MS: integer({ min: 0, max: 60_000, defaultValue: 1000, description: 'How long GET /clusters/:name/identity-provider-configs/:configName reuses the answer for an ACTIVE config, in milliseconds (the answer says so in Cache-Status); CREATING and DELETING are always read fresh. Concurrent identical reads always share one call; `Cache-Control: no-cache` always reads EKS; a write through this replica drops the cluster\'s entries at once. 0 turns the reuse off.' }),
  CONFIG_CACHE_MAX: integer({ min: 1, max: 1_000_000, defaultValue: 1000, description: 'Most identity provider config answers kept for reuse; the least recently used go first.' }),
  CLUSTER_CACHE_MAX: integer({ min: 1, max: 1_000_000, defaultValue: 1000, description: 'Most cluster identities kept in the cache; the least recently used go first.' }),
  FLEET_CONCURRENCY: integer({ min: 1, max: 256, defaultValue: 16, description: 'Fleet view (GET /clusters?include=...): clusters inspected at once, and the most AWS calls in flight per service, per replica.' }),
  FLEET_SCOPE_CONCURRENCY: integer({ min: 1, max: 64, defaultValue: 4, description: 'Fleet view of every account and region (GET /fleet): scopes (account, region) swept at once. Each scope has its own EKS limiter and each account one IAM limiter, so a throttled account slows only its own scopes.' }),
  FLEET_RATE_PER_SECOND: integer({ min: 1, max: 1000, defaultValue: 10, description: 'Fleet view: starting rate of AWS calls per second and service (eks, iam). It grows while calls succeed and halves when AWS throttles. With REDIS_URL the rate is shared: it is that of all replicas together.' }),
  FLEET_MAX_RATE_PER_SECOND: integer({ min: 1, max: 1000, defaultValue: 50, description: 'Fleet view: highest rate of AWS calls per second and service the adaptive limiter may reach; with REDIS_URL, of all replicas together (set it to the share of the account\'s AWS budget the service may use).' })
}

export type Config = Readonly<ReturnType<typeof readConfigVariables> & { auth: AuthConfig, rateLimit: RateLimitConfig, accounts: AccountRegistry }>

function readConfigVariables (env: Record<string, string | undefined>) {
  return readVariables(configVariables, env)
}

/** Variables the service no longer reads, and why: set, they stop the start rather than be ignored. */
const RETIRED_VARIABLES: Readonly<Record<string, string>> = {
  PGLITE_DIR: 'PGLITE_DIR is no longer read: the embedded store is now SQLite under DATA_DIR, and records in a PGlite directory are not carried over; unset PGLITE_DIR (and set DATA_DIR)'
}

/** Reads and validates everything at once; a ConfigError lists every problem, never a secret. */
export function loadConfig (env: Record<string, string | undefined> = {}): Config {
  const problems = Object.keys(RETIRED_VARIABLES).filter((name) => env[name] !== undefined).map((name) => RETIRED_VARIABLES[name])
  const attempt = <T> (read: () => T): T | undefined => {
    try {
      return read()
    } catch (error) {
      if (error instanceof ConfigError || error instanceof AuthConfigError || error instanceof AccountRegistryError) problems.push(...error.problems)
      else problems.push((error as Error).message)
      return undefined
    }
  }
  const variables = attempt(() => readConfigVariables(env))
  const auth = attempt(() => authConfigFromEnv(env))
  const rateLimit = attempt(() => rateLimitConfigFromEnv(env))
  // Read even when other variables are broken, so that every problem is reported at once.
  const accounts = attempt(() => accountRegistryFromEnv(env, variables?.AWS_REGION ?? configVariables.AWS_REGION.defaultValue))
  if (problems.length || !variables || !auth || !rateLimit || !accounts) throw new ConfigError(problems)
  return Object.freeze({ ...variables, auth, rateLimit, accounts })
}
