/**
 * The service's Prometheus metrics, on a registry of their own (not prom-client's global one), so
 * that every app instance, and every test, counts separately.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { CacheObserver } from '../cache/read-through.ts'

export type AwsService = 'eks' | 'iam' | 'sts'
export type AwsOutcome = 'success' | 'throttled' | 'error'
/** The account and region of a port's calls, as metric labels (the pool's key of the account; `global` for IAM). */
export interface AwsCallScope { account?: string, region?: string }
export type IdempotencyOutcome = 'new' | 'replayed' | 'conflict' | 'mismatch'
/** Why the overload guard sheds: metric label values, one per threshold. */
export type OverloadReason = 'event_loop_delay' | 'heap' | 'rss'

/** The uses of the shared Redis (rate limit, AWS pacing), each reported on its own. */
export type SharedStoreUse = 'rate-limit' | 'aws-pacing'

export interface SharedStoreObserver {
  /** 1 while the shared store answers for this use, 0 during an outage. */
  setUp (use: SharedStoreUse, up: boolean): void
  /** A decision taken on this replica's own state because the shared store did not answer. */
  countFallback (use: SharedStoreUse): void
}

const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
const AWS_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

export class ServiceMetrics implements SharedStoreObserver {
  readonly registry = new Registry()
  readonly #httpRequests: Counter<'route' | 'method' | 'status'>
  readonly #httpDuration: Histogram<'route' | 'method' | 'status'>
  readonly #httpShed: Counter<'reason'>
  readonly #awsCalls: Counter<'service' | 'operation' | 'outcome' | 'account' | 'region'>
  readonly #awsRetries: Counter<'service' | 'operation' | 'account' | 'region'>
  readonly #awsDuration: Histogram<'service' | 'operation' | 'outcome' | 'account' | 'region'>
  readonly #idempotency: Counter<'outcome'>
  readonly #cache: Counter<'cache' | 'result'>
  readonly #sharedStoreUp: Gauge<'use'>
  readonly #sharedStoreFallbacks: Counter<'use'>

  constructor (options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry]
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry })
    this.#httpRequests = new Counter({ name: 'http_requests_total', help: 'HTTP requests answered, by route template, method and status.', labelNames: ['route', 'method', 'status'], registers })
    this.#httpDuration = new Histogram({ name: 'http_request_duration_seconds', help: 'Time to answer HTTP requests, by route template, method and status.', labelNames: ['route', 'method', 'status'], buckets: HTTP_BUCKETS, registers })
    this.#httpShed = new Counter({ name: 'http_requests_shed_total', help: 'Requests refused with 503 ServiceOverloaded, by reason: event_loop_delay, heap or rss.', labelNames: ['reason'], registers })
    this.#awsCalls = new Counter({ name: 'aws_calls_total', help: 'AWS API calls (after SDK retries), by service, operation and outcome, and the account and region called (empty when not known, global for IAM).', labelNames: ['service', 'operation', 'outcome', 'account', 'region'], registers })
    this.#awsRetries = new Counter({ name: 'aws_call_retries_total', help: 'Retries the AWS SDK made inside calls ($metadata.attempts - 1).', labelNames: ['service', 'operation', 'account', 'region'], registers })
    this.#awsDuration = new Histogram({ name: 'aws_call_duration_seconds', help: 'Duration of AWS API calls, SDK retries included.', labelNames: ['service', 'operation', 'outcome', 'account', 'region'], buckets: AWS_BUCKETS, registers })
    this.#idempotency = new Counter({ name: 'idempotency_outcomes_total', help: 'Idempotency-Key lookups, by outcome: new, replayed, conflict (in progress) or mismatch (key reused with another request).', labelNames: ['outcome'], registers })
    this.#cache = new Counter({ name: 'cache_events_total', help: 'Cache and coalescing events, by cache and result (hit, miss, coalesced).', labelNames: ['cache', 'result'], registers })
    this.#sharedStoreUp = new Gauge({ name: 'shared_store_up', help: 'Whether the shared Redis (REDIS_URL) answers, by use (rate-limit, aws-pacing): 1 yes, 0 during an outage (the replica then decides on its own state).', labelNames: ['use'], registers })
    this.#sharedStoreFallbacks = new Counter({ name: 'shared_store_fallbacks_total', help: 'Decisions a replica took on its own state because the shared Redis did not answer, by use (rate-limit, aws-pacing).', labelNames: ['use'], registers })
  }

  observeRequest (labels: { route: string, method: string, status: number }, seconds: number) {
    const values = { ...labels, status: String(labels.status) }
    this.#httpRequests.inc(values)
    this.#httpDuration.observe(values, seconds)
  }

  countShed = (reason: OverloadReason) => {
    this.#httpShed.inc({ reason })
  }

  observeAwsCall (call: { service: AwsService, operation: string, outcome: AwsOutcome }, seconds: number, retries: number, where: AwsCallScope = {}) {
    const labels = { ...call, account: where.account ?? '', region: where.region ?? '' }
    this.#awsCalls.inc(labels)
    this.#awsDuration.observe(labels, seconds)
    if (retries > 0) this.#awsRetries.inc({ service: call.service, operation: call.operation, account: labels.account, region: labels.region }, retries)
  }

  countIdempotency = (outcome: IdempotencyOutcome) => {
    this.#idempotency.inc({ outcome })
  }

  countCacheEvent: CacheObserver = (cache, result) => {
    this.#cache.inc({ cache, result })
  }

  setUp (use: SharedStoreUse, up: boolean) {
    this.#sharedStoreUp.set({ use }, up ? 1 : 0)
  }

  countFallback (use: SharedStoreUse) {
    this.#sharedStoreFallbacks.inc({ use })
  }

  /** The text exposition format, for GET /metrics. */
  async render () {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() }
  }
}
