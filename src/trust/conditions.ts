/**
 * IAM condition operators, evaluated as IAM evaluates them, for the string operators a web
 * identity trust policy uses: StringEquals, StringNotEquals, their IgnoreCase forms, StringLike
 * and StringNotLike, with the `ForAnyValue:`/`ForAllValues:` set prefixes and the `IfExists`
 * suffix. Any other operator is reported as unsupported, never guessed.
 */
import type { ConditionBlock } from './policy-document.ts'

/** Condition key (any letter case: IAM compares keys case-insensitively) → the request's values. */
export type RequestContext = ReadonlyMap<string, readonly string[]>

export type SetQualifier = 'ForAnyValue' | 'ForAllValues'

export interface ParsedOperator {
  qualifier?: SetQualifier
  /** The base operator, e.g. `StringLike`. */
  base: string
  ifExists: boolean
}

interface StringOperator { negated: boolean, matches (policyValue: string, requestValue: string): boolean }

const exact = (p: string, r: string) => p === r
const ignoringCase = (p: string, r: string) => p.toLowerCase() === r.toLowerCase()

const STRING_OPERATORS: Record<string, StringOperator> = {
  StringEquals: { negated: false, matches: exact },
  StringNotEquals: { negated: true, matches: exact },
  StringEqualsIgnoreCase: { negated: false, matches: ignoringCase },
  StringNotEqualsIgnoreCase: { negated: true, matches: ignoringCase },
  StringLike: { negated: false, matches: (p, r) => wildcardPattern(p).test(r) },
  StringNotLike: { negated: true, matches: (p, r) => wildcardPattern(p).test(r) }
}

/** Operators comparing literally: `*` and `?` in their values are plain characters. */
export const LITERAL_OPERATORS: ReadonlySet<string> = new Set(['StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase'])

export function parseOperator (operator: string): ParsedOperator {
  const match = /^(?:(ForAnyValue|ForAllValues):)?(.+?)(IfExists)?$/.exec(operator) as RegExpExecArray
  const [, qualifier, base, ifExists] = match
  return { ...(qualifier ? { qualifier: qualifier as SetQualifier } : {}), base, ifExists: ifExists !== undefined }
}

export const isSupportedOperator = (operator: string) => Object.hasOwn(STRING_OPERATORS, parseOperator(operator).base)

/** True when the base operator is StringLike or StringNotLike (the only ones reading `*` and `?`). */
export const isPatternOperator = (operator: string) => parseOperator(operator).base.endsWith('Like')

/** `*` is any run of characters (also none), `?` exactly one; everything else is literal. */
export function wildcardPattern (value: string): RegExp {
  const source = [...value].map(c => c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&')).join('')
  return new RegExp(`^${source}$`, 's')
}

export const hasWildcard = (value: string) => /[*?]/.test(value)

export type Verdict = 'match' | 'no-match' | 'unsupported'

export interface KeyResult {
  operator: string
  key: string
  values: string[]
  verdict: Verdict
}

/**
 * One operator over one key. IAM's rule for a key absent from the request: the condition is false,
 * except for an `IfExists` operator (true), `ForAllValues:` (true: every one of no values matches)
 * and an unqualified negated operator (true); `ForAnyValue:` over no values is false.
 */
export function evaluateKey (operator: string, key: string, values: readonly string[], context: RequestContext): Verdict {
  const parsed = parseOperator(operator)
  const string = STRING_OPERATORS[parsed.base]
  if (!string) return 'unsupported'
  const present = lookup(context, key)
  if (present === undefined || present.length === 0) {
    if (parsed.ifExists || parsed.qualifier === 'ForAllValues') return 'match'
    return string.negated && parsed.qualifier === undefined ? 'match' : 'no-match'
  }
  const matchesSome = (requestValue: string) => values.some(policyValue => string.matches(policyValue, requestValue))
  // A negated operator holds for a request value that matches none of the policy's values.
  const holds = (requestValue: string) => string.negated ? !matchesSome(requestValue) : matchesSome(requestValue)
  const result = parsed.qualifier === 'ForAllValues' ? present.every(holds) : present.some(holds)
  return result ? 'match' : 'no-match'
}

function lookup (context: RequestContext, key: string): readonly string[] | undefined {
  const wanted = key.toLowerCase()
  for (const [name, values] of context) if (name.toLowerCase() === wanted) return values
  return undefined
}

/** Every operator and key of a Condition element; all must match (AND) for the statement to apply. */
export function evaluateConditions (conditions: ConditionBlock | undefined, context: RequestContext): KeyResult[] {
  return Object.entries(conditions ?? {}).flatMap(([operator, keys]) =>
    Object.entries(keys).map(([key, values]) => ({ operator, key, values, verdict: evaluateKey(operator, key, values, context) })))
}

/** The overall verdict: any unsupported operator makes it unsupported unless another key already fails. */
export function conditionsVerdict (results: readonly KeyResult[]): Verdict {
  if (results.some(r => r.verdict === 'no-match')) return 'no-match'
  if (results.some(r => r.verdict === 'unsupported')) return 'unsupported'
  return 'match'
}
