/**
 * One arbitrary of HTTP requests per OpenAPI operation, read from the document alone: path, query
 * and header parameters and the JSON body, each drawn valid or, one part at a time, hostile. No
 * route is named here, so an operation added to the document is fuzzed as it is.
 */
import fc from 'fast-check'
import { awkwardJson } from './hostile-values.ts'
import { toJsonText } from './raw-json.ts'
import { SchemaArbitraries, type Dictionary, type Schema } from './schema-arbitraries.ts'
import type { Formats } from './text-arbitraries.ts'
import { HEADER_JUNK, headerSafe, PERCENT_JUNK, percentEncode, textOf } from './wire-text.ts'

interface Parameter {
  in: 'path' | 'query' | 'header' | 'cookie'
  name: string
  required?: boolean
  schema: Schema
}

export interface Operation {
  operationId: string
  parameters?: Parameter[]
  requestBody?: { required?: boolean, content: Record<string, { schema: Schema }> }
  responses: Record<string, { description: string, content?: Record<string, unknown> }>
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>
}

/** Which part of a request was drawn hostile; `none` for a request valid by the document. */
export type HostilePart = 'none' | 'path' | 'query' | 'header' | 'body' | 'envelope'

export interface FuzzRequest {
  method: string
  /** Path and query, as sent (already encoded). */
  path: string
  headers: Record<string, string>
  body?: string
  hostile: HostilePart
}

export interface FuzzedOperation {
  method: string
  /** The OpenAPI path template, e.g. `/clusters/{name}`. */
  template: string
  operation: Operation
  requests: fc.Arbitrary<FuzzRequest>
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const

/** Bodies the JSON parser must refuse, or that sit at its edges. */
const UNREADABLE_JSON = ['', '{', '}', '{"a":1,}', '{a:1}', "{'a':1}", 'nul', 'NaN', '[1,]', '\ufeff{}', '{"a":1}{"a":2}', '{"a":"\\ud800"}',
  '{"a":1,"a":2}', '"text"', '0', 'null', '[]', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}', '\u0000'] as const

const CONTENT_TYPES = ['text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16',
  'application/json;charset=latin1', 'APPLICATION/JSON', 'application/merge-patch+json', 'application/json, text/plain', 'multipart/form-data; boundary=x', ''] as const

/** 1 KiB past the service's default 64 KiB body limit. */
const OVERSIZED_BODY = JSON.stringify({ padding: 'x'.repeat(65 * 1024) })

type Drawn = Record<string, string | undefined>

export class OperationArbitraries {
  readonly document: OpenApiDocument
  readonly #schemas: SchemaArbitraries

  constructor (document: OpenApiDocument, dictionary: Dictionary = [], formats: Formats = {}) {
    this.document = document
    this.#schemas = new SchemaArbitraries(document, dictionary, formats)
  }

  /** Every operation of the document with its request arbitrary. */
  operations (): FuzzedOperation[] {
    return Object.entries(this.document.paths).flatMap(([template, item]) => METHODS
      .filter(method => item[method] !== undefined)
      .map(method => ({ method: method.toUpperCase(), template, operation: item[method] as Operation, requests: this.requests(method.toUpperCase(), template, item[method] as Operation) })))
  }

  requests (method: string, template: string, operation: Operation): fc.Arbitrary<FuzzRequest> {
    const parameters = operation.parameters ?? []
    const inPart = (part: Parameter['in']) => parameters.filter(p => p.in === part)
    const body = operation.requestBody?.content['application/json']?.schema
    const valid = {
      path: this.#parameters(inPart('path'), 'path', false),
      query: this.#parameters(inPart('query'), 'query', false),
      header: this.#parameters(inPart('header'), 'header', false),
      body: body === undefined ? fc.constant(undefined) : this.#schemas.valid(body).map(toJsonText)
    }
    const hostile = {
      path: this.#parameters(inPart('path'), 'path', true),
      query: fc.oneof(this.#parameters(inPart('query'), 'query', true), this.#strayQuery(valid.query)),
      header: this.#parameters(inPart('header'), 'header', true),
      body: body === undefined ? fc.constant(undefined) : this.#schemas.hostile(body).map(toJsonText)
    }
    const assemble = (hostilePart: HostilePart) => {
      const pick = <K extends keyof typeof valid>(part: K) => (hostilePart === part ? hostile[part] : valid[part]) as fc.Arbitrary<any>
      return fc.record({ path: pick('path'), query: pick('query'), header: pick('header'), body: pick('body'), envelope: this.#envelope(hostilePart === 'envelope', body !== undefined) })
        .map(drawn => this.#request(method, template, hostilePart, drawn))
    }
    const parts: Array<{ part: HostilePart, weight: number }> = [
      { part: 'none', weight: 3 },
      { part: 'path', weight: inPart('path').length > 0 ? 1 : 0 },
      { part: 'query', weight: 1 },
      { part: 'header', weight: inPart('header').length > 0 ? 1 : 0 },
      { part: 'body', weight: body !== undefined ? 3 : 0 },
      { part: 'envelope', weight: 1 }
    ]
    return fc.oneof(...parts.filter(p => p.weight > 0).map(({ part, weight }) => ({ weight, arbitrary: assemble(part) })))
  }

  #request (method: string, template: string, hostile: HostilePart, drawn: { path: Drawn, query: Drawn | string, header: Drawn, body?: string, envelope: { contentType?: string, body?: string } }): FuzzRequest {
    const path = template.replace(/\{([^}]+)\}/g, (_, name: string) => drawn.path[name] ?? '')
    const query = typeof drawn.query === 'string'
      ? drawn.query
      : Object.entries(drawn.query).filter(([, value]) => value !== undefined).map(([name, value]) => `${percentEncode(name)}=${value}`).join('&')
    const headers: Record<string, string> = Object.fromEntries(Object.entries(drawn.header).filter((entry): entry is [string, string] => entry[1] !== undefined))
    const body = drawn.envelope.body ?? drawn.body
    const contentType = drawn.envelope.contentType ?? (drawn.body !== undefined ? 'application/json' : undefined)
    if (body !== undefined && contentType !== '' && contentType !== undefined) headers['content-type'] = contentType
    return { method, path: query === '' ? path : `${path}?${query}`, headers, body, hostile }
  }

  /** Values of the parameters of one part, encoded for the wire; hostile draws spoil exactly one of them. */
  #parameters (parameters: Parameter[], part: 'path' | 'query' | 'header', hostile: boolean): fc.Arbitrary<Drawn> {
    const validOf = (p: Parameter) => {
      const value = part === 'header' ? this.#headerValue(p.schema) : this.#schemas.valid(p.schema).map(v => percentEncode(textOf(v)))
      return p.required || part === 'path' ? value : fc.option(value, { nil: undefined })
    }
    const validAll = fc.record(Object.fromEntries(parameters.map(p => [p.name, validOf(p)]))) as fc.Arbitrary<Drawn>
    if (!hostile || parameters.length === 0) return validAll
    return fc.tuple(validAll, fc.constantFrom(...parameters)).chain(([values, target]) =>
      this.#hostileParameter(target, part).map(bad => ({ ...values, [target.name]: bad })))
  }

  #headerValue (schema: Schema): fc.Arbitrary<string> {
    return this.#schemas.valid(schema).map(v => headerSafe(textOf(v))).filter(text => this.#schemas.accepts(schema, text))
  }

  #hostileParameter (parameter: Parameter, part: 'path' | 'query' | 'header'): fc.Arbitrary<string | undefined> {
    const hostileText = this.#schemas.hostile(parameter.schema).map(textOf)
    const long = fc.integer({ min: 101, max: 4000 }).map(n => 'a'.repeat(n))
    if (part === 'header') return fc.oneof(hostileText.map(headerSafe), fc.constantFrom(...HEADER_JUNK), long)
    const missing = parameter.required ? [fc.constant(undefined)] : []
    return fc.oneof(hostileText.map(percentEncode), fc.constantFrom(...PERCENT_JUNK), long, ...missing)
  }

  /** A query with extra, repeated or malformed members next to valid ones. */
  #strayQuery (valid: fc.Arbitrary<Drawn>): fc.Arbitrary<string> {
    const stray = fc.oneof(
      fc.constantFrom('__proto__=1', '__proto__[x]=1', 'constructor=x', 'constructor[prototype][x]=1', 'hasOwnProperty=1', '=', '&', '&&', 'a', 'a[]=1', 'a[b]=1'),
      fc.constantFrom(...PERCENT_JUNK).map(junk => `${junk}=${junk}`),
      awkwardJson.map(value => `unknown=${percentEncode(textOf(value))}`)
    )
    return fc.tuple(valid, stray, fc.boolean()).map(([values, extra, repeat]) => {
      const members = Object.entries(values).filter(([, v]) => v !== undefined).map(([name, v]) => `${percentEncode(name)}=${v}`)
      const repeated = repeat && members.length > 0 ? [members[0]] : []
      return [...members, ...repeated, extra].join('&')
    })
  }

  /** The body's framing: unreadable JSON, another content type, an oversized body, or a body where none is read. */
  #envelope (hostile: boolean, hasBody: boolean): fc.Arbitrary<{ contentType?: string, body?: string }> {
    if (!hostile) return fc.constant({})
    return fc.oneof(
      fc.constantFrom(...UNREADABLE_JSON).map(body => ({ contentType: 'application/json', body })),
      fc.constantFrom(...CONTENT_TYPES).map(contentType => ({ contentType, body: hasBody ? '{}' : 'x=1' })),
      fc.constant({ contentType: 'application/json', body: OVERSIZED_BODY }),
      fc.constant({ contentType: 'application/json', body: '{"unexpected":"body"}' })
    )
  }
}
