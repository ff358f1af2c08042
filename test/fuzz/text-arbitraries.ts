/**
 * Strings that satisfy a JSON Schema string (type, length, pattern, format), and a check that a
 * given string does. Patterns go through fast-check's `stringMatching`; a pattern that is one
 * character class repeated (`^[...]+$`) becomes a unit, so long minimum lengths stay cheap; a
 * pattern `stringMatching` cannot read (a lookahead) falls back to filtering arbitrary strings.
 */
import fc from 'fast-check'

export interface StringSchema {
  type?: unknown
  minLength?: number
  maxLength?: number
  pattern?: string
  format?: string
  enum?: unknown[]
  /** schemas/keywords.ts: the string must not begin with this prefix, in any letter case. */
  'x-reserved-prefix'?: string
}

/** A string format: how to draw strings of it, and whether a string is one. */
export interface Format {
  arbitrary: fc.Arbitrary<string>
  accepts (text: string): boolean
}

export type Formats = Readonly<Record<string, Format>>

/** Longest string drawn for a schema without a maximum (bodies stay far below the body limit). */
const UNBOUNDED_MAX = 64

/** JSON Schema (Ajv with `unicode: true`) counts code points, not UTF-16 units. */
export const codePoints = (text: string) => [...text].length

/** The JSON Schema formats the document uses; an app's own formats are added by the caller. */
export const STANDARD_FORMATS: Formats = {
  'date-time': {
    arbitrary: fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map(d => d.toISOString()),
    accepts: text => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i.test(text) && !Number.isNaN(Date.parse(text))
  },
  uuid: { arbitrary: fc.uuid(), accepts: text => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text) }
}

function formatOf (schema: StringSchema, formats: Formats): Format | undefined {
  if (schema.format === undefined) return undefined
  const format = formats[schema.format]
  if (format === undefined) throw new Error(`the fuzz generator knows no format ${schema.format}: pass it in \`formats\``)
  return format
}

export const hasReservedPrefix = (text: string, prefix: string) => text.slice(0, prefix.length).toLowerCase() === prefix.toLowerCase()

export function satisfiesString (schema: StringSchema, text: string, formats: Formats = STANDARD_FORMATS): boolean {
  const length = codePoints(text)
  if (schema.minLength !== undefined && length < schema.minLength) return false
  if (schema.maxLength !== undefined && length > schema.maxLength) return false
  if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(text)) return false
  if (schema['x-reserved-prefix'] !== undefined && hasReservedPrefix(text, schema['x-reserved-prefix'])) return false
  return formatOf(schema, formats)?.accepts(text) ?? true
}

/** `^[class]+$`, `^[class]*$` or `^[class]{n,m}$`: the class and the repetition bounds. */
function repeatedClass (pattern: string): { unit: string, min: number, max?: number } | undefined {
  const match = /^\^(\[(?:\\.|[^\]\\])+\]|\\[sSdDwW])([*+]|\{(\d+)(?:,(\d*))?\})\$$/.exec(pattern)
  if (!match) return undefined
  const [, unit, quantifier, low, high] = match
  if (quantifier === '*') return { unit, min: 0 }
  if (quantifier === '+') return { unit, min: 1 }
  const min = Number(low)
  return { unit, min, max: high === undefined ? min : high === '' ? undefined : Number(high) }
}

function patternArbitrary (schema: StringSchema, pattern: string, min: number, max: number): fc.Arbitrary<string> {
  const repeated = repeatedClass(pattern)
  if (repeated) {
    const unit = fc.stringMatching(new RegExp(`^${repeated.unit}$`, 'u'))
    const low = Math.max(min, repeated.min)
    const high = Math.min(max, repeated.max ?? max)
    return fc.oneof(
      { weight: 4, arbitrary: fc.string({ unit, minLength: low, maxLength: high }) },
      { weight: 1, arbitrary: fc.string({ unit, minLength: high, maxLength: high }) }
    )
  }
  try {
    return fc.stringMatching(new RegExp(pattern, 'u')).filter(text => satisfiesString(schema, text))
  } catch {
    // stringMatching does not read every pattern (lookaheads): filter arbitrary text instead.
    return fc.string({ unit: 'binary', minLength: min, maxLength: max }).filter(text => satisfiesString(schema, text))
  }
}

/** A string valid for the schema, boundary lengths included. */
export function validString (schema: StringSchema, formats: Formats = STANDARD_FORMATS): fc.Arbitrary<string> {
  const min = schema.minLength ?? 0
  const max = schema.maxLength ?? Math.max(min, UNBOUNDED_MAX)
  const valid = (text: string) => satisfiesString(schema, text, formats)
  const format = formatOf(schema, formats)
  if (format !== undefined) return format.arbitrary.filter(valid)
  if (schema.pattern !== undefined) return patternArbitrary(schema, schema.pattern, min, max).filter(valid)
  return fc.oneof(
    { weight: 4, arbitrary: fc.string({ unit: 'binary', minLength: min, maxLength: max }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: max, maxLength: max }) }
  ).filter(valid)
}
