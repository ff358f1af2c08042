/**
 * The chart's values.schema.json refuses what the service refuses: its `config` part is derived from
 * src/config.ts (npm run helm:schema) and must be up to date, and for every variable a set of good
 * and bad values is judged alike by the schema and by the service's own loadConfig.
 */
import { readFileSync } from 'node:fs'
import { Ajv } from 'ajv'
import t from 'tap'
import { CHART_OWNED_VARIABLES, renderSchema, SCHEMA_FILE } from '../../scripts/generate-chart-schema.ts'
import { configVariables, loadConfig } from '../../src/config.ts'

const schemaText = readFileSync(SCHEMA_FILE, 'utf8')
const schema = JSON.parse(schemaText)
const configSchema = schema.properties.config

t.test('values.schema.json is up to date with src/config.ts (else: npm run helm:schema)', async (t) => {
  t.equal(renderSchema(schemaText), schemaText)
})

t.test('config lists every variable of src/config.ts but those the chart sets itself', async (t) => {
  const expected = Object.keys(configVariables).filter((name) => !(CHART_OWNED_VARIABLES as readonly string[]).includes(name))
  t.same(Object.keys(configSchema.properties), expected)
  t.equal(configSchema.additionalProperties, false, 'an unknown or chart-owned variable is refused')
})

/** Authentication the service accepts, so that a variable under test is the only thing judged. */
const BASE_ENV = {
  AUTH_MODE: 'tokens,jwt',
  AUTH_API_TOKENS: `ci:sha256:${'a'.repeat(64)}`,
  AUTH_JWT_ISSUER: 'https://idp.example.com',
  AUTH_JWT_AUDIENCE: 'eks-oidc-api'
}

/** Variables whose validity depends on something the schema cannot see. */
const NOT_JUDGED: Record<string, string> = {
  AUTH_MODE: 'which modes are valid depends on the other AUTH_* variables',
  AUTH_JWT_CA_FILE: 'the service reads the file at start',
  EGRESS_CA_FILE: 'the service reads the file at start'
}

/** Values the schema lets through although the service refuses them, and why that is accepted. */
const KNOWN_GAPS: Record<string, string> = {
  'RATE_LIMIT_WINDOW=25h': 'the 24-hour ceiling of a duration with a unit is not expressible as a pattern worth reading'
}

type Candidate = string | number | boolean

function candidates (name: string, variable: any): Candidate[] {
  const property = configSchema.properties[name]
  const range = property.anyOf?.find((s: { type: string }) => s.type === 'integer') ?? property
  const out: Candidate[] = []
  // Values are YAML: numbers are written as numbers (the docs' examples are text).
  const numeric = range.type === 'integer' || range.type === 'number'
  if (variable.example !== undefined) out.push(numeric ? Number(variable.example) : variable.example)
  if (typeof variable.defaultValue === 'string' && variable.defaultValue !== '') out.push(variable.defaultValue)
  if (typeof range.minimum === 'number') out.push(range.minimum, range.maximum, range.minimum - 1, range.maximum + 1, 'abc')
  if (range.type === 'integer') out.push(1.5)
  if (property.enum) out.push(...property.enum, 'nope')
  if (property.type === 'boolean') out.push(true, false, 'maybe')
  if (variable.kind === 'url') out.push('ftp://example.com', 'not a url')
  if (variable.kind === 'list' && variable.item) out.push('443', '443, 8443', '443,abc')
  if (variable.kind === 'text' && variable.pattern) out.push('Nope!')
  const extra: Record<string, Candidate[]> = {
    AUTH_JWT_ISSUER: ['http://idp.example.com'],
    AUTH_JWT_JWKS_URL: ['https://idp.example.com/keys', 'http://idp.example.com/keys'],
    AUTH_JWT_ALGORITHMS: ['RS256', 'RS256,ES256', 'HS256', 'none'],
    RATE_LIMIT_WINDOW: ['30s', '1m', '500ms', 60000, '1d', '25h', 0]
  }
  return [...new Set([...out, ...(extra[name] ?? [])])]
}

function serviceAccepts (name: string, value: Candidate): boolean {
  try {
    loadConfig({ ...BASE_ENV, [name]: String(value) })
    return true
  } catch {
    return false
  }
}

t.test('for every variable, the schema and the service accept and refuse the same values', async (t) => {
  const validate = new Ajv({ strict: false }).compile(configSchema)
  for (const [name, variable] of Object.entries(configVariables)) {
    if (!(name in configSchema.properties) || name in NOT_JUDGED) continue
    for (const value of candidates(name, variable)) {
      const byService = serviceAccepts(name, value)
      const bySchema = validate({ [name]: value })
      const gap = KNOWN_GAPS[`${name}=${value}`]
      if (gap !== undefined) t.ok(bySchema && !byService, `${name}=${JSON.stringify(value)}: a known gap (${gap})`)
      else t.equal(bySchema, byService, `${name}=${JSON.stringify(value)}: ${byService ? 'accepted' : 'refused'} by the service`)
    }
  }
})
