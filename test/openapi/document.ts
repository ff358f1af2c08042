/** Reading the app's OpenAPI document by route, for the route-table tests. */
import type { FastifyInstance } from 'fastify'

export interface DocumentedResponse {
  description: string
  headers?: Record<string, { $ref?: string }>
  content?: Record<string, unknown>
}

export interface Operation {
  operationId: string
  security?: unknown[]
  parameters?: unknown[]
  requestBody?: unknown
  responses: Record<string, DocumentedResponse>
}

interface Document {
  paths: Record<string, Record<string, Operation>>
  components: { headers?: Record<string, unknown> }
}

export const openapiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')

export function documentOf (app: FastifyInstance) {
  const document = app.swagger() as unknown as Document
  return {
    operation: (method: string, url: string): Operation | undefined => document.paths[openapiPath(url)]?.[method.toLowerCase()],
    /** The response's header names, lower-cased, with shared headers resolved. */
    headerNames (response: DocumentedResponse): string[] {
      return Object.entries(response.headers ?? {}).map(([name, header]) => {
        if (header.$ref !== undefined && document.components.headers?.[header.$ref.split('/').pop() ?? ''] === undefined) {
          throw new Error(`unresolved header reference ${header.$ref}`)
        }
        return name.toLowerCase()
      })
    }
  }
}

export const statusesOf = (operation: Operation) => Object.keys(operation.responses).map(Number)
