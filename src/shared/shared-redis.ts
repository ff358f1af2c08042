/**
 * The Redis that replicas share (REDIS_URL): the per-caller rate limit and the fleet's AWS pacing
 * keep their counters there, so N replicas together hold one budget. It is never a dependency of
 * an answer: a command fails at once while the connection is down (no offline queue), and within
 * REDIS_TIMEOUT_MS when Redis stops answering; each use then falls back to its in-process state
 * and reports the outage through SharedStoreHealth. The client reconnects on its own.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { Redis } from 'ioredis'
import type { Logger } from '../observability/request-context.ts'
import type { SharedStoreObserver } from '../observability/metrics.ts'
import { SharedStoreHealth } from './shared-store-health.ts'

export interface SharedRedisOptions {
  url: string
  /** Prepended to every key: one prefix per deployment (and per test run) sharing a Redis. */
  keyPrefix: string
  /** Bounds connecting and each command. */
  timeoutMs: number
}

export interface SharedRedis {
  readonly client: Redis
  readonly keyPrefix: string
  readonly health: SharedStoreHealth
  close (): Promise<void>
}

const MAX_RECONNECT_DELAY_MS = 2000

export async function openSharedRedis (options: SharedRedisOptions, log: Logger, observer: SharedStoreObserver): Promise<SharedRedis> {
  const client = new Redis(options.url, {
    connectTimeout: options.timeoutMs,
    commandTimeout: options.timeoutMs,
    enableOfflineQueue: false,
    // Ready as soon as connected: a Redis still loading answers errors, which fall back like any other.
    enableReadyCheck: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt) => Math.min(MAX_RECONNECT_DELAY_MS, 100 * attempt),
    lazyConnect: true
  })
  // Connection errors are reported by the commands that fail; without a listener they would crash the process.
  client.on('error', () => {})
  const health = new SharedStoreHealth(log, observer)
  // A replica starts even when Redis is down or silent; it then works per replica until Redis answers.
  const connected = client.connect().then(() => true, () => false)
  if (!await Promise.race([connected, sleep(options.timeoutMs, false)])) {
    log.warn({ url: redactedUrl(options.url) }, 'shared Redis not reachable at start; rate limits and AWS pacing are per replica until it is')
  }
  return {
    client,
    keyPrefix: options.keyPrefix,
    health,
    async close () {
      await client.quit().catch(() => client.disconnect())
    }
  }
}

/** The URL without its password, for logs. */
function redactedUrl (url: string): string {
  const parsed = new URL(url)
  if (parsed.password !== '') parsed.password = '***'
  return parsed.toString()
}
