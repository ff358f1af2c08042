/**
 * The configuration the chart renders starts and serves: three service processes, started at once
 * with exactly the environment of the production example's Deployment (its env resolved against the
 * chart's Secret and a stand-in for the PostgreSQL Secret), on one fresh PostgreSQL schema. Only the listen address and the database URL are substituted, for
 * loopback. Each must reach /readyz 200 and answer an authenticated request that reads the store.
 * Under CI=true PostgreSQL and helm must be there; elsewhere the test skips without them.
 */
import t from 'tap'
import { hashToken } from '../../src/auth/static-tokens.ts'
import { createTestSchema, freePort, send, spawnServiceProcess } from '../idempotency/processes.ts'
import { requirePostgres } from '../store/postgres.ts'
import { startCommand } from '../support/start-command.ts'
import { getObject, helmTemplate, PRODUCTION_VALUES, requireHelm } from './chart.ts'
import type { K8sObject } from './chart.ts'

const TOKEN = `platform-${crypto.randomUUID()}`

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

t.test('three processes with the env the chart renders, on one PostgreSQL: ready, and serving', async (t) => {
  const helm = requireHelm(t)
  if (helm === undefined || !await requirePostgres(t)) return
  const objects = await helmTemplate(helm, [PRODUCTION_VALUES], [
    'auth.existingSecret=',
    `auth.apiTokens[0]=platform:${hashToken(TOKEN)}`,
    'auth.grants.grants[0].principal=platform', 'auth.grants.grants[0].clusters[0]=*', 'auth.grants.grants[0].actions[0]=admin'
  ])
  const authSecret = getObject(objects, 'Secret')
  const deployment = getObject(objects, 'Deployment')
  const rendered = resolveEnv(deployment, {
    [authSecret.metadata.name]: authSecret.stringData,
    // The operator's Secret; the test server trusts loopback, so the password is not checked.
    'eks-oidc-api-postgresql': { username: 'postgres', password: 'not-checked-on-loopback' }
  })
  t.match(rendered.DATABASE_URL, /^postgres:\/\/[^@]+:5432\/eks_oidc_api\?sslmode=verify-full&sslrootcert=/, 'the chart renders a credential-free URL')

  const schema = await createTestSchema(t, 'chart')
  const environments = await Promise.all([1, 2, 3].map(async () => ({
    ...rendered,
    HOST: '127.0.0.1',
    PORT: String(await freePort()),
    DATABASE_URL: schema.databaseUrl,
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
})
