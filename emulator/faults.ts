/**
 * Fault injection per operation (`eks:DescribeCluster`), per service (`eks`, `iam`, `sts`) or for
 * everything (`*`), in every account or, with a suffix, in one account (`eks@444455556666`) or one
 * account and region (`eks@444455556666/eu-west-1`): a test can throttle one account only. Rates of exactly 0 and 1 are deterministic; token buckets refill on the
 * emulator clock, so a frozen fake clock never refills them.
 */
export interface FaultSpec {
  /** Share of calls answered with throttling (EKS ThrottlingException 429, IAM Throttling 400). */
  throttleRate?: number
  /** Share of calls answered with a server error (EKS ServerException 500, IAM ServiceFailure 500). */
  errorRate?: number
  /** Delay added before answering, in milliseconds. */
  latencyMs?: number
  /** Token-bucket limit for everything this target matches; calls beyond it are throttled. */
  requestsPerSecond?: number
  /** Bucket size for requestsPerSecond; default max(1, requestsPerSecond). */
  burst?: number
  /** Fail the next n matching calls. */
  failNext?: number
  /** How failNext fails; default 'error'. */
  failNextWith?: FaultKind
}

/**
 * How a call fails: an AWS error (`throttle`, `error`), or an answer no AWS client can read. The
 * HTML pages come instead of the operation, as a proxy or load balancer in front of AWS would
 * send them; `truncated` runs the operation (a write takes effect) and cuts its answer in half.
 */
export const FAULT_KINDS = ['throttle', 'error', 'html-404', 'html-500', 'html-200', 'truncated'] as const
export type FaultKind = typeof FAULT_KINDS[number]

interface Bucket { tokens: number, updatedMs: number }

export class FaultSpecError extends Error {}

const RATE_FIELDS = ['throttleRate', 'errorRate'] as const
const COUNT_FIELDS = ['latencyMs', 'requestsPerSecond', 'burst', 'failNext'] as const

export function checkFaultSpec (target: string, spec: unknown): FaultSpec {
  if (!/^(\*|eks|iam|sts|(eks|iam|sts):[A-Za-z]+)(@\d{12}(\/[a-z]{2}(-[a-z]+)+-\d)?)?$/.test(target)) throw new FaultSpecError(`invalid fault target: ${target}`)
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) throw new FaultSpecError(`fault for ${target} must be an object`)
  const known = new Set<string>([...RATE_FIELDS, ...COUNT_FIELDS, 'failNextWith'])
  const record = spec as Record<string, unknown>
  for (const key of Object.keys(record)) if (!known.has(key)) throw new FaultSpecError(`unknown fault field ${key} for ${target}`)
  for (const key of RATE_FIELDS) {
    const value = record[key]
    if (value !== undefined && (typeof value !== 'number' || !(value >= 0 && value <= 1))) throw new FaultSpecError(`${key} must be between 0 and 1`)
  }
  for (const key of COUNT_FIELDS) {
    const value = record[key]
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < 0)) throw new FaultSpecError(`${key} must be a non-negative number`)
  }
  if (record.failNextWith !== undefined && !(FAULT_KINDS as readonly unknown[]).includes(record.failNextWith)) {
    throw new FaultSpecError(`failNextWith must be one of ${FAULT_KINDS.join(', ')}`)
  }
  return { ...record } as FaultSpec
}

export class Faults {
  private readonly specs = new Map<string, FaultSpec>()
  private readonly buckets = new Map<string, Bucket>()
  private readonly clock: () => number
  private readonly random: () => number

  constructor (clock: () => number, random: () => number = Math.random) {
    this.clock = clock
    this.random = random
  }

  /** Replaces the fault of `target`. */
  set (target: string, spec: FaultSpec): void {
    this.specs.set(target, checkFaultSpec(target, spec))
    this.buckets.delete(target)
  }

  clear (target?: string): void {
    if (target === undefined) {
      this.specs.clear()
      this.buckets.clear()
    } else {
      this.specs.delete(target)
      this.buckets.delete(target)
    }
  }

  list (): Record<string, FaultSpec> {
    return Object.fromEntries([...this.specs].map(([target, spec]) => [target, { ...spec }]))
  }

  /** Waits the configured latency, then says whether `operation` (`eks:X`), called in `scope`, must fail and how. */
  async apply (operation: string, scope?: { accountId: string, region: string }): Promise<FaultKind | undefined> {
    const unscoped = [operation, operation.split(':')[0], '*']
    const suffixes = scope ? [`@${scope.accountId}/${scope.region}`, `@${scope.accountId}`, ''] : ['']
    const targets = suffixes.flatMap(suffix => unscoped.map(target => target + suffix)).filter(target => this.specs.has(target))
    const latency = targets.reduce((sum, target) => sum + (this.specs.get(target)?.latencyMs ?? 0), 0)
    if (latency > 0) await new Promise(resolve => setTimeout(resolve, latency))
    for (const target of targets) {
      const outcome = this.decide(target)
      if (outcome) return outcome
    }
    return undefined
  }

  private decide (target: string): FaultKind | undefined {
    const spec = this.specs.get(target)
    if (!spec) return undefined
    if (spec.failNext !== undefined && spec.failNext > 0) {
      spec.failNext--
      return spec.failNextWith ?? 'error'
    }
    if (spec.requestsPerSecond !== undefined && !this.takeToken(target, spec.requestsPerSecond, spec.burst)) return 'throttle'
    if (spec.throttleRate !== undefined && this.random() < spec.throttleRate) return 'throttle'
    if (spec.errorRate !== undefined && this.random() < spec.errorRate) return 'error'
    return undefined
  }

  private takeToken (target: string, perSecond: number, burst = Math.max(1, perSecond)): boolean {
    const now = this.clock()
    const bucket = this.buckets.get(target) ?? { tokens: burst, updatedMs: now }
    bucket.tokens = Math.min(burst, bucket.tokens + Math.max(0, now - bucket.updatedMs) * perSecond / 1000)
    bucket.updatedMs = now
    this.buckets.set(target, bucket)
    if (bucket.tokens < 1) return false
    bucket.tokens -= 1
    return true
  }
}
