/**
 * Request validation: JSON bodies are checked as sent (a `false` is never the string "false",
 * a `12345` never "12345"), while query strings, path parameters and headers, which are text on
 * the wire, may be coerced to the schema's types. One Ajv per rule, both with the shared schemas
 * and the service's own formats (`issuer-url`: src/issuers/issuer-url.ts).
 */
import { AjvCompiler } from '@fastify/ajv-compiler'
import { SCHEMA_KEYWORDS } from '../../schemas/keywords.ts'
import { ISSUER_URL_FORMAT } from '../../schemas/issuer-url.ts'
import { issuerUrlProblems, type IssuerUrlRuleOptions } from '../issuers/issuer-url.ts'

type BuildCompiler = ReturnType<typeof AjvCompiler>

/** The app's Ajv options (Fastify's `ajv.customOptions`), in one place so tests validate alike. */
export const AJV_OPTIONS = {
  // Unknown fields are an error (400), never silently dropped.
  removeAdditional: false,
  // For query strings, path parameters and headers only: bodies are never coerced (see createValidatorCompiler).
  coerceTypes: 'array',
  useDefaults: true,
  allErrors: true,
  // The rules JSON Schema cannot state (unique tag keys, reserved prefixes): schemas/keywords.ts.
  keywords: SCHEMA_KEYWORDS
} as const

interface AjvError { keyword: string, instancePath: string, params: Record<string, unknown>, message?: string }
type Validate = ((data: unknown) => boolean) & { errors?: AjvError[] | null }

export interface ValidationRules {
  issuerUrl: IssuerUrlRuleOptions
}

const unescapePointer = (part: string) => part.replaceAll('~1', '/').replaceAll('~0', '~')

function valueAt (data: unknown, instancePath: string): unknown {
  let value = data
  for (const part of instancePath.split('/').slice(1)) {
    value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[unescapePointer(part)] : undefined
  }
  return value
}

/** Ajv says only "must match format"; the answer names the part of the issuer URL rule that was broken. */
function explainingIssuerUrls (validate: Validate, rule: IssuerUrlRuleOptions): Validate {
  const explained: Validate = (data) => {
    const valid = validate(data)
    explained.errors = validate.errors?.map(error => {
      if (error.keyword !== 'format' || error.params.format !== ISSUER_URL_FORMAT) return error
      const value = valueAt(data, error.instancePath)
      const broken = typeof value === 'string' ? issuerUrlProblems(value, rule).map(p => p.detail).join('; ') : ''
      return { ...error, message: `must be an issuer URL (format ${ISSUER_URL_FORMAT})${broken ? ': ' + broken : ''}` }
    }) ?? null
    return valid
  }
  return explained
}

export function createValidatorCompiler (rules: ValidationRules): BuildCompiler {
  const formats = {
    [ISSUER_URL_FORMAT]: { type: 'string' as const, validate: (value: string) => issuerUrlProblems(value, rules.issuerUrl).length === 0 }
  }
  type CompilerOptions = Parameters<BuildCompiler>[1]
  // Fastify's Ajv options with the formats added (and, for bodies, no coercion); Ajv mode only, never JTD.
  const withFormats = (options: CompilerOptions, overrides: { coerceTypes?: false } = {}) => {
    const custom = (options?.customOptions ?? {}) as { formats?: object }
    return { ...options, mode: undefined, customOptions: { ...custom, formats: { ...custom.formats, ...formats }, ...overrides } } as CompilerOptions
  }
  return (externalSchemas, options) => {
    const forBodies = AjvCompiler()(externalSchemas, withFormats(options, { coerceTypes: false }))
    const forText = AjvCompiler()(externalSchemas, withFormats(options))
    // The package types its compiler as Ajv's compile(schema); Fastify calls it with the route definition.
    return ((route: { httpPart?: string }) => {
      const validate = route.httpPart === 'body' ? forBodies(route as never) : forText(route as never)
      return explainingIssuerUrls(validate as unknown as Validate, rules.issuerUrl)
    }) as unknown as ReturnType<BuildCompiler>
  }
}
