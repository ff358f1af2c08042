/**
 * Values no schema asks for: each JSON type in its awkward forms, text that breaks naive code
 * (lone surrogates, NUL, bidi controls, prototype names), numbers beyond doubles and nesting deep
 * enough to break recursive code while staying inside the body limit.
 */
import fc from 'fast-check'
import { nested, RawJson } from './raw-json.ts'

/** Member names that reach Object.prototype when code copies members with plain assignment. */
export const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'] as const

/** Strings that parse as numbers, or look like special numbers, to code that coerces. */
export const NUMBER_LIKE_TEXT = ['NaN', 'Infinity', '-Infinity', '-0', '1e308', '1e309', '-1e308', '0x10', '1_000', '9007199254740993', ' 1', '1 ', ''] as const

/** Text that breaks code assuming well-formed, printable, short strings. */
export const AWKWARD_TEXT = [
  '\ud800', '\udfff', 'a\ud800b', '\udc00\ud800', '\u0000', 'a\u0000b', '\u202e', '\ufeff', '\u00a0', '\r\n', '\t',
  '😀', 'é', 'e\u0301', '..', '../..', '/', '%', '%00', '%2F', '\\', '"', "'", '<script>', '$' + '{x}', '{{x}}',
  ...PROTOTYPE_KEYS, ...NUMBER_LIKE_TEXT
] as const

/** Numbers JSON allows and doubles cannot hold, written verbatim. */
export const HUGE_NUMBER_TEXT = ['1e400', '-1e400', '1' + '0'.repeat(400), '-0', '0.' + '0'.repeat(400) + '1', '1E+308', '4.9e-324', '123456789012345678901234567890'] as const

/** Depths that stay under a 64 KiB body: an array level costs 2 bytes, an object level 6. */
const deepNesting = fc.tuple(fc.integer({ min: 100, max: 10_000 }), fc.constantFrom('array' as const, 'object' as const))
  .map(([depth, kind]) => nested(depth, kind))

export const hugeNumber: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(1e308, -1e308, Number.MAX_VALUE, Number.MIN_VALUE, Number.MAX_SAFE_INTEGER + 2, -(2 ** 63)),
  fc.constantFrom(...HUGE_NUMBER_TEXT).map(text => new RawJson(text))
)

/** Any JSON value chosen to be awkward, regardless of what the schema expects. */
export const awkwardJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 0.5, '', [], {}, [null], { '': '' }),
  fc.constantFrom(...AWKWARD_TEXT),
  hugeNumber,
  deepNesting,
  fc.constantFrom(...PROTOTYPE_KEYS).map(key => Object.fromEntries([[key, { polluted: true }]])),
  fc.string({ unit: 'binary', minLength: 1000, maxLength: 20_000 }),
  fc.jsonValue({ maxDepth: 3 })
)

/** A string with one awkward piece spliced in at a random place. */
export function spliceAwkward (text: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.tuple(text, fc.constantFrom(...AWKWARD_TEXT), fc.nat()).map(([base, piece, at]) => {
    const cut = base.length === 0 ? 0 : at % (base.length + 1)
    return base.slice(0, cut) + piece + base.slice(cut)
  })
}
