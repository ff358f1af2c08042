/**
 * Redis for tests: reachable at REDIS_URL (default the local loopback server). Under CI=true an
 * unreachable server is a failure; otherwise the caller skips with a clear message (as the
 * PostgreSQL tests do, test/store/postgres.ts). Every test run writes under a key prefix of its own.
 */
import { once } from 'node:events'
import { connect, createServer, type AddressInfo, type Socket } from 'node:net'
import { Redis } from 'ioredis'
import type { Test } from 'tap'

export const testRedisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

/** Undefined when reachable, otherwise the reason. */
export async function redisUnavailable (): Promise<string | undefined> {
  const client = new Redis(testRedisUrl, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null })
  client.on('error', () => {})
  try {
    await client.connect()
    await client.ping()
    return undefined
  } catch (error) {
    return `Redis not reachable at ${testRedisUrl}: ${(error as Error).message}`
  } finally {
    client.disconnect()
  }
}

/** Registers the skip (or, under CI, the failure) and returns false when Redis is missing. */
export async function requireRedis (t: Test): Promise<boolean> {
  const reason = await redisUnavailable()
  if (reason === undefined) return true
  if (process.env.CI === 'true') t.fail(`${reason} (CI=true requires Redis)`)
  else t.plan(0, `${reason}; skipping the Redis tests (set CI=true to make this fail)`)
  return false
}

/** A key prefix no other test run uses; its keys are deleted when the test ends. */
export function freshKeyPrefix (t: Test, label: string): string {
  const prefix = `test:${label}:${process.pid}:${Date.now().toString(36)}:`
  t.teardown(() => deleteKeys(prefix))
  return prefix
}

async function deleteKeys (prefix: string): Promise<void> {
  const client = new Redis(testRedisUrl, { maxRetriesPerRequest: 0 })
  client.on('error', () => {})
  try {
    const keys = await client.keys(`${prefix}*`)
    if (keys.length > 0) await client.del(...keys)
  } finally {
    client.disconnect()
  }
}

/** A TCP server on loopback that accepts connections and never answers: a Redis that hangs. */
export async function silentServer (t: Test): Promise<string> {
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(async () => {
    for (const socket of sockets) socket.destroy()
    server.close()
  })
  return `redis://127.0.0.1:${(server.address() as AddressInfo).port}`
}

export interface FreezableProxy {
  /** `redis://127.0.0.1:<port>` of the proxy. */
  url: string
  /** From now on nothing is forwarded either way, and connections stay open: a Redis that stopped answering. */
  freeze (): void
}

/** A loopback TCP proxy to the test Redis that can stop answering while connected. */
export async function freezableProxy (t: Test): Promise<FreezableProxy> {
  const target = new URL(testRedisUrl)
  const sockets = new Set<Socket>()
  let frozen = false
  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 6379), target.hostname)
    for (const socket of [client, upstream]) {
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
      socket.on('error', () => {})
    }
    client.on('data', (chunk) => { if (!frozen) upstream.write(chunk) })
    upstream.on('data', (chunk) => { if (!frozen) client.write(chunk) })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(async () => {
    for (const socket of sockets) socket.destroy()
    server.close()
  })
  return { url: `redis://127.0.0.1:${(server.address() as AddressInfo).port}`, freeze: () => { frozen = true } }
}
