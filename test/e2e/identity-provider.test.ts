/**
 * The identity provider flow over real HTTP: associate (issuer pre-flight against a real HTTPS
 * issuer), follow the EKS update to Successful, describe ACTIVE, list, review a real ID token,
 * disassociate, follow it until the config is gone. Also: one update per Idempotency-Key.
 */
import t from 'tap'
import { assertProblem, callsOf, idempotencyKey, pollUntil, startHarness, type Harness } from './support.ts'

const TRANSITION_MS = 300

function associateBody (issuerUrl: string) {
  return {
    oidc: { identityProviderConfigName: 'corp', issuerUrl, clientId: 'kubernetes', usernameClaim: 'email', groupsClaim: 'groups', groupsPrefix: 'oidc:' },
    tags: { team: 'platform' }
  }
}

/** Polls an update's Location until it leaves InProgress, and returns the final update. */
async function settledUpdate (call: Harness['call'], location: string) {
  return pollUntil(async () => {
    const reply = await call('GET', location)
    return reply.body.update.status === 'InProgress' ? undefined : reply.body.update
  }, { timeoutMs: 10_000, intervalMs: 100 })
}

t.test('identity provider config: associate, follow, describe, list, review a token, disassociate, gone', async t => {
  const { emulator, call } = await startHarness(t, { emulator: { transitionDelayMs: TRANSITION_MS, seed: { clusters: [{ name: 'demo' }] } } })
  const corp = emulator.createIdentityProvider({ name: 'corp' })

  const associated = await call('POST', '/clusters/demo/identity-provider-configs', { body: associateBody(corp.issuerUrl), headers: { 'idempotency-key': idempotencyKey() } })
  t.equal(associated.status, 202)
  t.match(associated.body, { update: { type: 'AssociateIdentityProviderConfig', status: 'InProgress' }, tags: { team: 'platform' }, issuerChecks: 'passed' })
  const location = associated.headers.get('location') ?? ''
  t.equal(location, `/clusters/demo/updates/${associated.body.update.id}`, 'Location names the update')
  t.same(callsOf(emulator, 'eks:AssociateIdentityProviderConfig'), { 'eks:AssociateIdentityProviderConfig': 1 })

  const creating = await call('GET', '/clusters/demo/identity-provider-configs/corp')
  t.equal(creating.body.identityProviderConfig.oidc.status, 'CREATING', 'CREATING while the update runs')

  const done = await settledUpdate(call, location)
  t.equal(done.status, 'Successful')

  const described = await call('GET', '/clusters/demo/identity-provider-configs/corp')
  t.equal(described.status, 200)
  t.match(described.body.identityProviderConfig.oidc, {
    identityProviderConfigName: 'corp',
    clusterName: 'demo',
    issuerUrl: corp.issuerUrl,
    clientId: 'kubernetes',
    groupsPrefix: 'oidc:',
    status: 'ACTIVE',
    tags: { team: 'platform' }
  })
  t.same((await call('GET', '/clusters/demo/identity-provider-configs')).body, { identityProviderConfigs: [{ type: 'oidc', name: 'corp' }] })
  t.same((await call('GET', '/clusters/demo/updates')).body.updateIds, [associated.body.update.id])

  await t.test('token review with a token the corp issuer signed', async t => {
    const token = await emulator.mintIdToken(corp.issuerUrl, { sub: 'u-1', aud: 'kubernetes', email: 'ann@example.com', email_verified: true, groups: ['devs', 'ops'] })
    const review = await call('POST', '/clusters/demo/identity-provider-configs/corp/token-reviews', { body: { token } })
    t.equal(review.status, 200)
    t.match(review.body, { authenticated: true, verified: true, user: { username: 'ann@example.com' }, audiences: ['kubernetes'] })
    t.same(review.body.user.groups, ['oidc:devs', 'oidc:ops', 'system:authenticated'], 'groups carry the config\'s prefix')

    const otherAudience = await emulator.mintIdToken(corp.issuerUrl, { sub: 'u-1', aud: 'grafana', email: 'ann@example.com', email_verified: true })
    const refused = await call('POST', '/clusters/demo/identity-provider-configs/corp/token-reviews', { body: { token: otherAudience } })
    t.equal(refused.status, 200)
    t.equal(refused.body.authenticated, false, 'a token for another client is not authenticated')
  })

  await t.test('disassociate, follow the update, the config is gone', async t => {
    const removed = await call('DELETE', '/clusters/demo/identity-provider-configs/corp')
    t.equal(removed.status, 202)
    t.match(removed.body, { update: { type: 'DisassociateIdentityProviderConfig', status: 'InProgress' } })
    const removal = await settledUpdate(call, removed.headers.get('location') ?? '')
    t.equal(removal.status, 'Successful')

    assertProblem(t, await call('GET', '/clusters/demo/identity-provider-configs/corp'), 404, 'ResourceNotFoundException')
    t.same((await call('GET', '/clusters/demo/identity-provider-configs')).body, { identityProviderConfigs: [] })
    const again = await call('DELETE', '/clusters/demo/identity-provider-configs/corp')
    t.equal(again.status, 204, 'disassociating a config already gone answers 204')
  })
})

t.test('a retried associate with the same Idempotency-Key makes exactly one EKS update', async t => {
  const { emulator, call } = await startHarness(t, {
    emulator: { transitionDelayMs: TRANSITION_MS, seed: { clusters: [{ name: 'demo' }] } },
    env: { AWS_MAX_ATTEMPTS: '1' }
  })
  const corp = emulator.createIdentityProvider({ name: 'corp' })
  const cluster = emulator.state.clusters.get('demo')
  const request = { body: associateBody(corp.issuerUrl), headers: { 'idempotency-key': idempotencyKey() } }

  emulator.faults.set('eks:AssociateIdentityProviderConfig', { failNext: 1 })
  assertProblem(t, await call('POST', '/clusters/demo/identity-provider-configs', request), 502, 'ServerException')
  t.equal(cluster?.updates.length, 0, 'the failed attempt made no update')

  const retried = await call('POST', '/clusters/demo/identity-provider-configs', request)
  t.equal(retried.status, 202, 'the retry starts the association')
  t.same(callsOf(emulator, 'eks:AssociateIdentityProviderConfig'), { 'eks:AssociateIdentityProviderConfig': 2 }, 'one SDK attempt per request')
  t.equal(cluster?.updates.length, 1)
  const tokens = [...cluster?.clientTokens.keys() ?? []]
  t.equal(tokens.length, 1)
  t.equal(tokens[0], `eks-oidc-api-${retried.body.operationId}`, 'the token is the operation\'s, kept across the retry, not filled in by the SDK')

  // Once more, now that it succeeded: the stored answer is replayed, nothing new in EKS.
  const third = await call('POST', '/clusters/demo/identity-provider-configs', request)
  t.equal(third.status, 202)
  t.equal(third.headers.get('idempotent-replayed'), 'true')
  t.same(third.body, retried.body)
  t.equal(cluster?.updates.length, 1, 'still exactly one update')
  t.same(callsOf(emulator, 'eks:AssociateIdentityProviderConfig'), { 'eks:AssociateIdentityProviderConfig': 2 })
})

t.test('reads of an ACTIVE config: concurrent GETs share one call, repeats are reused, no-cache and a disassociate read EKS', async t => {
  const { emulator, call } = await startHarness(t, {
    emulator: { transitionDelayMs: 60_000, seed: { clusters: [{ name: 'demo', identityProviderConfig: { identityProviderConfigName: 'corp', issuerUrl: 'https://idp.example.com', clientId: 'kubernetes' } }] } },
    // Long enough that no entry expires during the test; the expiry itself is unit-tested.
    env: { CONFIG_CACHE_TTL_MS: '60000' }
  })
  const DESCRIBE = 'eks:DescribeIdentityProviderConfig'
  const describes = () => callsOf(emulator, DESCRIBE)[DESCRIBE]
  const get = (headers: Record<string, string> = {}) => call('GET', '/clusters/demo/identity-provider-configs/corp', { headers })

  const concurrent = await Promise.all(Array.from({ length: 10 }, () => get()))
  t.ok(concurrent.every(r => r.status === 200 && r.body.identityProviderConfig.oidc.status === 'ACTIVE'))
  t.equal(describes(), 1, '10 concurrent GETs, one DescribeIdentityProviderConfig')
  const statuses = concurrent.map(r => r.headers.get('cache-status'))
  t.equal(statuses.filter(s => s === 'eks-oidc-api; fwd=miss').length, 1, 'one of them made the call')
  t.ok(statuses.every(s => ['eks-oidc-api; fwd=miss', 'eks-oidc-api; fwd=miss; collapsed', 'eks-oidc-api; hit'].includes(s ?? '')), statuses.join(' | '))

  const repeat = await get()
  t.equal(repeat.headers.get('cache-status'), 'eks-oidc-api; hit')
  t.equal(describes(), 1, 'a repeat is answered from memory')

  const fresh = await get({ 'cache-control': 'no-cache' })
  t.equal(fresh.headers.get('cache-status'), 'eks-oidc-api; fwd=request')
  t.equal(describes(), 2, 'Cache-Control: no-cache reads EKS')

  const removed = await call('DELETE', '/clusters/demo/identity-provider-configs/corp')
  t.equal(removed.status, 202)
  const deleting = await get()
  t.equal(deleting.body.identityProviderConfig.oidc.status, 'DELETING', 'a disassociate through the service is seen at once')
  t.equal(deleting.headers.get('cache-status'), 'eks-oidc-api; fwd=miss')
  t.equal((await get()).headers.get('cache-status'), 'eks-oidc-api; fwd=miss', 'DELETING is never reused: pollers see the change')
  t.equal(describes(), 4)
})
