/**
 * Route schemas are compiled when a route is first used, not at start. Compiling the validators
 * (Ajv) and the response serializers (fast-json-stringify) of every route at start took most of
 * the time to ready and a share of its peak memory; a route's first request now pays a few
 * milliseconds instead.
 */
import SerializerSelector from '@fastify/fast-json-stringify-compiler'
import type { createValidatorCompiler } from './validation.ts'

/** A compiled validator or serializer; Fastify reads a validator's `errors` after a failed call. */
type Compiled = ((data: unknown) => unknown) & { errors?: unknown }

export function compileOnFirstUse<Definition> (compile: (definition: Definition) => Compiled): (definition: Definition) => Compiled {
  return (definition) => {
    let compiled: Compiled | undefined
    const onFirstUse: Compiled = (data) => {
      compiled ??= compile(definition)
      const result = compiled(data)
      onFirstUse.errors = compiled.errors
      return result
    }
    return onFirstUse
  }
}

type ValidatorFactory = ReturnType<typeof createValidatorCompiler>
type SerializerFactory = ReturnType<typeof SerializerSelector>

/** Fastify's `schemaController.compilersFactory`: the given validators and the default serializers, each compiled lazily. */
export function compileOnFirstUseFactory (buildValidator: ValidatorFactory) {
  return {
    buildValidator: ((externalSchemas, options) => compileOnFirstUse(buildValidator(externalSchemas, options) as never)) as ValidatorFactory,
    buildSerializer: ((externalSchemas, options) => compileOnFirstUse(SerializerSelector()(externalSchemas, options) as never)) as SerializerFactory
  }
}
