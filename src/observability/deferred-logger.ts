/**
 * Fastify's `childLoggerFactory` for requests: the request's pino child (the request id bound) is
 * made when the request first logs at an enabled level, not for every request. Making a child runs
 * its bindings through every redaction path, the wildcard ones included; that was about a sixth of
 * the memory a cached read allocated. A request that logs nothing (LOG_LEVEL=warn and no failure)
 * no longer pays for it; at `info`, Fastify logs every request, so the child is made as before.
 */
import type { FastifyBaseLogger } from 'fastify'
import type { Bindings, ChildLoggerOptions } from 'fastify/types/logger.js'

type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'
type LogArguments = Parameters<FastifyBaseLogger['info']>

/** What the factory needs of the parent: pino's numeric levels, to answer without a child. */
interface LevelledLogger extends FastifyBaseLogger {
  levels?: { values: Record<string, number> }
}

class DeferredChildLogger implements FastifyBaseLogger {
  readonly #parent: LevelledLogger
  readonly #levels: Record<string, number>
  readonly #bindings: Bindings
  readonly #options: ChildLoggerOptions
  #child: FastifyBaseLogger | undefined

  constructor (parent: LevelledLogger, levels: Record<string, number>, bindings: Bindings, options: ChildLoggerOptions) {
    this.#parent = parent
    this.#levels = levels
    this.#bindings = bindings
    this.#options = options
  }

  #logger (): FastifyBaseLogger {
    this.#child ??= this.#parent.child(this.#bindings, this.#options)
    return this.#child
  }

  get level (): string {
    return this.#child?.level ?? this.#options.level ?? this.#parent.level
  }

  set level (level: string) {
    this.#logger().level = level
  }

  #write (level: Level, args: LogArguments) {
    if (this.#levels[level] >= this.#levels[this.level]) (this.#logger()[level] as (...args: LogArguments) => void)(...args)
  }

  fatal (...args: LogArguments) { this.#write('fatal', args) }
  error (...args: LogArguments) { this.#write('error', args) }
  warn (...args: LogArguments) { this.#write('warn', args) }
  info (...args: LogArguments) { this.#write('info', args) }
  debug (...args: LogArguments) { this.#write('debug', args) }
  trace (...args: LogArguments) { this.#write('trace', args) }
  silent () {}

  child (bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.#logger().child(bindings, options)
  }
}

export function deferredChildLogger (logger: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
  const levels = (logger as LevelledLogger).levels?.values
  // Not pino (a logger instance a caller passed in): no level table to decide with, so no deferral.
  if (levels === undefined) return logger.child(bindings, options)
  return new DeferredChildLogger(logger, levels, bindings, options)
}
