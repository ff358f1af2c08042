import t from 'tap'
import { generateToken, hashToken } from '../../src/auth/static-tokens.ts'
import type { AuditRecord } from '../../src/store/audit-contract.ts'
import { buildSampleApp } from './helpers/sample-app.ts'
import { auditOutcome } from '../../src/auth/audit-record.ts'

const ci = generateToken()
const ops = generateToken()
const env = {
  AUTH_API_TOKENS: `ci:${hashToken(ci)},ops:${hashToken(ops)}`,
  AUTH_GRANTS: JSON.stringify({
    grants: [
      { principal: 'ci', clusters: ['staging', 'dev-*'], actions: ['write'] },
      { principal: 'ops', clusters: ['*'], actions: ['admin'] }
    ]
  })
}

t.test('one audit record per mutating request', async t => {
  const { app, store, logs } = await buildSampleApp(t, {
    env,
    beforeRoutes: app => app.addHook('preHandler', async request => {
      // Stands in for the idempotency plugin, which decorates request.idempotency.
      if (request.headers['x-test-idempotency'] !== undefined) Object.assign(request, { idempotency: { clientRequestToken: 'eks-oidc-api-op-123' } })
    })
  })
  const send = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, options: { token?: string, payload?: object, headers?: Record<string, string> } = {}) => {
    const before = store.records.length
    const response = await app.inject({
      method,
      url,
      payload: options.payload,
      headers: { ...options.headers, ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }) }
    })
    return { response, added: store.records.slice(before) }
  }

  t.test('a successful async write', async t => {
    const { response, added } = await send('POST', '/clusters/staging/identity-provider-configs', {
      token: ci, payload: { name: 'cfg', clientRequestToken: 'crt-from-body' }, headers: { 'x-request-id': 'req-assoc-1' }
    })
    t.equal(response.statusCode, 202)
    t.equal(added.length, 1)
    t.match(added[0], {
      principal: 'ci',
      action: 'associateIdentityProviderConfig',
      cluster: 'staging',
      outcome: 'succeeded',
      status: 202,
      requestId: 'req-assoc-1',
      clientRequestToken: 'crt-from-body',
      awsRequestId: 'aws-request-associate-1'
    })
    t.type(added[0].time, Date)
    t.match(added[0].id, /^[0-9a-f-]{36}$/)
    t.match(logs.join(''), /"component":"audit".*"msg":"audit"/, 'also logged as one structured line')
  })

  t.test('the idempotency token wins over the body', async t => {
    const { added } = await send('POST', '/clusters/staging/identity-provider-configs', {
      token: ci, payload: { name: 'cfg', clientRequestToken: 'crt-from-body' }, headers: { 'x-test-idempotency': '1' }
    })
    t.equal(added[0].clientRequestToken, 'eks-oidc-api-op-123')
  })

  t.test('a replay', async t => {
    const { added } = await send('POST', '/clusters/staging/identity-provider-configs', { token: ci, payload: { name: 'cfg' }, headers: { 'x-test-replay': 'yes' } })
    t.match(added, [{ outcome: 'replayed', status: 202 }])
  })

  t.test('a denied write (403)', async t => {
    const { response, added } = await send('POST', '/clusters/prod-eu/identity-provider-configs', { token: ci, payload: { name: 'cfg', clientRequestToken: 'crt' } })
    t.equal(response.statusCode, 403)
    t.match(added, [{ principal: 'ci', action: 'associateIdentityProviderConfig', cluster: 'prod-eu', outcome: 'denied', status: 403 }])
    t.equal(added[0].awsRequestId, undefined)
  })

  t.test('an unauthenticated write (401)', async t => {
    const { added } = await send('DELETE', '/clusters/prod-eu/identity-provider-configs/cfg', { token: generateToken() })
    t.match(added, [{ principal: '(unauthenticated)', action: 'disassociateIdentityProviderConfig', cluster: 'prod-eu', resource: 'cfg', outcome: 'denied', status: 401 }])
  })

  t.test('a failed write keeps the AWS request id of the error', async t => {
    const { added } = await send('POST', '/clusters/dev-404/identity-provider-configs', { token: ci, payload: { name: 'cfg' } })
    t.match(added, [{ outcome: 'failed', status: 404, cluster: 'dev-404', awsRequestId: 'aws-request-not-found' }])
  })

  t.test('the resource comes from the route param or from the handler', async t => {
    const deleted = await send('DELETE', '/clusters/staging/identity-provider-configs/my-config', { token: ci })
    t.match(deleted.added, [{ resource: 'my-config', outcome: 'succeeded', status: 202 }])
    const put = await send('PUT', '/clusters/staging/oidc-provider', { token: ci, payload: { clientIds: ['sts.amazonaws.com'] } })
    t.match(put.added, [{ action: 'putOidcProvider', resource: 'arn:aws:iam::111122223333:oidc-provider/staging', awsRequestId: 'aws-request-put-1' }])
  })

  t.test('reads are not audited', async t => {
    t.equal((await send('GET', '/clusters/staging/oidc-provider', { token: ci })).added.length, 0)
    t.equal((await send('GET', '/audit', { token: ops })).added.length, 0)
    t.equal((await send('GET', '/health')).added.length, 0)
  })

  t.test('GET /audit lists, filters and pages', async t => {
    const list = async (query: string, token = ops) => app.inject({ method: 'GET', url: `/audit${query}`, headers: { authorization: `Bearer ${token}` } })

    const all = await list('')
    t.equal(all.statusCode, 200)
    t.equal(all.json().items.length, store.records.length)
    t.match(all.json().items[0].time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)

    const denied = await list('?outcome=denied')
    t.same(denied.json().items.map((r: AuditRecord) => r.status).sort(), [401, 403])

    const byPrincipal = await list('?principal=ci&cluster=staging&action=associateIdentityProviderConfig')
    t.equal(byPrincipal.json().items.length, 3)

    const first = (await list('?limit=2')).json()
    t.equal(first.items.length, 2)
    t.type(first.nextToken, 'string')
    const second = (await list(`?limit=2&nextToken=${first.nextToken}`)).json()
    t.equal(second.items.length, 2)
    t.notSame(second.items.map((r: AuditRecord) => r.id), first.items.map((r: AuditRecord) => r.id))

    const future = new Date(Date.now() + 60_000).toISOString()
    t.equal((await list(`?since=${future}`)).json().items.length, 0)
    t.equal((await list(`?until=${future}`)).json().items.length, store.records.length)

    t.equal((await list('?limit=0')).statusCode, 400)
    t.equal((await list('?outcome=maybe')).statusCode, 400)
    t.equal((await list('?since=yesterday')).statusCode, 400)
    t.equal((await list('', ci)).statusCode, 403, 'admin only')
  })
})

t.test('a failing audit store does not fail the request, and is logged', async t => {
  const { app, store, logs } = await buildSampleApp(t, { env })
  store.appendAudit = async () => { throw new Error('disk full') }
  const response = await app.inject({ method: 'POST', url: '/clusters/staging/identity-provider-configs', payload: { name: 'c' }, headers: { authorization: `Bearer ${ci}` } })
  t.equal(response.statusCode, 202)
  t.match(logs.join(''), /"msg":"audit record could not be stored"/)
})

t.test('outcome classification', async t => {
  t.equal(auditOutcome(200, false), 'succeeded')
  t.equal(auditOutcome(202, true), 'replayed')
  t.equal(auditOutcome(401, false), 'denied')
  t.equal(auditOutcome(403, false), 'denied')
  t.equal(auditOutcome(409, false), 'failed')
  t.equal(auditOutcome(429, false), 'failed')
  t.equal(auditOutcome(502, false), 'failed')
})
