/**
 * The OpenAPI document of the real app (authentication on) against its route table: every
 * operation documents the statuses its route's config and schema imply and the problems it
 * declares; then requests that provoke statuses cheaply (no token, no grant, oversized body, wrong
 * content type, over-long path parameter, unknown cluster, rate limit) are answered only with
 * documented statuses. Walks `app.routeAccessTable`, so a route added later is covered.
 */
import t, { type Test } from 'tap'
import type { HTTPMethods } from 'fastify'
import { generateToken, hashToken } from '../../src/auth/static-tokens.ts'
import { entryOf, wireCodeOf, type ProblemCode } from '../../src/errors.ts'
import { PROBE_ROUTES } from '../../src/plugins/probe-routes.ts'
import { MAX_PATH_PARAM_LENGTH } from '../../src/plugins/security.ts'
import { build } from '../support/build.ts'
import { concretePath } from '../support/route-walk.ts'
import { documentOf, statusesOf, type Operation } from './document.ts'

const ungranted = generateToken()
const admin = generateToken()

const tokenEnv = (extra: Record<string, string> = {}) => ({
  AUTH_MODE: 'tokens',
  AUTH_API_TOKENS: `nobody:${hashToken(ungranted)},admin:${hashToken(admin)}`,
  AUTH_GRANTS: JSON.stringify({ grants: [{ principal: 'admin', clusters: ['*'], actions: ['admin'] }] }),
  ...extra
})

/** Routes outside the document on purpose: Swagger UI and the document itself. */
const UNDOCUMENTED = /^\/(docs(\/|$)|openapi\.)/

async function documentedRoutes (t: Test, env: Record<string, string>) {
  const { app } = await build(t, { env })
  const document = documentOf(app)
  const routes = app.routeAccessTable
    .filter(route => route.method !== 'HEAD' && !UNDOCUMENTED.test(route.url))
    .map(route => ({ ...route, operation: document.operation(route.method, route.url) as Operation }))
  return { app, document, routes }
}

const readsBody = (method: string) => method !== 'GET' && method !== 'HEAD'

t.test('every operation documents the statuses its route implies, with their headers', async t => {
  const { document, routes } = await documentedRoutes(t, tokenEnv())
  t.ok(routes.length >= 20, `${routes.length} routes`)
  const violations: string[] = []
  const expect = (ok: boolean, route: { method: string, url: string }, what: string) => { if (!ok) violations.push(`${route.method} ${route.url}: ${what}`) }

  for (const route of routes) {
    const { operation, config, method, url } = route
    if (operation === undefined) { violations.push(`${method} ${url}: not in the document`); continue }
    const statuses = statusesOf(operation)
    const has = (status: number) => statuses.includes(status)
    const headers = (status: number) => document.headerNames(operation.responses[status])
    const authenticated = !route.requirement.public
    const idempotent = config.change !== undefined
    const probe = PROBE_ROUTES.has(url)

    expect(has(401) === authenticated && has(403) === authenticated, route, '401 and 403 exactly when authenticated')
    expect(!authenticated || headers(401).includes('www-authenticate'), route, 'WWW-Authenticate on 401')
    expect((operation.security?.length === 0) === !authenticated, route, 'security: [] exactly when public')
    expect(probe ? !has(429) : has(429) && headers(429).includes('retry-after'), route, '429 with Retry-After on every route but the probes')
    expect(has(500), route, '500')
    expect(has(400) && has(408) && has(431), route, '400, 408 and 431 (the HTTP parser refuses the request) on every route')
    expect(probe || (has(503) && headers(503).includes('retry-after')), route, '503 with Retry-After (load shedding) on every route but the probes')
    expect(!(operation.parameters?.length || operation.requestBody) || has(400), route, '400 where there are inputs')
    expect((has(413) && has(415)) === readsBody(method), route, '413 and 415 exactly when the body is read')
    expect(operation.requestBody === undefined || has(413), route, '413 where there is a body')
    expect(has(414) === url.includes(':'), route, '414 exactly with path parameters')
    expect(has(422) === idempotent, route, '422 exactly when idempotent')
    for (const status of statuses) {
      expect(headers(status).includes('x-request-id'), route, `X-Request-Id on ${status}`)
      if (status >= 200 && status < 300) expect(headers(status).includes('idempotent-replayed') === idempotent, route, `Idempotent-Replayed on ${status} exactly when idempotent`)
      if (status === 201 || status === 202) expect(headers(status).includes('location'), route, `Location on ${status}`)
      if (status >= 400 && operation.responses[status].content?.['application/problem+json'] === undefined && !(url === '/readyz' && status === 503)) {
        violations.push(`${method} ${url}: ${status} is not a problem`)
      }
    }
    for (const code of new Set((config.problems ?? []).flat() as ProblemCode[])) {
      const { status, slug, passedThroughCode } = entryOf(code)
      const named = `${passedThroughCode ?? `\`${wireCodeOf(code)}\``} (\`${slug}\`)`
      expect(has(status) && operation.responses[status].description.includes(named), route, `declares ${code}, so ${status} lists it`)
    }
  }
  t.same(violations, [])
})

t.test('statuses the app answers when provoked are documented for their operation', async t => {
  const { app, routes } = await documentedRoutes(t, tokenEnv())
  const answered: Array<{ method: string, url: string, label: string, status: number, expected?: number, operation: Operation }> = []
  const send = async (route: typeof routes[number], label: string, expected: number | undefined, options: { url?: string, authorization?: string, payload?: string | object, contentType?: string }) => {
    const headers: Record<string, string> = {}
    if (options.authorization) headers.authorization = `Bearer ${options.authorization}`
    if (options.contentType) headers['content-type'] = options.contentType
    const response = await app.inject({ method: route.method as HTTPMethods, url: options.url ?? concretePath(route.url, 'nope'), headers, payload: options.payload })
    answered.push({ method: route.method, url: route.url, label, status: response.statusCode, expected, operation: route.operation })
  }

  for (const route of routes) {
    const body = readsBody(route.method) ? {} : undefined
    if (!route.requirement.public) {
      await send(route, 'no token', 401, { payload: body })
      await send(route, 'no grant', 403, { authorization: ungranted, payload: body })
    }
    await send(route, 'granted, unknown cluster', undefined, { authorization: admin, payload: body })
    if (readsBody(route.method)) {
      await send(route, 'oversized body', 413, { authorization: admin, contentType: 'application/json', payload: JSON.stringify({ padding: 'x'.repeat(70_000) }) })
      await send(route, 'wrong content type', 415, { authorization: admin, contentType: 'application/xml', payload: '<x/>' })
    }
    if (route.url.includes(':')) {
      await send(route, 'over-long path parameter', 414, { authorization: admin, url: concretePath(route.url, 'a'.repeat(MAX_PATH_PARAM_LENGTH + 1)), payload: body })
    }
    if (route.method === 'GET' && route.url === '/clusters/:name') await send(route, 'unknown cluster', 404, { authorization: admin })
  }

  const undocumented = answered.filter(a => !statusesOf(a.operation).includes(a.status)).map(a => `${a.method} ${a.url} (${a.label}): ${a.status}`)
  const unexpected = answered.filter(a => a.expected !== undefined && a.status !== a.expected).map(a => `${a.method} ${a.url} (${a.label}): ${a.status}, expected ${a.expected}`)
  t.same(undocumented, [], 'every answered status is documented')
  t.same(unexpected, [], 'each provocation answers its status')
  t.ok(answered.length >= routes.length * 3, `${answered.length} requests`)
})

t.test('a rate-limited caller gets the documented 429 on every route but the probes, which are never limited', async t => {
  const { app, routes: all } = await documentedRoutes(t, tokenEnv({ RATE_LIMIT_MAX: '1' }))
  await app.inject({ method: 'GET', url: '/clusters' })
  const probes = all.filter(route => PROBE_ROUTES.has(route.url))
  t.equal(probes.length, 3, 'the three probes')
  for (const probe of probes) t.equal((await app.inject({ method: 'GET', url: probe.url })).statusCode === 429, false, `${probe.url} not limited`)
  const routes = all.filter(route => !PROBE_ROUTES.has(route.url))
  const answers = await Promise.all(routes.map(async route => {
    const response = await app.inject({ method: route.method as HTTPMethods, url: concretePath(route.url, 'nope'), payload: readsBody(route.method) ? {} : undefined })
    return { route, status: response.statusCode }
  }))
  t.same(answers.filter(a => a.status !== 429).map(a => `${a.route.method} ${a.route.url}: ${a.status}`), [], 'all limited')
  t.same(answers.filter(a => !statusesOf(a.route.operation).includes(429)).map(a => `${a.route.method} ${a.route.url}`), [], '429 documented')
})
