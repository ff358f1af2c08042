/**
 * An AIMD pace kept in the shared Redis, one per AWS service and region, so that N replicas
 * together call AWS at one adaptive rate instead of N: each call takes its slot from the shared
 * schedule (Redis's clock, so replicas' clocks need not agree), every replica's successes grow the
 * shared rate and the first throttle of an epoch halves it for all. When Redis does not answer,
 * the call is paced by this replica's own LocalPace instead, and the outage is reported.
 */
import type { Redis } from 'ioredis'
import type { SharedStoreHealth } from '../shared/shared-store-health.ts'
import { LocalPace, type Pace, type PaceOptions, type Slot } from './pace.ts'
import type { Clock } from './clock.ts'
import type { AwsService } from '../observability/metrics.ts'

/** A pace nobody used for this long starts again from the initial rate. */
const IDLE_EXPIRY_MS = 3_600_000

const NOW_MS = `local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000`

const TAKE = `${NOW_MS}
local state = redis.call('HMGET', KEYS[1], 'rate', 'next', 'epoch')
local rate = tonumber(state[1]) or tonumber(ARGV[1])
local slot = math.max(now, tonumber(state[2]) or now)
local epoch = tonumber(state[3]) or 0
redis.call('HSET', KEYS[1], 'rate', tostring(rate), 'next', tostring(slot + 1000 / rate), 'epoch', epoch)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return { tostring(slot - now), epoch, tostring(rate) }`

const GROW = `local rate = tonumber(redis.call('HGET', KEYS[1], 'rate'))
if not rate then return '0' end
rate = math.min(tonumber(ARGV[2]), rate + tonumber(ARGV[1]) / rate)
redis.call('HSET', KEYS[1], 'rate', tostring(rate))
return tostring(rate)`

const SHRINK = `local state = redis.call('HMGET', KEYS[1], 'rate', 'next', 'epoch')
if not state[1] or tonumber(state[3]) ~= tonumber(ARGV[1]) then return { 0, state[1] or '0' } end
${NOW_MS}
local rate = math.max(tonumber(ARGV[3]), tonumber(state[1]) * tonumber(ARGV[2]))
local nextAt = math.max(tonumber(state[2]), now + 1000 / rate)
redis.call('HSET', KEYS[1], 'rate', tostring(rate), 'next', tostring(nextAt), 'epoch', tonumber(ARGV[1]) + 1)
return { 1, tostring(rate) }`

interface PaceCommands {
  awsPaceTake (key: string, initialRate: number, expiryMs: number): Promise<[string, number, string]>
  awsPaceGrow (key: string, additiveIncrease: number, maxRate: number): Promise<string>
  awsPaceShrink (key: string, epoch: number, multiplicativeDecrease: number, minRate: number): Promise<[number, string]>
}

function paceCommands (redis: Redis): PaceCommands {
  const commands = redis as unknown as Partial<PaceCommands>
  if (commands.awsPaceTake === undefined) {
    redis.defineCommand('awsPaceTake', { numberOfKeys: 1, lua: TAKE })
    redis.defineCommand('awsPaceGrow', { numberOfKeys: 1, lua: GROW })
    redis.defineCommand('awsPaceShrink', { numberOfKeys: 1, lua: SHRINK })
  }
  return redis as unknown as PaceCommands
}

/**
 * One budget per AWS service and account: EKS limits are regional, IAM is global in an account.
 * `account` is undefined for the implicit account (the keys it had before the registry).
 */
export function sharedPaceKey (keyPrefix: string, service: AwsService, region: string, account?: string): string {
  const owner = account === undefined ? '' : `:${account}`
  return service === 'iam' ? `${keyPrefix}aws-pacing:iam${owner}` : `${keyPrefix}aws-pacing:${service}${owner}:${region}`
}

export interface SharedPaceDeps {
  client: Redis
  /** The pace's key: one per AWS account budget (service and region) and deployment prefix. */
  key: string
  health: SharedStoreHealth
}

export class SharedPace implements Pace {
  readonly #options: PaceOptions
  readonly #commands: PaceCommands
  readonly #key: string
  readonly #health: SharedStoreHealth
  readonly #local: LocalPace
  #rate: number

  /** `localClock` paces the calls made while Redis does not answer. */
  constructor (options: PaceOptions, deps: SharedPaceDeps, localClock: Clock) {
    this.#options = options
    this.#commands = paceCommands(deps.client)
    this.#key = deps.key
    this.#health = deps.health
    this.#local = new LocalPace(options, localClock)
    this.#rate = this.#local.rate
  }

  get rate () {
    return this.#health.isUp('aws-pacing') ? this.#rate : this.#local.rate
  }

  async take (): Promise<Slot> {
    try {
      const [waitMs, epoch, rate] = await this.#commands.awsPaceTake(this.#key, this.#options.initialRate, IDLE_EXPIRY_MS)
      this.#health.succeeded('aws-pacing')
      this.#rate = Number(rate)
      return { waitMs: Number(waitMs), epoch, from: this }
    } catch (error) {
      this.#health.failed('aws-pacing', error)
      return this.#local.take()
    }
  }

  /** Not awaited by the caller's answer: a lost growth only slows the rise of the rate. */
  async grow (): Promise<void> {
    this.#commands.awsPaceGrow(this.#key, this.#options.additiveIncrease, this.#options.maxRate).then(
      (rate) => { this.#rate = Number(rate) || this.#rate },
      (error: unknown) => this.#health.failed('aws-pacing', error))
  }

  async shrink (epoch: number): Promise<boolean> {
    try {
      const [decreased, rate] = await this.#commands.awsPaceShrink(this.#key, epoch, this.#options.multiplicativeDecrease, this.#options.minRate)
      this.#rate = Number(rate) || this.#rate
      return decreased === 1
    } catch (error) {
      // The throttled call still backs off; calls paced locally meanwhile shrink the local rate.
      this.#health.failed('aws-pacing', error)
      return false
    }
  }
}
