/**
 * Declarative environment-variable parsers. Each variable declares its parser, default and
 * description once; validation, `.env.example` and the table in docs/configuration.md all come from that.
 */
export interface Variable<T> {
  /** Which parser reads it; with the parser's own limits (min, max, values, pattern, item) it lets the chart's values schema be derived. */
  kind: 'integer' | 'text' | 'oneOf' | 'boolean' | 'url' | 'list'
  description: string
  /** Shown in docs; undefined means "unset by default". */
  example?: string
  defaultValue?: T
  required?: boolean
  parse (raw: string): T
}

export class ConfigError extends Error {
  readonly problems: string[]
  constructor (problems: string[]) {
    super(`Invalid configuration:\n${problems.map(p => `  - ${p}`).join('\n')}`)
    this.name = 'ConfigError'
    this.problems = problems
  }
}

type Spec<T> = Omit<Variable<T>, 'parse' | 'kind'>

export function integer<S extends Spec<number> & { min: number, max: number }> (spec: S): Variable<number> & S {
  return {
    ...spec,
    kind: 'integer',
    parse (raw) {
      if (!/^-?\d+$/.test(raw.trim())) throw new Error(`must be an integer, got "${raw}"`)
      const value = Number(raw)
      if (value < spec.min || value > spec.max) throw new Error(`must be between ${spec.min} and ${spec.max}, got ${value}`)
      return value
    }
  }
}

export function text<S extends Spec<string> & { pattern?: RegExp, rule?: string }> (spec: S): Variable<string> & S {
  return {
    ...spec,
    kind: 'text',
    parse (raw) {
      if (spec.pattern && !spec.pattern.test(raw)) throw new Error(`${spec.rule ?? `must match ${spec.pattern}`}, got "${raw}"`)
      return raw
    }
  }
}

export function oneOf<T extends string, S extends Spec<T>> (values: readonly T[], spec: S): Variable<T> & S & { values: readonly T[] } {
  return {
    ...spec,
    kind: 'oneOf',
    values,
    parse (raw) {
      if (!values.includes(raw as T)) throw new Error(`must be one of ${values.join(', ')}, got "${raw}"`)
      return raw as T
    }
  }
}

export function boolean<S extends Spec<boolean>> (spec: S): Variable<boolean> & S {
  return {
    ...spec,
    kind: 'boolean',
    parse (raw) {
      if (/^(true|1|yes)$/i.test(raw)) return true
      if (/^(false|0|no)$/i.test(raw)) return false
      throw new Error(`must be true or false, got "${raw}"`)
    }
  }
}

export function url<S extends Spec<string> & { protocols: string[] }> (spec: S): Variable<string> & S {
  return {
    ...spec,
    kind: 'url',
    parse (raw) {
      let parsed: URL
      try { parsed = new URL(raw) } catch { throw new Error(`must be a URL, got "${raw}"`) }
      if (!spec.protocols.includes(parsed.protocol)) throw new Error(`must use ${spec.protocols.join(' or ')}, got "${parsed.protocol}"`)
      return raw
    }
  }
}

export function list<S extends Spec<string[]> & { item?: RegExp, rule?: string }> (spec: S): Variable<string[]> & S {
  return {
    ...spec,
    kind: 'list',
    parse (raw) {
      const items = raw.split(',').map(s => s.trim()).filter(Boolean)
      const bad = spec.item ? items.filter(i => !spec.item!.test(i)) : []
      if (bad.length) throw new Error(`${spec.rule ?? 'has invalid entries'}: ${bad.join(', ')}`)
      return items
    }
  }
}

type Parsed<S> = {
  [K in keyof S]: S[K] extends Variable<infer T>
    ? (S[K] extends { defaultValue: T } | { required: true } ? T : T | undefined)
    : never
}

/** Reads every declared variable from `env`, collecting every problem before failing. */
export function readVariables<S extends Record<string, Variable<unknown>>> (spec: S, env: Record<string, string | undefined>): Parsed<S> {
  const problems: string[] = []
  const out: Record<string, unknown> = {}
  for (const [name, variable] of Object.entries(spec)) {
    const raw = env[name]
    if (raw === undefined || raw === '') {
      if (variable.required) problems.push(`${name} is required: ${variable.description}`)
      out[name] = variable.defaultValue
      continue
    }
    try {
      out[name] = variable.parse(raw)
    } catch (error) {
      problems.push(`${name} ${(error as Error).message}`)
    }
  }
  if (problems.length) throw new ConfigError(problems)
  return out as Parsed<S>
}
