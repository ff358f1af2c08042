/**
 * Request validation: JSON bodies are checked as sent (a `false` is never the string "false",
 * a `12345` never "12345"), while query strings, path parameters and headers, which are text on
 * the wire, may be coerced to the schema's types. One Ajv per rule, both with the shared schemas.
 */
import { AjvCompiler } from '@fastify/ajv-compiler'
import { SCHEMA_KEYWORDS } from '../../schemas/keywords.ts'

type BuildCompiler = ReturnType<typeof AjvCompiler>

/** The app's Ajv options (Fastify's `ajv.customOptions`), in one place so tests validate alike. */
export const AJV_OPTIONS = {
  // Unknown fields are an error (400), never silently dropped.
  removeAdditional: false,
  // For query strings, path parameters and headers only: bodies are never coerced (see buildValidator).
  coerceTypes: 'array',
  useDefaults: true,
  allErrors: true,
  // The rules JSON Schema cannot state (unique tag keys, reserved prefixes): schemas/keywords.ts.
  keywords: SCHEMA_KEYWORDS
} as const

export const buildValidator: BuildCompiler = (externalSchemas, options) => {
  const customOptions = { ...options?.customOptions, coerceTypes: false }
  const forBodies = AjvCompiler()(externalSchemas, { ...options, mode: undefined, customOptions })
  const forText = AjvCompiler()(externalSchemas, options)
  // The package types its compiler as Ajv's compile(schema); Fastify calls it with the route definition.
  return ((route: { httpPart?: string }) => route.httpPart === 'body' ? forBodies(route as never) : forText(route as never)) as ReturnType<BuildCompiler>
}
