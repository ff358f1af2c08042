/**
 * Long polling: waits up to a deadline for an update to reach a terminal status, on the
 * watcher's shared poll loop, and answers the latest known state either way.
 */
import type { Update } from '@aws-sdk/client-eks'
import type { ServiceError } from '../errors.ts'
import { shuttingDown } from './shutting-down.ts'
import { systemTimers, type TimerHandle, type Timers } from './timers.ts'
import type { UpdateWatcher, WatchEvent, WatchSubscription } from './update-watcher.ts'

export interface WaitResult {
  update: Update
  /** Whether the update reached Successful, Failed or Cancelled. */
  terminal: boolean
  /** When not terminal: seconds until the shared loop next asks AWS, a sensible moment to ask again. */
  retryAfterSeconds?: number
}

export interface WaitOptions {
  waitMs: number
  timers?: Timers
  /** Aborts the wait (the client went away); the promise then rejects with the signal's reason. */
  signal?: AbortSignal
}

/**
 * Resolves with the terminal state as soon as it is known, or with the latest state when the
 * deadline passes. Rejects with the watch's error when it ends with one (404 for an unknown
 * update), or when the deadline passes after a failed poll and before any state was known.
 * If the deadline passes before the first poll answered, the first answer settles it.
 */
export function waitForUpdate (watcher: UpdateWatcher, clusterName: string, updateId: string, options: WaitOptions): Promise<WaitResult> {
  const timers = options.timers ?? systemTimers
  const { signal } = options
  if (signal?.aborted) return Promise.reject(signal.reason)

  return new Promise((resolve, reject) => {
    let latest: Update | undefined
    let lastError: ServiceError | undefined
    let deadlinePassed = false
    let settled = false

    const settle = (outcome: (retryAfterSeconds: number) => void) => {
      if (settled) return
      settled = true
      const retryAfterSeconds = Math.max(1, Math.ceil(subscription.nextPollInMs() / 1000))
      timers.clearTimeout(deadline)
      signal?.removeEventListener('abort', onAbort)
      subscription.unsubscribe()
      outcome(retryAfterSeconds)
    }
    const answerLatest = (retryAfterSeconds: number) => {
      if (latest) resolve({ update: latest, terminal: false, retryAfterSeconds })
      else reject(lastError ?? shuttingDown())
    }
    const onAbort = () => settle(() => reject(signal!.reason))

    const listener = (event: WatchEvent) => {
      if (event.kind === 'state') {
        latest = event.update
        if (event.terminal) settle(() => resolve({ update: event.update, terminal: true }))
        else if (deadlinePassed) settle(answerLatest)
      } else if (event.kind === 'error') {
        lastError = event.error
        if (event.final) settle(() => reject(event.error))
        else if (deadlinePassed) settle(answerLatest)
      } else {
        settle(answerLatest)
      }
    }

    const subscription: WatchSubscription = watcher.subscribe(clusterName, updateId, listener)
    signal?.addEventListener('abort', onAbort, { once: true })
    const deadline: TimerHandle = timers.setTimeout(() => {
      deadlinePassed = true
      if (latest || lastError) settle(answerLatest)
    }, options.waitMs)
  })
}
