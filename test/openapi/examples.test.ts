/**
 * Every example in openapi.yaml is valid against its schema, as the app's own Ajv validates, and
 * the example Swagger UI prefills for PUT /clusters/{name}/oidc-provider is harmless: against a
 * provider with its own audiences and thumbprints, it plans no call on either.
 */
import { readFile } from 'node:fs/promises'
import t from 'tap'
import { parse } from 'yaml'
import { AJV_OPTIONS, createValidatorCompiler } from '../../src/plugins/validation.ts'
import { startHarness, writeCalls } from '../e2e/support.ts'

type Json = Record<string, unknown>

interface Example { at: string, schema: Json, value: unknown, httpPart: 'body' | 'querystring' }

const document = parse(await readFile(new URL('../../openapi.yaml', import.meta.url), 'utf8'))
const COMPONENT_REF = '#/components/schemas/'

/** The document's `$ref`s to components as plain ids, so that the components can be Ajv's shared schemas. */
const withIdRefs = (value: unknown): unknown => JSON.parse(JSON.stringify(value).replaceAll(`"${COMPONENT_REF}`, '"'))

/**
 * Schema examples (`examples: [...]`, or a schema's `example`) and the examples of parameters and
 * media types (`example`, or `examples: {name: {value}}` beside their `schema`), wherever they are.
 */
function examplesIn (node: unknown, at: string, httpPart: Example['httpPart'] = 'body'): Example[] {
  if (typeof node !== 'object' || node === null) return []
  const object = node as Json
  const isParameter = typeof object.in === 'string' && typeof object.name === 'string'
  const part = isParameter ? 'querystring' : httpPart
  const found: Example[] = []
  if (typeof object.schema === 'object') {
    // A parameter is validated as Fastify does it: as a member of the object of its part.
    const schema = isParameter
      ? { type: 'object', properties: { [object.name as string]: object.schema } }
      : object.schema as Json
    const valueOf = (value: unknown) => isParameter ? { [object.name as string]: value } : value
    if ('example' in object) found.push({ at: `${at}/example`, schema, value: valueOf(object.example), httpPart: part })
    for (const [name, example] of Object.entries((object.examples ?? {}) as Record<string, { value: unknown }>)) {
      found.push({ at: `${at}/examples/${name}`, schema, value: valueOf(example.value), httpPart: part })
    }
  } else {
    if (Array.isArray(object.examples)) object.examples.forEach((value, i) => found.push({ at: `${at}/examples/${i}`, schema: object, value, httpPart: part }))
    if ('example' in object) found.push({ at: `${at}/example`, schema: object, value: object.example, httpPart: part })
  }
  for (const [key, member] of Object.entries(object)) {
    if (key !== 'examples' && key !== 'example') found.push(...examplesIn(member, `${at}/${key}`, part))
  }
  return found
}

const components = Object.entries(document.components.schemas as Record<string, Json>)
  .map(([name, schema]) => ({ ...(withIdRefs(schema) as Json), $id: name }))
const compile = createValidatorCompiler({ issuerUrl: {} })(Object.fromEntries(components.map(schema => [schema.$id, schema])), { customOptions: AJV_OPTIONS })

const examples = examplesIn(document, '#')
const putOidcProviderExample = (document.components.schemas.PutOidcProviderRequest.examples ?? [])[0]

t.test('every example in openapi.yaml is valid against its schema', async t => {
  t.ok(examples.some(e => e.at === '#/components/schemas/PutOidcProviderRequest/examples/0'), 'the PUT oidc-provider request has an example')
  for (const { at, schema, value, httpPart } of examples) {
    const { examples: _examples, example: _example, ...rule } = withIdRefs(schema) as Json
    const validate = compile({ schema: rule, httpPart, method: 'GET', url: '/' } as never) as unknown as ((data: unknown) => boolean) & { errors?: unknown }
    // Validation may fill in defaults: it gets a copy.
    t.ok(validate(structuredClone(value)), `${at} is valid${validate.errors ? ': ' + JSON.stringify(validate.errors) : ''}`)
  }
})

t.test('the PUT oidc-provider example changes no audience and no thumbprint of an existing provider', async t => {
  const { emulator, call } = await startHarness(t, { emulator: { seed: { clusters: [{ name: 'demo' }] } } })
  const custom = { ClientIDList: ['sts.amazonaws.com', 'vault'], ThumbprintList: ['ab'.repeat(20)] }
  t.equal((await call('PUT', '/clusters/demo/oidc-provider', { body: custom })).status, 201)

  emulator.resetCalls()
  const plan = await call('PUT', '/clusters/demo/oidc-provider?dryRun=true', { body: putOidcProviderExample })
  t.equal(plan.status, 200)
  const operations: string[] = plan.body.changes.map((c: { operation: string }) => c.operation)
  t.ok(operations.length > 0, 'the example does something to show')
  t.same(operations.filter(op => op !== 'TagOpenIDConnectProvider'), [], 'it only sets tags: no client ID or thumbprint call, and no tag removed from an untagged provider')
  t.same(writeCalls(emulator, 'iam'), {}, 'a dry run writes nothing')
})
