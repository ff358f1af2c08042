/**
 * The model constraints of the emulated IAM inputs (lengths, patterns, list sizes of botocore
 * data/iam/2010-05-08/service-2.json), checked as IAM's request validation checks them: before
 * the operation runs, every violation of the request in one `ValidationError` 400 whose message
 * has AWS's shape, e.g. `1 validation error detected: Value '…' at 'url' failed to satisfy
 * constraint: Member must have length less than or equal to 255`. Checks IAM makes itself
 * (URL syntax, hex thumbprints, duplicate or reserved tag keys, quotas) are iam.ts's, with IAM's
 * own codes (`InvalidInput`, `LimitExceeded`).
 */
import { nullMember, QueryError } from './wire-errors.ts'

export interface StringShape {
  min?: number
  max?: number
  /** The model's pattern, matched against the whole value. */
  pattern?: string
}

/** The string shapes of the OIDC provider and role operations, as the IAM model defines them. */
export const IAM_SHAPES = {
  arn: { min: 20, max: 2048 },
  url: { min: 1, max: 255 },
  clientId: { min: 1, max: 255 },
  thumbprint: { min: 40, max: 40 },
  tagKey: { min: 1, max: 128, pattern: '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+' },
  tagValue: { min: 0, max: 256, pattern: '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*' },
  marker: { min: 1, max: 320, pattern: '[\\u0020-\\u00FF]+' },
  roleName: { min: 1, max: 64, pattern: '[\\w+=,.@-]+' },
  path: { min: 1, max: 512, pattern: '(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)' },
  pathPrefix: { min: 1, max: 512, pattern: '\\u002F[\\u0021-\\u007F]*' },
  policyDocument: { min: 1, max: 131072, pattern: '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+' },
  roleDescription: { max: 1000, pattern: '[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*' },
  permissionsBoundary: { min: 20, max: 2048 }
} as const satisfies Record<string, StringShape>

/** The most tags (`tagListType`) and tag keys (`tagKeyListType`) one request may carry. */
export const MAX_TAGS_PER_REQUEST = 50

/** AWS counts characters (Unicode code points), not UTF-16 units. */
const lengthOf = (value: string) => [...value].length

const compiled = new Map<string, RegExp>()
function matches (value: string, pattern: string): boolean {
  let regex = compiled.get(pattern)
  if (!regex) compiled.set(pattern, regex = new RegExp(`^(?:${pattern})$`, 'u'))
  return regex.test(value)
}

/** The constraints of a shape in AWS's words and order: maximum, minimum, pattern. */
function rulesOf (shape: StringShape): Array<{ phrase: string, holds: (value: string) => boolean }> {
  const rules = []
  if (shape.max !== undefined) {
    const max = shape.max
    rules.push({ phrase: `Member must have length less than or equal to ${max}`, holds: (value: string) => lengthOf(value) <= max })
  }
  if (shape.min !== undefined) {
    const min = shape.min
    rules.push({ phrase: `Member must have length greater than or equal to ${min}`, holds: (value: string) => lengthOf(value) >= min })
  }
  if (shape.pattern !== undefined) {
    const pattern = shape.pattern
    rules.push({ phrase: `Member must satisfy regular expression pattern: ${pattern}`, holds: (value: string) => matches(value, pattern) })
  }
  return rules
}

/** Collects the violations of one request; `check()` throws them as one ValidationError. */
export class ModelValidation {
  readonly #violations: string[] = []

  /** A required scalar: absent is `Member must not be null`. */
  required (value: string | undefined, member: string, shape: StringShape): void {
    if (value === undefined) this.#violations.push(nullMember(member))
    else this.optional(value, member, shape)
  }

  /** A required list or structure: absent is `Member must not be null`. */
  present (value: unknown, member: string): void {
    if (value === undefined) this.#violations.push(nullMember(member))
  }

  optional (value: string | undefined, member: string, shape: StringShape): void {
    if (value === undefined) return
    for (const rule of rulesOf(shape)) {
      if (!rule.holds(value)) this.#violations.push(`Value '${value}' at '${member}' failed to satisfy constraint: ${rule.phrase}`)
    }
  }

  /** A list of strings: a failing item is reported on the list, with every constraint of its shape. */
  list (values: string[] | undefined, member: string, shape: StringShape, maxItems?: number): void {
    if (values === undefined) return
    this.#listSize(values.length, member, maxItems, `'[${values.join(', ')}]' `)
    const rules = rulesOf(shape)
    if (values.some(value => rules.some(rule => !rule.holds(value)))) {
      this.#violations.push(`Value '[${values.join(', ')}]' at '${member}' failed to satisfy constraint: ` +
        `Member must satisfy constraint: [${rules.map(rule => rule.phrase).join(', ')}]`)
    }
  }

  /** A list of tags: each Key and Value is reported at its own `tags.N.member.key`. */
  tags (tags: Array<{ Key?: string, Value?: string }> | undefined, member: string): void {
    if (tags === undefined) return
    this.#listSize(tags.length, member, MAX_TAGS_PER_REQUEST, '')
    tags.forEach((tag, index) => {
      this.required(tag.Key, `${member}.${index + 1}.member.key`, IAM_SHAPES.tagKey)
      this.required(tag.Value, `${member}.${index + 1}.member.value`, IAM_SHAPES.tagValue)
    })
  }

  integer (raw: string | null, member: string, min: number, max: number): void {
    if (raw === null) return
    const value = Number(raw)
    if (!Number.isInteger(value) || value < min) {
      this.#violations.push(`Value '${raw}' at '${member}' failed to satisfy constraint: Member must have value greater than or equal to ${min}`)
    } else if (value > max) {
      this.#violations.push(`Value '${raw}' at '${member}' failed to satisfy constraint: Member must have value less than or equal to ${max}`)
    }
  }

  check (): void {
    const count = this.#violations.length
    if (count === 0) return
    throw new QueryError('ValidationError',
      `${count} validation error${count === 1 ? '' : 's'} detected: ${this.#violations.join('; ')}`)
  }

  #listSize (size: number, member: string, maxItems: number | undefined, shown: string): void {
    if (maxItems !== undefined && size > maxItems) {
      this.#violations.push(`Value ${shown}at '${member}' failed to satisfy constraint: Member must have length less than or equal to ${maxItems}`)
    }
  }
}
