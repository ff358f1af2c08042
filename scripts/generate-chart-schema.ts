/**
 * Derives the parts of the Helm chart's values.schema.json that mirror the service's own rules, so
 * the chart refuses at install what the service would refuse at start:
 * - `config`: one property per variable of src/config.ts that the chart does not set itself, with
 *   the variable's type and limits;
 * - `auth.apiTokens`: the `name:sha256:<hex>` form of AUTH_API_TOKENS entries;
 * - `redis.keyPrefix`: REDIS_KEY_PREFIX's rule, or empty for the chart's default;
 * - `auth.grants` and `accounts`: the grants document and the account registry, as src/auth/grants.ts
 *   and src/accounts/registry.ts check them (the registry's rules across members are checked at start).
 *
 *   npm run helm:schema            rewrites deploy/helm/eks-oidc-api/values.schema.json
 *   npm run helm:schema -- --check  exits 1 when the file is stale (test/deploy/chart-schema.test.ts)
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { AccountsDocument } from '../src/accounts/registry.ts'
import { GrantsDocument } from '../src/auth/grants.ts'
import { SUPPORTED_JWT_ALGORITHMS } from '../src/auth/jwt-verifier.ts'
import { TOKEN_NAME_PATTERN } from '../src/auth/static-tokens.ts'
import type { Variable } from '../src/config-spec.ts'
import { configVariables } from '../src/config.ts'

export const SCHEMA_FILE = fileURLToPath(new URL('../deploy/helm/eks-oidc-api/values.schema.json', import.meta.url))

/**
 * Variables the chart renders from values of its own (listen address, PostgreSQL, Redis, the auth
 * Secret) or rules out (DATA_DIR: the chart always uses PostgreSQL). REDIS_URL may carry a password:
 * it comes from a Secret only.
 */
export const CHART_OWNED_VARIABLES = [
  'HOST', 'PORT', 'DATABASE_URL', 'DATA_DIR', 'REDIS_URL', 'REDIS_KEY_PREFIX', 'AUTH_API_TOKENS', 'AUTH_GRANTS', 'AUTH_GRANTS_FILE',
  'ACCOUNTS', 'ACCOUNTS_FILE'
] as const

type JsonSchema = Record<string, unknown>

const source = (pattern: RegExp) => pattern.source.replace(/^\^/, '').replace(/\$$/, '')
const listOf = (item: string) => `^ *(${item})( *, *(${item}))* *$`

/**
 * Variables read as free text by src/config.ts and checked by src/auth (authentication, rate
 * limits): their rules, as the service states them.
 */
const CHECKED_ELSEWHERE: Record<string, JsonSchema> = {
  AUTH_MODE: { enum: ['none', 'tokens', 'jwt', 'tokens,jwt', 'jwt,tokens'] },
  AUTH_JWT_ISSUER: { type: 'string', pattern: '^https://' },
  AUTH_JWT_JWKS_URL: { type: 'string', pattern: '^https://' },
  AUTH_JWT_ALGORITHMS: { type: 'string', pattern: listOf(SUPPORTED_JWT_ALGORITHMS.join('|')) },
  AUTH_JWT_CLOCK_TOLERANCE_SECONDS: { type: 'integer', minimum: 0, maximum: 300 },
  RATE_LIMIT_MAX: { type: 'integer', minimum: 1, maximum: 1_000_000 },
  RATE_LIMIT_WINDOW: {
    anyOf: [
      { type: 'integer', minimum: 1, maximum: 86_400_000 },
      { type: 'string', pattern: '^ *\\d+ *(ms|s|m|h)? *$' }
    ]
  }
}

type AnyVariable = Variable<unknown> & { min?: number, max?: number, values?: readonly string[], pattern?: RegExp, item?: RegExp, protocols?: string[] }

function variableSchema (name: string, variable: AnyVariable): JsonSchema {
  const rule = CHECKED_ELSEWHERE[name] ?? ((): JsonSchema => {
    switch (variable.kind) {
      case 'integer': return { type: 'integer', minimum: variable.min, maximum: variable.max }
      case 'boolean': return { type: 'boolean' }
      case 'oneOf': return { enum: [...variable.values!] }
      case 'url': return { type: 'string', pattern: `^(${variable.protocols!.map((p) => p.replace(/:$/, '')).join('|')})://` }
      case 'list': return variable.item ? { type: 'string', pattern: listOf(source(variable.item)) } : { type: 'string' }
      case 'text': return variable.pattern ? { type: 'string', pattern: variable.pattern.source } : { type: 'string' }
    }
  })()
  return { description: variable.description, ...rule }
}

export function configSchema (): JsonSchema {
  const owned = new Set<string>(CHART_OWNED_VARIABLES)
  const properties: Record<string, JsonSchema> = {}
  for (const [name, variable] of Object.entries(configVariables) as Array<[string, AnyVariable]>) {
    if (!owned.has(name)) properties[name] = variableSchema(name, variable)
  }
  return {
    description: 'The service\'s environment (docs/configuration.md), but for the variables the chart sets itself. Derived from src/config.ts by npm run helm:schema.',
    type: 'object',
    additionalProperties: false,
    properties
  }
}

export const apiTokenSchema = (): JsonSchema => ({ type: 'string', pattern: `^${source(TOKEN_NAME_PATTERN)}:sha256:[0-9a-fA-F]{64}$` })

export const redisKeyPrefixSchema = (): JsonSchema => {
  const variable = configVariables.REDIS_KEY_PREFIX
  return {
    description: `${variable.description} Empty: the release's full name and ':'.`,
    anyOf: [{ const: '' }, { type: 'string', pattern: variable.pattern.source }]
  }
}

/** A document schema of the service as plain JSON Schema; an empty object ({}) means none. */
const documentSchema = (schema: object, description: string): JsonSchema => ({ description, ...JSON.parse(JSON.stringify(schema)) })

const orEmpty = (schema: JsonSchema): JsonSchema => ({ anyOf: [{ type: 'object', maxProperties: 0 }, schema] })

/** The whole values.schema.json with its derived parts brought up to date, as text. */
export function renderSchema (current: string): string {
  const schema = JSON.parse(current)
  schema.properties.config = configSchema()
  schema.properties.auth.properties.apiTokens.items = apiTokenSchema()
  schema.properties.redis.properties.keyPrefix = redisKeyPrefixSchema()
  // Empty ({}) leaves the document out: no grants (default deny); one account, the pods' own credentials.
  schema.properties.auth.properties.grants = orEmpty(documentSchema(GrantsDocument, 'The grants document (docs/operations.md).'))
  schema.properties.accounts = orEmpty(documentSchema(AccountsDocument, 'The account registry (docs/many-accounts.md).'))
  return JSON.stringify(schema, null, 2) + '\n'
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const current = readFileSync(SCHEMA_FILE, 'utf8')
  const next = renderSchema(current)
  if (process.argv.includes('--check')) {
    if (next !== current) {
      console.error('deploy/helm/eks-oidc-api/values.schema.json is stale: run npm run helm:schema')
      process.exitCode = 1
    }
  } else {
    writeFileSync(SCHEMA_FILE, next)
    console.log('wrote deploy/helm/eks-oidc-api/values.schema.json')
  }
}
