/** Route options and decorations of the app's own plugins (auth, audit and security declare theirs). */
import type { AppServices } from './container.ts'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Whether the route honours (optional) or requires (required) an Idempotency-Key. */
    idempotency?: 'optional' | 'required'
  }
  interface FastifyInstance {
    services: AppServices
  }
}
