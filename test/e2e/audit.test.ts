/**
 * Audit records of the real app over the real wire path: what GET /audit answers after an
 * association, a failed write and a denied one names the resource, the AWS calls and the AWS
 * request id the emulator gave them.
 */
import t from 'tap'
import { tokenAuthEnv } from '../support/token-auth.ts'
import { idempotencyKey, startHarness } from './support.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

t.test('audit records name the resource, the AWS calls and their request ids', async t => {
  const { env, tokens: { ci, ops } } = tokenAuthEnv([
    { principal: 'ci', clusters: ['demo', 'gone'], actions: ['write'] },
    { principal: 'ops', clusters: ['*'], actions: ['admin'] }
  ])
  const { emulator, call } = await startHarness(t, { emulator: { seed: { clusters: [{ name: 'demo' }] } }, env })
  const corp = emulator.createIdentityProvider({ name: 'corp' })
  const asCi = { authorization: `Bearer ${ci}` }
  const recordOf = async (reply: { headers: Headers }) => {
    const page = await call('GET', '/audit?limit=100', { headers: { authorization: `Bearer ${ops}` } })
    return page.body.items.find((record: any) => record.requestId === reply.headers.get('x-request-id'))
  }

  const associated = await call('POST', '/clusters/demo/identity-provider-configs', {
    body: { oidc: { identityProviderConfigName: 'corp', issuerUrl: corp.issuerUrl, clientId: 'kubernetes' } },
    headers: { ...asCi, 'idempotency-key': idempotencyKey() }
  })
  t.equal(associated.status, 202)
  const association = await recordOf(associated)
  t.match(association, {
    principal: 'ci',
    action: 'associateIdentityProviderConfig',
    cluster: 'demo',
    resource: 'corp',
    outcome: 'succeeded',
    status: 202,
    operationId: associated.body.operationId,
    awsRequestId: UUID
  })
  const write = association.awsCalls.find((c: any) => c.operation === 'AssociateIdentityProviderConfig')
  t.match(write, { service: 'eks', outcome: 'success', awsRequestId: UUID }, 'the EKS write, with the request id the emulator answered')
  t.equal(association.awsRequestId, association.awsCalls.at(-1).awsRequestId, 'the record\'s request id is that of the last call')

  const failed = await call('DELETE', '/clusters/gone/oidc-provider', { headers: asCi })
  t.equal(failed.status, 404)
  t.match(await recordOf(failed), {
    outcome: 'failed',
    status: 404,
    cluster: 'gone',
    awsCalls: [{ service: 'eks', operation: 'DescribeCluster', outcome: 'error', error: 'ResourceNotFoundException', awsRequestId: UUID }],
    awsRequestId: UUID
  })

  const denied = await call('PUT', '/clusters/other/oidc-provider', { body: {}, headers: asCi })
  t.equal(denied.status, 403)
  t.match(await recordOf(denied), { principal: 'ci', action: 'putOpenIDConnectProvider', cluster: 'other', outcome: 'denied', status: 403, awsCalls: [] })
})
