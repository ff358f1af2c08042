import { Type } from 'typebox'

export const HealthStatus = Type.Object({
  status: Type.String({ description: '`ok` or `ready`, or `not-ready` with the failing checks.' }),
  checks: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'Dependency checks and their result.' }))
}, { additionalProperties: false })
