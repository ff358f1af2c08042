/**
 * JSON text that JSON.stringify cannot write: number literals beyond doubles (`1e400`), `-0`,
 * nesting thousands of levels deep. A `RawJson` placed anywhere in a value is written verbatim by
 * `toJsonText`.
 */
export class RawJson {
  readonly text: string
  constructor (text: string) { this.text = text }
  toString () { return `RawJson(${this.text.length > 40 ? this.text.slice(0, 40) + '…' : this.text})` }
}

const PLACEHOLDER = /"\\u0000raw:(\d+)\\u0000"/g

/** JSON.stringify, with every RawJson written as its text. */
export function toJsonText (value: unknown): string {
  const raws: string[] = []
  const text = JSON.stringify(value, (_key, member) => {
    if (!(member instanceof RawJson)) return member
    raws.push(member.text)
    return `\u0000raw:${raws.length - 1}\u0000`
  })
  return raws.length === 0 ? text : text.replace(PLACEHOLDER, (_, index: string) => raws[Number(index)])
}

/** `depth` nested arrays or objects around `inner`, e.g. `[[[0]]]`. */
export function nested (depth: number, kind: 'array' | 'object', inner = '0'): RawJson {
  const [open, close] = kind === 'array' ? ['[', ']'] : ['{"a":', '}']
  return new RawJson(open.repeat(depth) + inner + close.repeat(depth))
}
