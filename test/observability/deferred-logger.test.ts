import { Writable } from 'node:stream'
import pino from 'pino'
import t from 'tap'
import type { FastifyBaseLogger } from 'fastify'
import { deferredChildLogger } from '../../src/observability/deferred-logger.ts'

/** A pino logger at `level` writing JSON lines into an array, and a count of the children it made. */
function countingLogger (level: string) {
  const lines: Array<Record<string, unknown>> = []
  const stream = new Writable({ write (chunk, _encoding, done) { lines.push(JSON.parse(String(chunk))); done() } })
  const logger = pino({ level, redact: { paths: ['*.token'], censor: '[redacted]' } }, stream)
  const made = { children: 0 }
  const child = logger.child
  // pino children inherit from their parent, so `this` (not `logger`) is the one making the child.
  logger.child = function (this: typeof logger, ...args: Parameters<typeof child>) { made.children++; return child.apply(this, args) } as typeof logger.child
  return { logger: logger as unknown as FastifyBaseLogger, lines, made }
}

t.test('no child is made until a line is logged at an enabled level; then one, with the bindings', async t => {
  const { logger, lines, made } = countingLogger('warn')
  const log = deferredChildLogger(logger, { reqId: 'req-1' }, {})
  t.equal(log.level, 'warn')
  log.info('not at warn')
  log.debug({ token: 'x' }, 'nor this')
  t.equal(made.children, 0, 'disabled levels make no child')
  log.warn({ detail: { token: 'secret' } }, 'first')
  log.error('second')
  t.equal(made.children, 1, 'one child for the request')
  t.same(lines.map(line => [line.reqId, line.msg]), [['req-1', 'first'], ['req-1', 'second']])
  t.same(lines[0].detail, { token: '[redacted]' }, 'the parent\'s redaction still applies')
})

t.test('a route log level given to the child decides without making it', async t => {
  const { logger, lines, made } = countingLogger('warn')
  const log = deferredChildLogger(logger, { reqId: 'req-2' }, { level: 'debug' })
  t.equal(log.level, 'debug')
  log.trace('below debug')
  t.equal(made.children, 0)
  log.debug('at debug')
  t.same(lines.map(line => [line.reqId, line.level, line.msg]), [['req-2', 20, 'at debug']])
})

t.test('a grandchild carries both bindings; a level set later applies', async t => {
  const { logger, lines } = countingLogger('info')
  const log = deferredChildLogger(logger, { reqId: 'req-3' }, {})
  log.child({ component: 'audit' }).info('from the grandchild')
  log.level = 'error'
  log.warn('now below the level')
  t.same(lines.map(line => [line.reqId, line.component, line.msg]), [['req-3', 'audit', 'from the grandchild']])
})

t.test('a logger without pino\'s level table gets an ordinary child', async t => {
  const calls: unknown[] = []
  const plain = { level: 'info', child: (bindings: unknown) => { calls.push(bindings); return plain } } as unknown as FastifyBaseLogger
  t.equal(deferredChildLogger(plain, { reqId: 'r' }, {}), plain)
  t.same(calls, [{ reqId: 'r' }])
})
