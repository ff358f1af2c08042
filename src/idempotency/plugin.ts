/**
 * Idempotency-Key support for routes that opt in with `config: { idempotency: 'required' | 'optional' }`.
 * preHandler (after validation and auth): validate the key, claim it, answer 409/422 or replay;
 * onSend: store definitive responses (fenced by the lease) as they leave; release the key on
 * anything else.
 * Semantics: reliability.md §7 items 1–16.
 */
import { randomUUID } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { PROBLEM_TYPE_BASE } from '../errors.ts'
import { ClaimOutcome, RecoveryPoint } from '../store/store.ts'
import type { ClaimedOperation, CompletedOperation, IdempotencyRef, IdempotencyStore, StoredResponse } from '../store/store.ts'
import {
  IDEMPOTENCY_KEY_HEADER, idempotencyKeyMissing, idempotencyKeyReused, idempotencyRequestInProgress,
  idempotencyStoreUnavailable
} from './errors.ts'
import { fingerprint } from './fingerprint.ts'
import { parseIdempotencyKey } from './key.ts'
import { bodyClientRequestToken, clientRequestTokenFor, detachedOperation } from './operation.ts'
import type { OperationContext } from './operation.ts'
import { isDefinitiveResponse, replayedHeaders, storableBody } from './response-policy.ts'

export const DEFAULT_RETENTION_SECONDS = 24 * 3600
export const DEFAULT_LEASE_SECONDS = 60
export const DEFAULT_PURGE_INTERVAL_SECONDS = 300
export const REPLAYED_HEADER = 'idempotent-replayed'

export type IdempotencyMode = 'required' | 'optional'

export interface IdempotencyContext extends OperationContext {
  /** The client's key (for logs, hash it first). */
  key: string
  /** Whether the claim created the operation record (see `operationOf`). */
  operationRecorded: boolean
  /** Whether the stored answer also recorded the operation's outcome (see `operationOutcomeOf`). */
  operationFinished: boolean
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Opt a mutating route into Idempotency-Key handling. */
    idempotency?: IdempotencyMode
  }
  interface FastifyRequest {
    /** Set when this request holds an idempotency claim; null otherwise. */
    idempotency: IdempotencyContext | null
  }
}

export interface IdempotencyPluginOptions {
  store: { idempotency: IdempotencyStore }
  /** How long a completed response is replayed (and a key stays bound to its payload). Default 24 h. */
  retentionSeconds?: number
  /** Lease of an in-progress claim; renewed every half lease while the request runs. Default 60 s. */
  leaseSeconds?: number
  now?: () => Date
  /** Identity the key is scoped to (no cross-principal replay). Default: `anonymous`. */
  principalOf?: (request: FastifyRequest) => string
  /** Target of the `Link: <…>; rel="describedby"` sent with idempotency-key-missing. */
  docsUrl?: string
  /** How often expired records are deleted; 0 turns the reaper off. Default 300 s. */
  purgeIntervalSeconds?: number
  /**
   * The operation record of a request; when given, a new claim creates it in the same statement
   * (one round trip instead of two, and never a claim without its operation).
   */
  operationOf?: (request: FastifyRequest) => Omit<ClaimedOperation, 'clientRequestToken'>
  /** The operation's outcome, stored in the same statement as a definitive answer. */
  operationOutcomeOf?: (request: FastifyRequest, statusCode: number, payload: unknown, now: Date) => CompletedOperation
  /** Told of each keyed request's outcome (for metrics). */
  onOutcome?: (outcome: IdempotencyOutcome) => void
}

export type IdempotencyOutcome = 'new' | 'replayed' | 'conflict' | 'mismatch'

const OUTCOME_OF_CLAIM: Record<string, IdempotencyOutcome> = {
  [ClaimOutcome.CLAIMED]: 'new',
  [ClaimOutcome.TAKEN_OVER]: 'new',
  [ClaimOutcome.COMPLETED]: 'replayed',
  [ClaimOutcome.IN_PROGRESS]: 'conflict',
  [ClaimOutcome.MISMATCH]: 'mismatch'
}

interface Claim {
  ref: IdempotencyRef
  leaseOwner: string
  renewal: NodeJS.Timeout
  settled: boolean
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/** For services: the request's idempotent operation, or a detached one when no key was sent. */
export function operationContextOf (request: FastifyRequest): OperationContext {
  return request.idempotency ?? detachedOperation(bodyClientRequestToken(request.body))
}

async function idempotencyPlugin (app: FastifyInstance, options: IdempotencyPluginOptions): Promise<void> {
  const store = options.store.idempotency
  /** Answers being stored after they were sent, by record; a request for one of them waits for it. */
  const completions = new Map<string, Promise<void>>()
  const recordKey = (ref: IdempotencyRef) => JSON.stringify([ref.scope, ref.method, ref.route, ref.key])
  const retentionMs = (options.retentionSeconds ?? DEFAULT_RETENTION_SECONDS) * 1000
  const leaseMs = (options.leaseSeconds ?? DEFAULT_LEASE_SECONDS) * 1000
  const now = options.now ?? (() => new Date())
  const principalOf = options.principalOf ?? (() => 'anonymous')
  const describedBy = `<${options.docsUrl ?? PROBLEM_TYPE_BASE + 'idempotency-key-missing'}>; rel="describedby"`
  const after = (ms: number) => new Date(now().getTime() + ms)

  const claims = new WeakMap<FastifyRequest, Claim>()
  const unsettled = new Set<Claim>()

  function finish (claim: Claim): void {
    claim.settled = true
    clearInterval(claim.renewal)
    unsettled.delete(claim)
  }

  async function release (claim: Claim, request: FastifyRequest): Promise<void> {
    try {
      await store.release(claim.ref, claim.leaseOwner)
    } catch (error) {
      request.log.error({ err: error }, 'could not release an idempotency key; it frees up when its lease expires')
    }
  }

  function startRenewal (ref: IdempotencyRef, leaseOwner: string, request: FastifyRequest): NodeJS.Timeout {
    const timer = setInterval(() => {
      store.renewLease(ref, leaseOwner, after(leaseMs)).then((held) => {
        if (!held) {
          clearInterval(timer)
          request.log.warn('idempotency lease lost to another request; its response will not be stored')
        }
      }, (error: unknown) => request.log.error({ err: error }, 'idempotency lease renewal failed'))
    }, leaseMs / 2)
    timer.unref()
    return timer
  }

  function replay (reply: FastifyReply, response: StoredResponse): FastifyReply {
    reply.code(response.status).headers(response.headers).header(REPLAYED_HEADER, 'true')
    return response.body === null ? reply.send() : reply.send(response.body)
  }

  app.decorateRequest('idempotency', null)

  const purgeIntervalMs = (options.purgeIntervalSeconds ?? DEFAULT_PURGE_INTERVAL_SECONDS) * 1000
  const reaper = purgeIntervalMs > 0
    ? setInterval(() => {
      store.purgeExpired(now()).then(
        (purged) => { if (purged > 0) app.log.debug({ purged }, 'purged expired idempotency records') },
        (error: unknown) => app.log.error({ err: error }, 'purging expired idempotency records failed'))
    }, purgeIntervalMs).unref()
    : undefined

  app.addHook('preHandler', async (request, reply) => {
    const mode = request.routeOptions.config.idempotency
    if (mode === undefined || SAFE_METHODS.has(request.method)) return

    const key = parseIdempotencyKey(request.headers[IDEMPOTENCY_KEY_HEADER])
    if (key === undefined) {
      if (mode === 'required' && bodyClientRequestToken(request.body) === undefined) {
        reply.header('link', describedBy)
        throw idempotencyKeyMissing()
      }
      return
    }

    const route = request.routeOptions.url ?? request.url
    const ref: IdempotencyRef = { scope: principalOf(request), method: request.method, route, key }
    await completions.get(recordKey(ref))
    const leaseOwner = randomUUID()
    const operationId = randomUUID()
    const tokenFor = (id: string) => bodyClientRequestToken(request.body) ?? clientRequestTokenFor(id)
    const { outcome, record } = await store.claim({
      ...ref,
      fingerprint: fingerprint({ method: request.method, route, params: request.params, body: request.body }),
      leaseOwner,
      now: now(),
      leaseUntil: after(leaseMs),
      expiresAt: after(retentionMs),
      operationId,
      operation: options.operationOf && { ...options.operationOf(request), clientRequestToken: tokenFor(operationId) }
    }).catch((error: unknown) => {
      request.log.error({ err: error }, 'idempotency claim failed')
      throw idempotencyStoreUnavailable(error)
    })
    options.onOutcome?.(OUTCOME_OF_CLAIM[outcome])
    if (outcome === ClaimOutcome.MISMATCH) throw idempotencyKeyReused()
    if (outcome === ClaimOutcome.IN_PROGRESS) throw idempotencyRequestInProgress()
    if (outcome === ClaimOutcome.COMPLETED) {
      if (record.response === null) throw new Error('completed idempotency record without a response')
      return replay(reply, record.response)
    }

    const claim: Claim = { ref, leaseOwner, renewal: startRenewal(ref, leaseOwner, request), settled: false }
    claims.set(request, claim)
    unsettled.add(claim)
    const context: IdempotencyContext = {
      key,
      operationRecorded: outcome === ClaimOutcome.CLAIMED && options.operationOf !== undefined,
      operationFinished: false,
      operationId: record.operationId,
      clientRequestToken: tokenFor(record.operationId),
      recoveryPoint: record.recoveryPoint,
      async markAwsCallIssued () {
        if (claim.settled || !await store.setRecoveryPoint(ref, leaseOwner, RecoveryPoint.AWS_CALL_ISSUED)) {
          throw idempotencyRequestInProgress()
        }
        context.recoveryPoint = RecoveryPoint.AWS_CALL_ISSUED
      },
      async markAwsCallNotIssued () {
        if (claim.settled) return
        try {
          if (await store.setRecoveryPoint(ref, leaseOwner, RecoveryPoint.STARTED)) context.recoveryPoint = RecoveryPoint.STARTED
        } catch (error) {
          request.log.warn({ err: error }, 'could not put the idempotency recovery point back; a retry will skip the checks before the AWS call')
        }
      }
    }
    request.idempotency = context
  })

  app.addHook('onSend', async (request, reply, payload) => {
    const claim = claims.get(request)
    const context = request.idempotency
    if (claim === undefined || claim.settled) return payload
    finish(claim)
    reply.header(REPLAYED_HEADER, 'false')

    const body = storableBody(payload)
    if (body === undefined || !isDefinitiveResponse(reply.statusCode, reply.hasHeader('retry-after'))) {
      await release(claim, request)
      return payload
    }
    const response: StoredResponse = { status: reply.statusCode, headers: replayedHeaders(reply.getHeaders()), body }
    const operation = options.operationOutcomeOf?.(request, reply.statusCode, payload, now())
    // Stored right after the answer leaves: a request for the same key on this replica waits for
    // the write (see the claim), and a crash before it lands is a retry that re-sends the same
    // clientRequestToken, so EKS answers with the same update.
    if (operation && context) context.operationFinished = true
    const key = recordKey(claim.ref)
    const completion = store.complete(claim.ref, claim.leaseOwner, response, after(retentionMs), operation).then(
      (stored) => { if (!stored) request.log.warn('idempotency lease was taken over; this response was not stored') },
      (error: unknown) => { request.log.error({ err: error }, 'could not store the idempotent response') }
    ).finally(() => { if (completions.get(key) === completion) completions.delete(key) })
    completions.set(key, completion)
    return payload
  })

  // Safety net for replies that never pass onSend (hijacked or destroyed responses).
  app.addHook('onResponse', async (request) => {
    const claim = claims.get(request)
    if (claim === undefined || claim.settled) return
    finish(claim)
    await release(claim, request)
  })

  // Registered after the store, so this runs before the store closes (onClose runs in reverse).
  app.addHook('onClose', async () => {
    clearInterval(reaper)
    await Promise.allSettled([...completions.values()])
    const pending = [...unsettled]
    for (const claim of pending) finish(claim)
    await Promise.allSettled(pending.map((claim) => store.release(claim.ref, claim.leaseOwner)))
  })
}

export default fp(idempotencyPlugin, { name: 'idempotency', fastify: '5.x' })
