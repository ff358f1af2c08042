/**
 * fast-check arbitraries from JSON Schema (the OpenAPI 3.1 dialect the app's document uses): `valid`
 * draws values the schema accepts, `hostile` values it should refuse or that probe the code behind
 * it (wrong types, missing and extra members, over-long text, huge numbers, deep nesting). A
 * dictionary of known values (names the test seeded, a working issuer URL) is mixed into every
 * string the dictionary entry satisfies, so that valid requests reach real resources.
 */
import fc from 'fast-check'
import { awkwardJson, hugeNumber, PROTOTYPE_KEYS, spliceAwkward } from './hostile-values.ts'
import { nested } from './raw-json.ts'
import { hasReservedPrefix, satisfiesString, STANDARD_FORMATS, validString, type Formats, type StringSchema } from './text-arbitraries.ts'

export interface Schema extends StringSchema {
  $ref?: string
  const?: unknown
  anyOf?: Schema[]
  oneOf?: Schema[]
  allOf?: Schema[]
  minimum?: number
  maximum?: number
  exclusiveMinimum?: number
  exclusiveMaximum?: number
  items?: Schema
  minItems?: number
  maxItems?: number
  uniqueItems?: boolean
  properties?: Record<string, Schema>
  required?: string[]
  additionalProperties?: boolean | Schema
  propertyNames?: Schema
  minProperties?: number
  maxProperties?: number
  default?: unknown
  /** schemas/keywords.ts: no two items of the array have the same value of this member. */
  'x-unique-by'?: string
  /** schemas/keywords.ts: no member name of the object begins with this prefix, in any letter case. */
  'x-reserved-key-prefix'?: string
}

/** Known values: plain strings, or arbitraries of strings (e.g. fresh Idempotency-Keys). */
export type Dictionary = ReadonlyArray<string | fc.Arbitrary<string>>

/** Keywords that only describe, and those this generator reads; any other one is refused loudly. */
const UNDERSTOOD = new Set(['description', 'title', 'examples', 'example', 'default', 'deprecated', 'readOnly', 'writeOnly', '$id',
  '$ref', 'const', 'enum', 'anyOf', 'oneOf', 'type', 'minLength', 'maxLength', 'pattern', 'format', 'minimum', 'maximum',
  'exclusiveMinimum', 'exclusiveMaximum', 'items', 'minItems', 'maxItems', 'uniqueItems', 'properties', 'required',
  'additionalProperties', 'propertyNames', 'minProperties', 'maxProperties', 'x-unique-by', 'x-reserved-prefix', 'x-reserved-key-prefix'])

const WRONG_TYPE_VALUES: Record<string, unknown[]> = {
  string: [0, 1e308, true, null, [], {}, ['x']],
  integer: ['1', '', 1.5, true, null, [], {}],
  number: ['1', '', true, null, [], {}],
  boolean: ['true', 'false', 1, 0, null, [], {}],
  array: ['x', 0, null, {}, true],
  object: ['x', 0, null, [], true, [{}]],
  null: [0, '', false, {}]
}

export class SchemaArbitraries {
  readonly #document: unknown
  readonly #dictionary: Dictionary
  readonly #formats: Formats
  readonly #known = new Map<string, fc.Arbitrary<string>[]>()

  /** `formats`: the app's own string formats, next to the standard ones. */
  constructor (document: unknown, dictionary: Dictionary = [], formats: Formats = {}) {
    this.#document = document
    this.#dictionary = dictionary
    this.#formats = { ...STANDARD_FORMATS, ...formats }
  }

  /** Whether a string satisfies the (resolved) string schema. */
  accepts (schema: Schema, text: string): boolean {
    return satisfiesString(this.resolve(schema), text, this.#formats)
  }

  /** The schema behind a `$ref` (`#/components/schemas/X`), or the schema itself. */
  resolve (schema: Schema): Schema {
    let current = schema
    for (let hops = 0; current.$ref !== undefined; hops++) {
      if (hops > 20) throw new Error(`$ref cycle at ${schema.$ref}`)
      const path = current.$ref.replace(/^#\//, '').split('/').map(part => part.replaceAll('~1', '/').replaceAll('~0', '~'))
      current = path.reduce<any>((node, part) => node?.[part], this.#document)
      if (current === undefined) throw new Error(`unresolved $ref ${schema.$ref}`)
    }
    const unknown = Object.keys(current).filter(keyword => !UNDERSTOOD.has(keyword))
    if (unknown.length > 0) throw new Error(`the fuzz generator does not read ${unknown.join(', ')} (schema ${JSON.stringify(current).slice(0, 120)})`)
    return current
  }

  /** Draws values the schema accepts. */
  valid (input: Schema): fc.Arbitrary<unknown> {
    const schema = this.resolve(input)
    if (schema.const !== undefined) return fc.constant(schema.const)
    if (schema.enum !== undefined) return fc.constantFrom(...schema.enum)
    const branches = schema.anyOf ?? schema.oneOf
    if (branches !== undefined) return fc.oneof(...branches.map(branch => this.valid(branch)))
    if (Array.isArray(schema.type)) return fc.oneof(...schema.type.map(type => this.valid({ ...schema, type })))
    switch (schema.type) {
      case 'string': return this.#validText(schema)
      case 'integer': return fc.integer(this.#bounds(schema, true))
      case 'number': return fc.double({ ...this.#bounds(schema, false), noNaN: true, noDefaultInfinity: true })
      case 'boolean': return fc.boolean()
      case 'null': return fc.constant(null)
      case 'array': return this.#validArray(schema)
      case 'object': return this.#validObject(schema)
      case undefined: return fc.jsonValue({ maxDepth: 3 })
      default: throw new Error(`unknown type ${String(schema.type)}`)
    }
  }

  /** Draws values the schema should refuse, or that stress what lies behind it. */
  hostile (input: Schema): fc.Arbitrary<unknown> {
    const schema = this.resolve(input)
    const typed = this.#hostileOfType(schema)
    return fc.oneof(
      { weight: 1, arbitrary: fc.constantFrom(...this.#wrongTypes(schema)) },
      { weight: 1, arbitrary: awkwardJson },
      { weight: typed.length === 0 ? 0 : 4, arbitrary: typed.length === 0 ? fc.constant(null) : fc.oneof(...typed) }
    )
  }

  #wrongTypes (schema: Schema): unknown[] {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type ?? 'any']
    const values = types.flatMap(type => WRONG_TYPE_VALUES[type as string] ?? [])
    return values.length > 0 ? values : [null]
  }

  #hostileOfType (schema: Schema): fc.Arbitrary<unknown>[] {
    if (schema.enum !== undefined) {
      return [fc.constantFrom(...schema.enum.filter(v => typeof v === 'string').flatMap(v => [v.toUpperCase(), ` ${v}`, `${v}\u0000`]), 'unknown-value')]
    }
    const branches = schema.anyOf ?? schema.oneOf
    if (branches !== undefined) {
      const merged = fc.tuple(...branches.map(branch => this.valid(branch)))
        .map(values => Object.assign({}, ...values.filter(v => typeof v === 'object' && v !== null && !Array.isArray(v))))
      return [...branches.map(branch => this.hostile(branch)), merged]
    }
    switch (schema.type) {
      case 'string': return this.#hostileText(schema)
      case 'integer':
      case 'number': return this.#hostileNumber(schema)
      case 'array': return this.#hostileArray(schema)
      case 'object': return this.#hostileObject(schema)
      default: return []
    }
  }

  #validText (schema: Schema): fc.Arbitrary<string> {
    const known = this.#knownFor(schema)
    const drawn = validString(schema, this.#formats)
    // Known values twice as often: they are what makes a valid request reach an existing resource.
    return known.length === 0 ? drawn : fc.oneof({ weight: 1, arbitrary: drawn }, { weight: 2, arbitrary: fc.oneof(...known) })
  }

  /** Dictionary entries the schema accepts; an arbitrary entry counts when every sample of it does. */
  #knownFor (schema: Schema): fc.Arbitrary<string>[] {
    const key = JSON.stringify(schema)
    let known = this.#known.get(key)
    if (known === undefined) {
      known = this.#dictionary.flatMap(entry => {
        if (typeof entry === 'string') return this.accepts(schema, entry) ? [fc.constant(entry)] : []
        return fc.sample(entry, { numRuns: 20, seed: 1 }).every(text => this.accepts(schema, text)) ? [entry] : []
      })
      this.#known.set(key, known)
    }
    return known
  }

  #hostileText (schema: Schema): fc.Arbitrary<unknown>[] {
    const valid = validString(schema, this.#formats)
    const max = schema.maxLength
    const min = schema.minLength ?? 0
    const prefix = schema['x-reserved-prefix']
    return [
      ...(prefix === undefined ? [] : [fc.tuple(fc.mixedCase(fc.constant(prefix)), valid).map(([reserved, text]) => reserved + text)]),
      spliceAwkward(valid),
      fc.constant('x'.repeat((max ?? 1000) + 1)),
      fc.integer({ min: (max ?? 1000) + 1, max: Math.max((max ?? 1000) + 1, 20_000) }).map(n => 'a'.repeat(n)),
      ...(min > 0 ? [fc.constant('a'.repeat(min - 1))] : []),
      fc.constantFrom('2024-13-45T99:99:99Z', 'not-a-uuid', '00000000-0000-0000-0000-00000000000g', '1970-01-01'),
      valid.map(text => text.toUpperCase() + ' ')
    ]
  }

  #bounds (schema: Schema, integer: boolean): { min: number, max: number } {
    const low = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + (integer ? 1 : Number.EPSILON) : undefined)
    const high = schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - (integer ? 1 : Number.EPSILON) : undefined)
    const limit = integer ? Number.MAX_SAFE_INTEGER : Number.MAX_VALUE
    return { min: Math.max(low ?? -limit, -limit), max: Math.min(high ?? limit, limit) }
  }

  #hostileNumber (schema: Schema): fc.Arbitrary<unknown>[] {
    const outside = [schema.minimum, schema.exclusiveMinimum].filter(v => v !== undefined).map(v => v - 1)
      .concat([schema.maximum, schema.exclusiveMaximum].filter(v => v !== undefined).map(v => v + 1))
    return [hugeNumber, fc.constantFrom(0.5, -0.5, -1, 0, ...outside)]
  }

  #validArray (schema: Schema): fc.Arbitrary<unknown[]> {
    const items = this.valid(schema.items ?? {})
    const constraints = { minLength: schema.minItems ?? 0, maxLength: schema.maxItems ?? 10 }
    const member = schema['x-unique-by']
    if (member !== undefined) return fc.uniqueArray(items, { ...constraints, selector: item => (item as Record<string, unknown>)[member] })
    return schema.uniqueItems ? fc.uniqueArray(items, { ...constraints, selector: item => JSON.stringify(item) }) : fc.array(items, constraints)
  }

  #hostileArray (schema: Schema): fc.Arbitrary<unknown>[] {
    const item = this.valid(schema.items ?? {})
    const hostile: fc.Arbitrary<unknown>[] = [
      fc.tuple(this.#validArray(schema), this.hostile(schema.items ?? {}), fc.nat()).map(([items, bad, at]) => items.toSpliced(at % (items.length + 1), 0, bad)),
      fc.constant([]),
      fc.integer({ min: 1, max: 5000 }).map(depth => [nested(depth, 'array')])
    ]
    if (schema.maxItems !== undefined) hostile.push(fc.array(item, { minLength: schema.maxItems + 1, maxLength: schema.maxItems + 3 }))
    if (schema.uniqueItems) hostile.push(item.map(value => [value, value]))
    const member = schema['x-unique-by']
    if (member !== undefined) hostile.push(fc.tuple(item, item).map(([first, second]) => [first, { ...(second as object), [member]: (first as Record<string, unknown>)[member] }]))
    return hostile
  }

  #validObject (schema: Schema): fc.Arbitrary<Record<string, unknown>> {
    const properties = schema.properties ?? {}
    const record = fc.record(Object.fromEntries(Object.entries(properties).map(([name, member]) => [name, this.valid(member)])), {
      requiredKeys: (schema.required ?? []).filter(name => name in properties)
    }) as fc.Arbitrary<Record<string, unknown>>
    const extra = schema.additionalProperties
    if (extra === undefined || extra === false) return record
    const keys = schema.propertyNames ? this.#validText({ type: 'string', ...this.resolve(schema.propertyNames) }) : fc.string({ unit: 'binary', maxLength: 20 })
    const values = extra === true ? fc.jsonValue({ maxDepth: 2 }) : this.valid(extra)
    const reserved = schema['x-reserved-key-prefix']
    const free = fc.dictionary(keys.filter(key => !(key in properties) && (reserved === undefined || !hasReservedPrefix(key, reserved))), values, { minKeys: schema.minProperties ?? 0, maxKeys: schema.maxProperties ?? 5, noNullPrototype: true })
    return fc.tuple(record, free).map(([fixed, more]) => ({ ...more, ...fixed }))
  }

  #hostileObject (schema: Schema): fc.Arbitrary<unknown>[] {
    const valid = this.#validObject(schema)
    const properties = Object.entries(schema.properties ?? {})
    const withMember = (object: Record<string, unknown>, name: string, value: unknown) =>
      Object.fromEntries([...Object.entries(object).filter(([key]) => key !== name), [name, value]])
    const hostile: fc.Arbitrary<unknown>[] = [
      fc.tuple(valid, fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS), fc.string({ maxLength: 10 })), awkwardJson)
        .map(([object, key, value]) => withMember(object, key, value))
    ]
    for (const name of schema.required ?? []) {
      hostile.push(valid.map(object => Object.fromEntries(Object.entries(object).filter(([key]) => key !== name))))
    }
    for (const [name, member] of properties) {
      hostile.push(fc.tuple(valid, this.hostile(member)).map(([object, value]) => withMember(object, name, value)))
    }
    if (schema.maxProperties !== undefined) {
      hostile.push(fc.constant(Object.fromEntries(Array.from({ length: schema.maxProperties + 1 }, (_, i) => [`k${i}`, 'v']))))
    }
    const reserved = schema['x-reserved-key-prefix']
    if (reserved !== undefined) {
      hostile.push(fc.tuple(valid, fc.mixedCase(fc.constant(reserved)), fc.string({ maxLength: 5 })).map(([object, prefix, rest]) => withMember(object, prefix + rest, 'v')))
    }
    if (schema.propertyNames !== undefined) {
      hostile.push(fc.tuple(valid, this.hostile(schema.propertyNames).filter(key => typeof key === 'string'), fc.string())
        .map(([object, key, value]) => withMember(object, key as string, value)))
    }
    return hostile
  }
}
