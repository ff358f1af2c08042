/**
 * The schema keywords this API adds to JSON Schema, for rules JSON Schema cannot state. They are
 * `x-` extensions, so other tools read them as annotations; the service's Ajv enforces them
 * (registered in src/plugins/validation.ts), and Ajv's strict mode refuses a misspelt one.
 *
 * - `x-unique-by: "<member>"` on an array of objects: no two items have the same value of that
 *   member (`uniqueItems` compares whole items). The error names the later item's member.
 * - `x-reserved-prefix: "<prefix>"` on a string: it must not begin with the prefix, in any letter case.
 * - `x-reserved-key-prefix: "<prefix>"` on an object (a map): no member name begins with the prefix,
 *   in any letter case. The error names the member.
 */
import type { ErrorObject, FuncKeywordDefinition } from 'ajv'

const pointerPart = (key: string) => key.replaceAll('~', '~0').replaceAll('/', '~1')

const hasPrefix = (text: string, prefix: string) => text.slice(0, prefix.length).toLowerCase() === prefix.toLowerCase()

const prefixRule = (prefix: string) => `must not begin with "${prefix}" in any letter case (AWS reserves the prefix)`

type Check<Data> = (schema: string, data: Data, instancePath: string) => Array<Omit<ErrorObject, 'schemaPath'>>

/** A keyword whose check returns its errors; Ajv reads them from the function's `errors`. */
function keyword<Data> (name: string, type: 'array' | 'object' | 'string', check: Check<Data>): FuncKeywordDefinition {
  const validate = (schema: string, data: Data, _parent?: unknown, cxt?: { instancePath: string }) => {
    const errors = check(schema, data, cxt?.instancePath ?? '')
    validate.errors = errors.length > 0 ? errors : null
    return errors.length === 0
  }
  validate.errors = null as null | Array<Omit<ErrorObject, 'schemaPath'>>
  return { keyword: name, type, schemaType: 'string', errors: true, validate: validate as FuncKeywordDefinition['validate'] }
}

const uniqueBy = keyword<unknown[]>('x-unique-by', 'array', (member, items, at) => {
  const firstIndex = new Map<unknown, number>()
  return items.flatMap((item, index) => {
    const value = (item as Record<string, unknown> | null)?.[member]
    if (value === undefined) return []
    const first = firstIndex.get(value)
    if (first === undefined) {
      firstIndex.set(value, index)
      return []
    }
    return [{
      keyword: 'x-unique-by',
      instancePath: `${at}/${index}/${pointerPart(member)}`,
      params: { member, duplicateOf: first },
      message: `must be unique: item ${first} has the same ${member} ${JSON.stringify(value)}`
    }]
  })
})

const reservedPrefix = keyword<string>('x-reserved-prefix', 'string', (prefix, text, at) =>
  hasPrefix(text, prefix) ? [{ keyword: 'x-reserved-prefix', instancePath: at, params: { prefix }, message: prefixRule(prefix) }] : [])

const reservedKeyPrefix = keyword<Record<string, unknown>>('x-reserved-key-prefix', 'object', (prefix, map, at) =>
  Object.keys(map).filter(key => hasPrefix(key, prefix)).map(key => ({
    keyword: 'x-reserved-key-prefix',
    instancePath: `${at}/${pointerPart(key)}`,
    params: { prefix },
    message: prefixRule(prefix)
  })))

export const SCHEMA_KEYWORDS: FuncKeywordDefinition[] = [uniqueBy, reservedPrefix, reservedKeyPrefix]
