/**
 * The audit trail of the real app (buildApp, the real route table, the real store): one record
 * per request to a mutating route, whoever asks and however it ends, with the resource and the
 * AWS calls it made; records for requests to other routes are never written.
 */
import t from 'tap'
import { auditOutcome } from '../../src/changes/coordinator.ts'
import { generateToken } from '../../src/auth/static-tokens.ts'
import type { AuditRecord } from '../../src/store/audit-contract.ts'
import { createStore } from '../../src/store/index.ts'
import { dropSchema, freshSchemaName, requirePostgres, testDatabaseUrl } from '../store/postgres.ts'
import { build, testStore } from '../support/build.ts'
import { tokenAuthEnv } from '../support/token-auth.ts'

const { env, tokens: { ci, ops } } = tokenAuthEnv([
  { principal: 'ci', clusters: ['demo', 'dev-*'], actions: ['write'] },
  { principal: 'ops', clusters: ['*'], actions: ['admin'] }
])
const ISSUER = 'https://oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789ABCDEF0123456789'
const PROVIDER_ARN = 'arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789ABCDEF0123456789'
const associateBody = { oidc: { identityProviderConfigName: 'corp', issuerUrl: 'https://idp.example.com', clientId: 'kubernetes' } }

t.test('one audit record per request to a mutating route', async t => {
  const { app } = await build(t, { env, clusters: [{ name: 'demo', issuer: ISSUER }, { name: 'prod-eu', issuer: ISSUER }] })
  const store = await testStore()
  const send = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, options: { token?: string, payload?: object, headers?: Record<string, string> } = {}) => {
    const requestId = `req-${Math.random().toString(16).slice(2)}`
    const response = await app.inject({
      method,
      url,
      payload: options.payload,
      headers: { 'x-request-id': requestId, ...options.headers, ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }) }
    })
    const { items } = await store.listAudit({ limit: 100 })
    return { response, records: items.filter((r: AuditRecord) => r.requestId === requestId) }
  }

  t.test('an association: resource, operation, token and the AWS calls', async t => {
    const { response, records } = await send('POST', '/clusters/demo/identity-provider-configs?skipIssuerChecks=true', {
      token: ci, payload: associateBody, headers: { 'idempotency-key': 'audit-test-associate-0001' }
    })
    t.equal(response.statusCode, 202)
    t.equal(records.length, 1)
    const [record] = records
    t.match(record, {
      principal: 'ci',
      action: 'associateIdentityProviderConfig',
      cluster: 'demo',
      resource: 'corp',
      outcome: 'succeeded',
      status: 202,
      operationId: response.json().operationId,
      clientRequestToken: `eks-oidc-api-${response.json().operationId}`,
      dryRun: false
    })
    t.ok(record.awsCalls.some(call => call.service === 'eks' && call.operation === 'AssociateIdentityProviderConfig' && call.outcome === 'success'), 'the write is listed')
    t.ok(record.awsCalls.some(call => call.operation === 'DescribeCluster'), 'and the reads before it')
    t.equal(record.awsRequestId, 'req', 'the AWS request id of the last call')

    const replay = await send('POST', '/clusters/demo/identity-provider-configs?skipIssuerChecks=true', {
      token: ci, payload: associateBody, headers: { 'idempotency-key': 'audit-test-associate-0001' }
    })
    t.equal(replay.response.headers['idempotent-replayed'], 'true')
    t.match(replay.records, [{ outcome: 'replayed', status: 202, operationId: record.operationId, awsCalls: [] }])
  })

  t.test('the IAM provider: the ARN is the resource, a dry run says so and leaves no operation', async t => {
    const dry = await send('PUT', '/clusters/demo/oidc-provider?dryRun=true', { token: ci, payload: {} })
    t.equal(dry.response.statusCode, 200)
    t.match(dry.records, [{ action: 'putOpenIDConnectProvider', resource: PROVIDER_ARN, outcome: 'succeeded', dryRun: true }])
    t.equal(dry.records[0].operationId, undefined, 'no operation for a dry run')
    t.notOk(dry.records[0].awsCalls.some(call => call.operation === 'CreateOpenIDConnectProvider'), 'and no write')

    const put = await send('PUT', '/clusters/demo/oidc-provider', { token: ci, payload: {} })
    t.equal(put.response.statusCode, 201)
    t.match(put.records, [{ resource: PROVIDER_ARN, dryRun: false, operationId: String }])
    t.ok(put.records[0].awsCalls.some(call => call.service === 'iam' && call.operation === 'CreateOpenIDConnectProvider'))

    const deleted = await send('DELETE', '/clusters/demo/oidc-provider', { token: ci })
    t.equal(deleted.response.statusCode, 204)
    t.match(deleted.records, [{ action: 'deleteOpenIDConnectProvider', resource: PROVIDER_ARN, outcome: 'succeeded' }])
  })

  t.test('a denied write (403) and an unauthenticated one (401)', async t => {
    const denied = await send('POST', '/clusters/prod-eu/identity-provider-configs', { token: ci, payload: associateBody, headers: { 'idempotency-key': 'audit-test-denied-000001' } })
    t.equal(denied.response.statusCode, 403)
    t.match(denied.records, [{ principal: 'ci', action: 'associateIdentityProviderConfig', cluster: 'prod-eu', outcome: 'denied', status: 403, awsCalls: [] }])

    const unauthenticated = await send('DELETE', '/clusters/prod-eu/identity-provider-configs/cfg', { token: generateToken() })
    t.equal(unauthenticated.response.statusCode, 401)
    t.match(unauthenticated.records, [{ principal: '(unauthenticated)', action: 'disassociateIdentityProviderConfig', cluster: 'prod-eu', resource: 'cfg', outcome: 'denied' }])
  })

  t.test('bytes no database can hold, in the path, never drop a record', async t => {
    for (let i = 0; i < 5; i++) {
      const { response, records } = await send('PUT', '/clusters/x%00y/oidc-provider', { token: generateToken(), payload: {} })
      t.equal(response.statusCode, 401)
      t.match(records, [{ cluster: 'x\\u0000y', outcome: 'denied', status: 401 }], 'stored with the NUL escaped')
    }
    const invalid = await send('PUT', '/clusters/x%00y/oidc-provider', { token: ci, payload: {} })
    t.equal(invalid.response.statusCode, 403, 'no grant on that name')
    t.equal(invalid.records.length, 1)
  })

  t.test('a failed write names the problem; reads are not audited', async t => {
    const failed = await send('DELETE', '/clusters/dev-404/oidc-provider', { token: ci })
    t.equal(failed.response.statusCode, 404)
    t.match(failed.records, [{ outcome: 'failed', status: 404, cluster: 'dev-404', awsCalls: [{ operation: 'DescribeCluster', outcome: 'error', error: 'ResourceNotFoundException' }] }])
    t.equal((await send('GET', '/clusters/demo/oidc-provider', { token: ci })).records.length, 0)
    t.equal((await send('GET', '/audit', { token: ops })).records.length, 0)
    t.equal((await send('GET', '/healthz')).records.length, 0)
  })

  t.test('GET /audit lists, filters and pages', async t => {
    const list = async (query: string, token = ops) => app.inject({ method: 'GET', url: `/audit${query}`, headers: { authorization: `Bearer ${token}` } })
    const all = await list('?limit=100&cluster=demo')
    t.equal(all.statusCode, 200)
    t.ok(all.json().items.length >= 5)
    t.match(all.json().items[0], { time: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, dryRun: Boolean, awsCalls: Array })
    const denied = await list('?outcome=denied&cluster=prod-eu')
    t.same(denied.json().items.map((r: AuditRecord) => r.status).sort(), [401, 403])
    const first = (await list('?limit=2&cluster=demo')).json()
    t.equal(first.items.length, 2)
    t.type(first.nextToken, 'string')
    const second = (await list(`?limit=2&cluster=demo&nextToken=${first.nextToken}`)).json()
    t.notSame(second.items.map((r: AuditRecord) => r.id), first.items.map((r: AuditRecord) => r.id))
    t.equal((await list('?limit=0')).statusCode, 400)
    t.equal((await list('?outcome=maybe')).statusCode, 400)
    t.equal((await list('', ci)).statusCode, 403, 'admin only')
  })
})

t.test('a mutation whose audit record cannot be stored is answered 503, not silently', async t => {
  const real = await testStore()
  const store = { ...real, recordChange: async () => { throw new Error('disk full') }, close: async () => {} }
  const { app, aws } = await build(t, { env, deps: { store } })
  const response = await app.inject({ method: 'PUT', url: '/clusters/demo/oidc-provider', payload: {}, headers: { authorization: `Bearer ${ci}` } })
  t.equal(response.statusCode, 503)
  t.equal(response.json().code, 'AuditUnavailable')
  t.equal(response.headers['retry-after'], '1')
  t.ok(aws.calls.some(call => call.operation === 'CreateOpenIDConnectProvider'), 'the change was made; a retry converges without a second one')
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

t.test('on PostgreSQL too, a NUL byte in the path never drops an audit record', async t => {
  if (!await requirePostgres(t)) return
  const schema = freshSchemaName('audit_nul')
  const store = await createStore({ databaseUrl: testDatabaseUrl, schema })
  t.teardown(async () => { await store.close(); await dropSchema(schema) })
  const { app } = await build(t, { env, deps: { store } })
  for (let i = 0; i < 5; i++) {
    const response = await app.inject({ method: 'PUT', url: '/clusters/x%00y/oidc-provider', payload: {}, headers: { authorization: `Bearer ${generateToken()}` } })
    t.equal(response.statusCode, 401)
  }
  const { items } = await store.listAudit({ cluster: 'x\\u0000y' })
  t.equal(items.length, 5, 'five requests, five records')
  t.match(items, Array(5).fill({ outcome: 'denied', status: 401, action: 'putOpenIDConnectProvider' }))
})
