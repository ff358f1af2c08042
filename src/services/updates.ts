/**
 * EKS updates of a cluster: read one, wait for it (long poll) or stream it (SSE), all on the
 * shared poll loop of the UpdateWatcher.
 */
import type { Update } from '@aws-sdk/client-eks'
import type { Readable } from 'node:stream'
import type { ServiceError } from '../errors.ts'
import { openUpdateEventStream } from '../watch/update-event-stream.ts'
import type { Timers } from '../watch/timers.ts'
import type { UpdateWatcher } from '../watch/update-watcher.ts'
import { waitForUpdate, type WaitResult } from '../watch/wait-for-update.ts'
import type { PageQuery } from './clusters.ts'
import type { IdentityProviderConfigService } from './identity-provider-configs.ts'

export interface UpdateStreamSettings {
  heartbeatMs: number
  maxDurationMs: number
  /** Sent as the SSE `retry:` advice. */
  retryMs: number
}

export class UpdateService {
  readonly watcher: UpdateWatcher
  readonly #configs: Pick<IdentityProviderConfigService, 'listUpdates' | 'describeUpdate'>
  readonly #stream: UpdateStreamSettings
  readonly #timers: Timers | undefined

  constructor (deps: { configs: Pick<IdentityProviderConfigService, 'listUpdates' | 'describeUpdate'>, watcher: UpdateWatcher, stream: UpdateStreamSettings, timers?: Timers }) {
    this.#configs = deps.configs
    this.watcher = deps.watcher
    this.#stream = deps.stream
    this.#timers = deps.timers
  }

  list (clusterName: string, query: PageQuery) {
    return this.#configs.listUpdates(clusterName, query)
  }

  describe (clusterName: string, updateId: string): Promise<Update> {
    return this.#configs.describeUpdate(clusterName, updateId)
  }

  /** Waits up to `waitMs` for a terminal status; rejects with the signal's reason when aborted. */
  wait (clusterName: string, updateId: string, waitMs: number, signal: AbortSignal): Promise<WaitResult> {
    return waitForUpdate(this.watcher, clusterName, updateId, { waitMs, signal, timers: this.#timers })
  }

  stream (clusterName: string, updateId: string, options: { problem (error: ServiceError): object, signal: AbortSignal }): Promise<Readable> {
    return openUpdateEventStream(this.watcher, clusterName, updateId, { ...this.#stream, ...options, timers: this.#timers })
  }
}
