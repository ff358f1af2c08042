/**
 * The configuration the chart renders starts and serves: three service processes, started at once
 * with exactly the environment of the production example's Deployment (its env resolved against the
 * chart's Secret and stand-ins for the PostgreSQL and Redis Secrets), on one fresh PostgreSQL schema
 * and the shared Redis. Only the listen address and the database and Redis URLs are substituted, for
 * loopback. Each must reach /readyz 200 and answer an authenticated request that reads the store,
 * and the three must hold one rate limit together: a caller whose requests go round-robin to them
 * is refused after RATE_LIMIT_MAX requests in all, not three times as many.
 * Under CI=true PostgreSQL, Redis and helm must be there; elsewhere the test skips without them.
 */
import t from 'tap'
import { hashToken } from '../../src/auth/static-tokens.ts'
import { createTestSchema, freePort, send, spawnServiceProcess } from '../idempotency/processes.ts'
import { requirePostgres } from '../store/postgres.ts'
import { freshKeyPrefix, requireRedis, testRedisUrl } from '../support/redis.ts'
import { startCommand } from '../support/start-command.ts'
import { getObject, helmTemplate, PRODUCTION_VALUES, requireHelm } from './chart.ts'
import type { K8sObject } from './chart.ts'

const TOKEN = `platform-${crypto.randomUUID()}`
/** A caller of its own for the shared rate limit, so that the other requests do not count. */
const LIMITED_TOKEN = `limited-${crypto.randomUUID()}`
const RATE_LIMIT_MAX = 5
/** The Redis URL in the operator's Secret: an ElastiCache endpoint, replaced by the local Redis. */
const RENDERED_REDIS_URL = 'rediss://:auth-token@master.eks-oidc-api.abcdef.euw1.cache.amazonaws.com:6379'

interface EnvVar {
  name: string
  value?: string
  valueFrom?: { secretKeyRef: { name: string, key: string, optional?: boolean } }
}

/** The container's environment as the kubelet would give it, from the Secrets' data. */
function resolveEnv (deployment: K8sObject, secrets: Record<string, Record<string, string>>): Record<string, string> {
  const container = deployment.spec.template.spec.containers[0]
  if (container.envFrom !== undefined) throw new Error('the chart renders envFrom: resolve it here too')
  const env: Record<string, string> = {}
  for (const variable of container.env as EnvVar[]) {
    if (variable.value !== undefined) {
      env[variable.name] = variable.value
      continue
    }
    const ref = variable.valueFrom!.secretKeyRef
    const value = secrets[ref.name]?.[ref.key]
    if (value !== undefined) env[variable.name] = value
    else if (!ref.optional) throw new Error(`${variable.name}: Secret ${ref.name} has no key ${ref.key}`)
  }
  return env
}

t.test('three processes with the env the chart renders, on one PostgreSQL and one Redis: ready, serving, one rate limit', async (t) => {
  const helm = requireHelm(t)
  if (helm === undefined || !await requirePostgres(t) || !await requireRedis(t)) return
  const keyPrefix = freshKeyPrefix(t, 'chart')
  const objects = await helmTemplate(helm, [PRODUCTION_VALUES], [
    'auth.existingSecret=',
    `auth.apiTokens[0]=platform:${hashToken(TOKEN)}`, `auth.apiTokens[1]=limited:${hashToken(LIMITED_TOKEN)}`,
    ...['platform', 'limited'].flatMap((principal, i) => [
      `auth.grants.grants[${i}].principal=${principal}`, `auth.grants.grants[${i}].clusters[0]=*`, `auth.grants.grants[${i}].actions[0]=admin`
    ]),
    `config.RATE_LIMIT_MAX=${RATE_LIMIT_MAX}`, 'config.RATE_LIMIT_WINDOW=10m',
    // A prefix of this run's own on the shared test Redis (the chart's default is the release's name).
    `redis.keyPrefix=${keyPrefix}`
  ])
  const authSecret = getObject(objects, 'Secret')
  const deployment = getObject(objects, 'Deployment')
  const rendered = resolveEnv(deployment, {
    [authSecret.metadata.name]: authSecret.stringData,
    // The operator's Secrets; the test server trusts loopback, so the password is not checked.
    'eks-oidc-api-postgresql': { username: 'postgres', password: 'not-checked-on-loopback' },
    'eks-oidc-api-redis': { url: RENDERED_REDIS_URL }
  })
  t.match(rendered.DATABASE_URL, /^postgres:\/\/[^@]+:5432\/eks_oidc_api\?sslmode=verify-full&sslrootcert=/, 'the chart renders a credential-free URL')
  t.equal(rendered.REDIS_URL, RENDERED_REDIS_URL, 'REDIS_URL comes from the Redis Secret')
  t.equal(rendered.REDIS_KEY_PREFIX, keyPrefix, 'REDIS_KEY_PREFIX is redis.keyPrefix')

  const schema = await createTestSchema(t, 'chart')
  const environments = await Promise.all([1, 2, 3].map(async () => ({
    ...rendered,
    HOST: '127.0.0.1',
    PORT: String(await freePort()),
    DATABASE_URL: schema.databaseUrl,
    // Substituted only where the chart renders one, so that a chart without Redis fails the limit below.
    ...('REDIS_URL' in rendered ? { REDIS_URL: testRedisUrl } : {}),
    // Parallel test files keep this 2-core machine busy; the event-loop guards would shed the start.
    MAX_EVENT_LOOP_DELAY_MS: '0'
  })))
  // The image's node flags: MAX_RSS_BYTES of the production example assumes the heap caps they set.
  const { nodeFlags } = await startCommand()
  // Started together: their migrations of the empty schema race, under the store's advisory lock.
  const services = await Promise.all(environments.map((env) => spawnServiceProcess(t, env, nodeFlags)))

  const authorization = { authorization: `Bearer ${TOKEN}` }
  for (const service of services) {
    const ready = await send(service.url, 'GET', '/readyz')
    t.equal(ready.status, 200, `${service.url} is ready`)
    const audit = await send(service.url, 'GET', '/audit', { headers: authorization })
    t.equal(audit.status, 200, `${service.url} answers an authenticated read of the store`)
    t.ok(Array.isArray(audit.body.items), 'with a page of audit records')
    const anonymous = await send(service.url, 'GET', '/audit')
    t.equal(anonymous.status, 401, 'and refuses a request without the token')
  }
  const applied = await schema.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')
  t.ok(applied.length > 0, `the migrations were applied once each (${applied.map((r) => r.version).join(', ')})`)

  // One caller, round-robin over the three processes: the limit is the fleet's, not each one's.
  const limited = { authorization: `Bearer ${LIMITED_TOKEN}` }
  const statuses: number[] = []
  while (statuses.length <= services.length * RATE_LIMIT_MAX && !statuses.includes(429)) {
    const reply = await send(services[statuses.length % services.length].url, 'GET', '/audit', { headers: limited })
    statuses.push(reply.status)
  }
  t.same(statuses, [...Array(RATE_LIMIT_MAX).fill(200), 429], `the ${RATE_LIMIT_MAX + 1}th request in all is refused, whichever process gets it`)
  const after = await Promise.all(services.map((service) => send(service.url, 'GET', '/audit', { headers: limited })))
  t.same(after.map((reply) => reply.status), [429, 429, 429], 'and every process refuses that caller now')
})
