import t from 'tap'
import { ConfigError } from '../../src/config-spec.ts'
import { loadConfig } from '../../src/config.ts'

t.test('lifecycle, cache and fleet variables: defaults and rules', async t => {
  t.match(loadConfig({ AUTH_MODE: 'none' }), {
    SHUTDOWN_DELAY_MS: 10_000,
    SHUTDOWN_DRAIN_MS: 1000,
    MAX_EVENT_LOOP_DELAY_MS: 200,
    MAX_HEAP_BYTES: 0,
    MAX_RSS_BYTES: 0,
    CLUSTER_CACHE_TTL_SECONDS: 300,
    CLUSTER_CACHE_MAX: 1000,
    FLEET_CONCURRENCY: 16,
    FLEET_RATE_PER_SECOND: 10,
    FLEET_MAX_RATE_PER_SECOND: 50
  })
  t.notOk('MAX_EVENT_LOOP_UTILIZATION' in loadConfig({ AUTH_MODE: 'none' }), 'utilisation is not an overload signal: no such variable')
  const error = t.throws(() => loadConfig({ AUTH_MODE: 'none', MAX_EVENT_LOOP_DELAY_MS: '0.5', MAX_HEAP_BYTES: '-1', SHUTDOWN_DELAY_MS: 'soon' })) as ConfigError
  t.same(error.problems, [
    'SHUTDOWN_DELAY_MS must be an integer, got "soon"',
    'MAX_EVENT_LOOP_DELAY_MS must be an integer, got "0.5"',
    'MAX_HEAP_BYTES must be between 0 and 9007199254740991, got -1'
  ])
})
