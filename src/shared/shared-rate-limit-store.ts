/**
 * The @fastify/rate-limit store for several replicas: counts live in the shared Redis (the
 * plugin's own Redis store and script, under our key prefix), so a caller's limit holds across
 * replicas. When Redis does not answer, the request is counted in this replica's memory instead
 * (the plugin's local store): it is never refused nor held for want of Redis, and the caller is
 * still limited, per replica, as if Redis were not configured. See docs/operations.md.
 */
import { createRequire } from 'node:module'
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit'
import type { Redis } from 'ioredis'
import type { SharedStoreHealth } from './shared-store-health.ts'

type Counted = Parameters<FastifyRateLimitStore['incr']>[1]
type RouteOptions = Parameters<FastifyRateLimitStore['child']>[0]

// The plugin's stores are CommonJS modules without types of their own.
const require = createRequire(import.meta.url)
const LocalStore = require('@fastify/rate-limit/store/LocalStore.js') as new (continueExceeding: boolean, exponentialBackoff: boolean) => FastifyRateLimitStore
const RedisStore = require('@fastify/rate-limit/store/RedisStore.js') as new (continueExceeding: boolean, exponentialBackoff: boolean, redis: Redis, key: string) => FastifyRateLimitStore

export interface SharedRateLimitStoreOptions {
  redis: Redis
  /** Prefix of the counters' keys in Redis. */
  keyPrefix: string
  health: SharedStoreHealth
}

class FailoverStore implements FastifyRateLimitStore {
  readonly #shared: FastifyRateLimitStore
  readonly #local: FastifyRateLimitStore
  readonly #health: SharedStoreHealth

  constructor (shared: FastifyRateLimitStore, local: FastifyRateLimitStore, health: SharedStoreHealth) {
    this.#shared = shared
    this.#local = local
    this.#health = health
  }

  incr (key: string, counted: Counted, timeWindow: number, max: number): void {
    this.#shared.incr(key, (error, result) => {
      if (error === null) {
        this.#health.succeeded('rate-limit')
        counted(null, result)
        return
      }
      this.#health.failed('rate-limit', error)
      this.#local.incr(key, counted, timeWindow, max)
    }, timeWindow, max)
  }

  child (routeOptions: RouteOptions): FastifyRateLimitStore {
    return new FailoverStore(this.#shared.child(routeOptions), this.#local.child(routeOptions), this.#health)
  }
}

/** The `store` option of @fastify/rate-limit. */
export function sharedRateLimitStore (options: SharedRateLimitStoreOptions): FastifyRateLimitStoreCtor {
  return class SharedRateLimitStore extends FailoverStore {
    constructor () {
      super(new RedisStore(false, false, options.redis, `${options.keyPrefix}rate-limit:`), new LocalStore(false, false), options.health)
    }
  }
}
