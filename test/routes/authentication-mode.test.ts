import { randomUUID } from 'node:crypto'
import t from 'tap'
import { assertProblem, build } from '../support/build.ts'

const put = (payload: object) => ({ method: 'PUT' as const, url: '/clusters/demo/authentication-mode', headers: { 'idempotency-key': `key-${randomUUID()}` }, payload })

t.test('read the mode and the one it may move to', async t => {
  const { app, aws } = await build(t)
  t.same((await app.inject({ method: 'GET', url: '/clusters/demo/authentication-mode' })).json(),
    { clusterName: 'demo', authenticationMode: 'API_AND_CONFIG_MAP', allowedNext: ['API'] })
  aws.authenticationModes.set('demo', 'API')
  t.same((await app.inject({ method: 'GET', url: '/clusters/demo/authentication-mode' })).json().allowedNext, [])
  const cluster = await app.inject({ method: 'GET', url: '/clusters/demo' })
  t.same(cluster.json().cluster.accessConfig, { authenticationMode: 'API' }, 'the cluster view carries it too')
})

t.test('one step forward starts an AccessConfigUpdate to follow; the same mode changes nothing', async t => {
  const { app, aws } = await build(t)
  aws.authenticationModes.set('demo', 'CONFIG_MAP')
  const started = await app.inject(put({ authenticationMode: 'API_AND_CONFIG_MAP' }))
  t.equal(started.statusCode, 202)
  const { update, operationId, outcome, authenticationMode } = started.json()
  t.match({ outcome, authenticationMode }, { outcome: 'started', authenticationMode: 'CONFIG_MAP' })
  t.match(update, { type: 'AccessConfigUpdate', status: 'InProgress', params: [{ type: 'AuthenticationMode', value: 'API_AND_CONFIG_MAP' }] })
  t.equal(started.headers.location, `/clusters/demo/updates/${update.id}`)
  t.match(aws.calls.find(c => c.operation === 'UpdateClusterConfig')!.input, {
    name: 'demo', accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' }, clientRequestToken: `eks-oidc-api-${operationId}`
  })
  const followed = await app.inject({ method: 'GET', url: started.headers.location as string })
  t.equal(followed.json().update.type, 'AccessConfigUpdate', 'the updates route answers the new update type')

  aws.settleUpdate(update.id)
  const unchanged = await app.inject(put({ authenticationMode: 'API_AND_CONFIG_MAP' }))
  t.equal(unchanged.statusCode, 200)
  t.same(unchanged.json(), { outcome: 'unchanged', authenticationMode: 'API_AND_CONFIG_MAP' })
  t.equal(aws.calls.filter(c => c.operation === 'UpdateClusterConfig').length, 1, 'no second write')
})

t.test('backward or skipping transitions are refused before AWS; API needs a confirmation', async t => {
  const { app, aws } = await build(t)
  const backward = assertProblem(t, await app.inject(put({ authenticationMode: 'CONFIG_MAP' })), 409, 'AuthenticationModeTransition')
  t.match(backward.detail, /never moves an authentication mode back/)
  t.same(backward.errors, [{ pointer: '/body/authenticationMode', detail: 'can only be API from API_AND_CONFIG_MAP' }])

  const unconfirmed = assertProblem(t, await app.inject(put({ authenticationMode: 'API' })), 400, 'ConfirmationRequired')
  t.same(unconfirmed.errors, [{ pointer: '/body/confirm', detail: 'must be "API" to change the authentication mode to API' }])
  assertProblem(t, await app.inject(put({ authenticationMode: 'API', confirm: 'yes' })), 400, 'ConfirmationRequired')

  aws.authenticationModes.set('demo', 'CONFIG_MAP')
  const skipping = assertProblem(t, await app.inject(put({ authenticationMode: 'API', confirm: 'API' })), 409, 'AuthenticationModeTransition')
  t.match(skipping.detail, /one step at a time, so change it to API_AND_CONFIG_MAP first/)
  t.notOk(aws.calls.some(c => c.operation === 'UpdateClusterConfig'), 'nothing was sent to EKS')
  assertProblem(t, await app.inject(put({ authenticationMode: 'OPEN' })), 400, 'ValidationException')
})
