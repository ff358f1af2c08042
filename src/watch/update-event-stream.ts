/**
 * An update as Server-Sent Events, on the watcher's shared poll loop:
 *
 *   retry: <ms>                      reconnection delay advice, once
 *   event: update   data: {"update":{…}}   the current state, then each status change
 *   event: error    data: <problem>        a failed poll (the stream goes on unless it ends)
 *   : heartbeat                            a comment every heartbeat interval, for proxies
 *   event: end      data: {"reason":…}     last event: terminal, error, max-duration or shutdown
 *
 * Every event carries an `id:` counting from 1 within the stream.
 */
import { Readable } from 'node:stream'
import type { ServiceError } from '../errors.ts'
import { shuttingDown } from './shutting-down.ts'
import { systemTimers, type TimerHandle, type Timers } from './timers.ts'
import type { UpdateWatcher, WatchEvent, WatchSubscription } from './update-watcher.ts'

export type EndReason = 'terminal' | 'error' | 'max-duration' | 'shutdown'

export interface EventStreamOptions {
  heartbeatMs: number
  /** The stream ends with `event: end` (reason max-duration) after this long. */
  maxDurationMs: number
  /** Sent as the SSE `retry:` field. */
  retryMs: number
  /** Renders an error as the `data` of an `event: error` (a problem details object). */
  problem (error: ServiceError): object
  timers?: Timers
  /** Aborts the opening (the client went away before the first state). */
  signal?: AbortSignal
}

const END_DETAILS: Record<EndReason, string> = {
  terminal: 'The update reached a terminal status.',
  error: 'Watching stopped on an error that polling again would not fix.',
  'max-duration': 'The stream reached its longest allowed duration; reconnect to keep watching.',
  shutdown: 'The service is shutting down; reconnect to keep watching.'
}

/**
 * Resolves with the stream once the first state is known, so an unknown update is answered as a
 * plain 404 (the promise rejects with the first error) rather than as a stream. Destroying the
 * stream, as the HTTP layer does when the client disconnects, ends the subscription.
 */
export function openUpdateEventStream (watcher: UpdateWatcher, clusterName: string, updateId: string, options: EventStreamOptions): Promise<Readable> {
  const timers = options.timers ?? systemTimers
  const { signal } = options
  if (signal?.aborted) return Promise.reject(signal.reason)

  const stream = new Readable({ read () {} })
  let eventId = 0
  let done = false
  let heartbeat: TimerHandle | undefined
  let maxDuration: TimerHandle | undefined
  let subscription: WatchSubscription | undefined

  const send = (event: string, data: object) => {
    stream.push(`event: ${event}\nid: ${++eventId}\ndata: ${JSON.stringify(data)}\n\n`)
  }
  const stop = () => {
    if (done) return
    done = true
    timers.clearTimeout(heartbeat)
    timers.clearTimeout(maxDuration)
    subscription?.unsubscribe()
  }
  const end = (reason: EndReason) => {
    if (done) return
    send('end', { reason, detail: END_DETAILS[reason] })
    stop()
    stream.push(null)
  }
  const beat = () => {
    stream.push(': heartbeat\n\n')
    heartbeat = timers.setTimeout(beat, options.heartbeatMs)
  }
  stream.once('close', stop)

  return new Promise((resolve, reject) => {
    let opened = false
    const open = () => {
      opened = true
      signal?.removeEventListener('abort', onAbort)
      stream.push(`retry: ${options.retryMs}\n\n`)
      heartbeat = timers.setTimeout(beat, options.heartbeatMs)
      maxDuration = timers.setTimeout(() => end('max-duration'), options.maxDurationMs)
      resolve(stream)
    }
    const refuse = (error: unknown) => {
      stop()
      stream.destroy()
      reject(error)
    }
    const onAbort = () => { if (!opened) refuse(signal!.reason) }

    const listener = (event: WatchEvent) => {
      if (done) return
      if (!opened) {
        if (event.kind !== 'state') return refuse(event.kind === 'error' ? event.error : shuttingDown())
        open()
      }
      if (event.kind === 'state') {
        send('update', { update: event.update })
        if (event.terminal) end('terminal')
      } else if (event.kind === 'error') {
        send('error', options.problem(event.error))
        if (event.final) end('error')
      } else {
        end('shutdown')
      }
    }

    subscription = watcher.subscribe(clusterName, updateId, listener)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
