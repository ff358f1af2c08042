/** Turns typebox validation errors into one readable line each, for start-up messages. */
import type { TSchema } from 'typebox'
import { Value } from 'typebox/value'

interface ValueError {
  keyword: string
  instancePath: string
  message: string
  params: Record<string, unknown>
}

export function describeSchemaErrors (schema: TSchema, value: unknown, label: string): string[] {
  const messages: string[] = []
  for (const error of Value.Errors(schema, value) as ValueError[]) {
    // `additionalProperties: false` reports each extra member twice; keep the named report.
    if (error.keyword === 'boolean') continue
    const where = `${label}${error.instancePath === '' ? '' : ' at ' + error.instancePath}`
    if (error.keyword === 'additionalProperties') {
      const names = (error.params.additionalProperties as string[]).map(name => `"${name}"`).join(', ')
      messages.push(`${where}: unknown member ${names}`)
    } else if (error.keyword === 'enum') {
      messages.push(`${where}: must be one of ${(error.params.allowedValues as unknown[]).map(v => JSON.stringify(v)).join(', ')}`)
    } else {
      messages.push(`${where}: ${error.message}`)
    }
  }
  return messages
}
