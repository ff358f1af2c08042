/** Route-level options the service's plugins read from `routeOptions.config`. */
import type { AppServices } from './services/index.ts'

export type RouteAction = 'read' | 'write' | 'admin'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Reachable without credentials (health, docs, OpenAPI). */
    public?: boolean
    /** The grant a caller needs; the cluster comes from the `name` path parameter when present. */
    auth?: { action: RouteAction }
    /** Whether the route honours (optional) or requires (required) an Idempotency-Key. */
    idempotency?: 'optional' | 'required'
  }
  interface FastifyRequest {
    principal?: { name: string, via: string }
  }
  interface FastifyInstance {
    services: AppServices
  }
}
