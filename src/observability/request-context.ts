/**
 * The request a piece of work belongs to, carried by AsyncLocalStorage so that code below the
 * routes (services, AWS ports) can log with the request's id without receiving the request.
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import type { AwsCall } from '../store/audit-contract.ts'

/** The subset of pino the service's framework-free code logs through. */
export interface Logger {
  debug (object: object, message: string): void
  info (object: object, message: string): void
  warn (object: object, message: string): void
  error (object: object, message: string): void
}

export interface RequestContext {
  reqId: string
  /** The authenticated principal, once known: assumed-role sessions carry it as their SourceIdentity. */
  principal?: string
  /** The request's child logger: every line carries `reqId`. */
  log: Logger
  /** Every AWS call the request made, in order (for its operation and audit records). */
  awsCalls: AwsCall[]
}

const storage = new AsyncLocalStorage<RequestContext>()

/** Runs `work` (and everything it starts) inside the request's context. */
export function runInRequestContext<T> (context: RequestContext, work: () => T): T {
  return storage.run(context, work)
}

export function currentRequestContext (): RequestContext | undefined {
  return storage.getStore()
}

/** The current request's logger, or `fallback` outside any request (start-up, background work). */
export function contextLogger (fallback: Logger): Logger {
  return storage.getStore()?.log ?? fallback
}
