import t from 'tap'
import Fastify from 'fastify'
import { generateToken, hashToken } from '../../src/auth/static-tokens.ts'
import { authConfigFromEnv } from '../../src/auth/config.ts'
import authPlugin from '../../src/plugins/auth.ts'
import { routeAuthRequirement } from '../../src/auth/route-requirements.ts'
import { walkProtectedRoutes } from '../support/route-walk.ts'
import { build } from '../support/build.ts'

const granted = generateToken()
const ungranted = generateToken()
const env = {
  AUTH_API_TOKENS: `granted:${hashToken(granted)},ungranted:${hashToken(ungranted)}`,
  AUTH_GRANTS: JSON.stringify({ grants: [{ principal: 'granted', clusters: ['*'], actions: ['admin'] }] })
}

t.test('the real app\'s access table lists every documented operation, and the docs are public', async t => {
  const { app } = await build(t, { env: { ...env, AUTH_MODE: 'tokens' } })
  const fromTable = app.routeAccessTable.map(route => `${route.method} ${route.url}`)
  const documented = Object.entries((app.swagger() as { paths: Record<string, Record<string, unknown>> }).paths)
    .flatMap(([path, operations]) => Object.keys(operations).map(method => `${method.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ':$1')}`))
  t.ok(documented.length >= 20, `${documented.length} documented operations`)
  for (const route of documented) t.ok(fromTable.includes(route), `${route} is in the access table`)
  t.ok(app.routeAccessTable.some(route => route.url.startsWith('/docs') && route.requirement.public), 'docs routes are public via publicPrefixes')
})

t.test('the walker reports routes that leak', async t => {
  const { app } = await build(t, { env: { ...env, AUTH_MODE: 'tokens' } })
  // A fake table entry claiming /healthz is protected: the walker must flag it.
  const violations = await walkProtectedRoutes(app, [{ method: 'GET', url: '/healthz', requirement: { public: false, action: 'read' } }], {
    ungrantedAuthorization: `Bearer ${ungranted}`
  })
  t.same(violations.map(v => v.problem), ['without credentials answered 200, expected 401', 'with an ungranted principal answered 200, expected 403'])
})

t.test('a route that declares neither public nor auth is refused at start', async t => {
  const app = Fastify()
  t.teardown(() => app.close())
  await app.register(authPlugin, { config: authConfigFromEnv(env) })
  t.throws(() => app.get('/forgotten', async () => 'oops'), /Route GET \/forgotten: declares neither config.public, config.auth nor config.change/)
})

t.test('route declarations', async t => {
  t.same(routeAuthRequirement({ url: '/clusters/:name/x', config: { auth: { action: 'read' } } }), { public: false, action: 'read', clusterParam: 'name' })
  t.same(routeAuthRequirement({ url: '/things/:id', config: { auth: { action: 'read' } } }), { public: false, action: 'read' })
  t.same(routeAuthRequirement({ url: '/c/:cluster', config: { auth: { action: 'write', cluster: 'param:cluster' } } }), { public: false, action: 'write', clusterParam: 'cluster' })
  t.same(routeAuthRequirement({ url: '/clusters/:name', config: { auth: { action: 'admin', cluster: 'none' } } }), { public: false, action: 'admin' })
  t.same(routeAuthRequirement({ url: '/health', config: { public: true } }), { public: true })
  t.throws(() => routeAuthRequirement({ url: '/c/:x', config: { auth: { action: 'write', cluster: 'param:name' } } }), /names no path parameter/)
  t.same(routeAuthRequirement({ url: '/clusters/:name/p/:other', config: { auth: { action: 'write', account: 'param:other' } } }), { public: false, action: 'write', clusterParam: 'name', accountParam: 'other' })
  t.throws(() => routeAuthRequirement({ url: '/clusters/:name', config: { auth: { action: 'write', account: 'param:other' } } }), /config.auth.account "param:other" names no path parameter/)
  t.throws(() => routeAuthRequirement({ url: '/c', config: { auth: { action: 'delete' } } }), /must be one of read, write, admin/)
  t.throws(() => routeAuthRequirement({ url: '/c', config: { public: true, auth: { action: 'read' } } }), /both public: true and auth/)
})
