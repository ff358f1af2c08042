/**
 * Access entries end to end: the service over real HTTP, the AWS SDK against the emulator in
 * EKS's restJson1 protocol. Entries and policies, the node entry protection, the authentication
 * mode change followed to Successful through the updates routes, a refused backward change, and
 * the principal lookup for a role session.
 */
import t from 'tap'
import { seedRoles } from '../emulator/roles.ts'
import { assertProblem, callsOf, idempotencyKey, pollUntil, startHarness } from './support.ts'

const ACCOUNT = '111122223333'
const DEPLOYER = `arn:aws:iam::${ACCOUNT}:role/teams/apps/deployer`
const NODES = `arn:aws:iam::${ACCOUNT}:role/eks-nodes`
const VIEW = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy'
const enc = encodeURIComponent
const entry = (arn: string, cluster = 'demo') => `/clusters/${cluster}/access-entries/${enc(arn)}`

t.test('access entries and policies through the service and the emulator', async t => {
  const { emulator, call } = await startHarness(t, {
    emulator: { seed: { roles: seedRoles('teams/apps/deployer', 'eks-nodes'), clusters: [{ name: 'demo', accessEntries: [{ principalArn: NODES, type: 'EC2_LINUX' }] }] } }
  })

  const created = await call('POST', '/clusters/demo/access-entries', {
    body: { principalArn: DEPLOYER, kubernetesGroups: ['deployers'], tags: { team: 'apps' } }, headers: { 'idempotency-key': idempotencyKey() }
  })
  t.equal(created.status, 201)
  t.equal(created.headers.get('location'), entry(DEPLOYER))
  t.match(created.body.accessEntry, {
    principalArn: DEPLOYER, type: 'STANDARD', username: `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/{{SessionName}}`, kubernetesGroups: ['deployers']
  })
  const stored = emulator.state.clusters.get('demo')
  t.same([...stored?.accessEntryTokens.keys() ?? []], [`eks-oidc-api-${created.body.operationId}`], 'the service sent its own clientRequestToken')

  const duplicate = await call('POST', '/clusters/demo/access-entries', { body: { principalArn: DEPLOYER }, headers: { 'idempotency-key': idempotencyKey() } })
  assertProblem(t, duplicate, 409, 'ResourceInUseException')

  t.same((await call('GET', '/clusters/demo/access-entries')).body.accessEntries, [NODES, DEPLOYER].sort())
  t.equal((await call('GET', entry(DEPLOYER))).body.accessEntry.accessEntryArn, created.body.accessEntry.accessEntryArn)
  t.same((await call('PATCH', entry(DEPLOYER), { body: { kubernetesGroups: ['deployers', 'viewers'] } })).body.accessEntry.kubernetesGroups, ['deployers', 'viewers'])

  const associated = await call('POST', `${entry(DEPLOYER)}/access-policies`, { body: { policyArn: VIEW, accessScope: { type: 'namespace', namespaces: ['dev-*'] } } })
  t.equal(associated.status, 200)
  t.same(associated.body.associatedAccessPolicy.accessScope, { type: 'namespace', namespaces: ['dev-*'] })
  t.same((await call('GET', `/clusters/demo/access-entries?associatedPolicyArn=${enc(VIEW)}`)).body.accessEntries, [DEPLOYER])
  t.same((await call('GET', `${entry(DEPLOYER)}/access-policies`)).body.associatedAccessPolicies.map((p: { policyArn: string }) => p.policyArn), [VIEW])
  const onNode = await call('POST', `${entry(NODES)}/access-policies`, { body: { policyArn: VIEW, accessScope: { type: 'cluster' } } })
  assertProblem(t, onNode, 409, 'InvalidRequestException')

  const offered = await call('GET', '/access-policies')
  t.ok(offered.body.accessPolicies.some((p: { name: string }) => p.name === 'AmazonEKSClusterAdminPolicy'))

  t.equal((await call('DELETE', `${entry(DEPLOYER)}/access-policies/${enc(VIEW)}`)).status, 204)
  t.same((await call('GET', `${entry(DEPLOYER)}/access-policies`)).body.associatedAccessPolicies, [])
  t.equal((await call('DELETE', entry(DEPLOYER))).status, 204)
  assertProblem(t, await call('GET', entry(DEPLOYER)), 404, 'ResourceNotFoundException')

  await t.test('the same routes under /accounts/{accountId}/regions/{region}, with Locations in that form', async t => {
    const prefix = `/accounts/${ACCOUNT}/regions/us-east-1`
    const again = await call('POST', `${prefix}/clusters/demo/access-entries`, { body: { principalArn: DEPLOYER }, headers: { 'idempotency-key': idempotencyKey() } })
    t.equal(again.status, 201)
    t.equal(again.headers.get('location'), prefix + entry(DEPLOYER))
    t.equal((await call('GET', prefix + entry(DEPLOYER))).body.accessEntry.principalArn, DEPLOYER)
    t.equal((await call('DELETE', prefix + entry(DEPLOYER))).status, 204)
  })

  await t.test('the node entry is protected unless deletion is confirmed', async t => {
    const refused = await call('DELETE', entry(NODES))
    assertProblem(t, refused, 409, 'NodeAccessEntryProtected')
    t.same(callsOf(emulator, 'eks:DeleteAccessEntry'), { 'eks:DeleteAccessEntry': 2 }, 'only the earlier STANDARD deletes reached EKS')
    t.ok(emulator.state.clusters.get('demo')?.accessEntries.has(NODES), 'the node entry is still there')
    t.equal((await call('DELETE', `${entry(NODES)}?confirmNodeEntryDeletion=true`)).status, 204)
    t.notOk(emulator.state.clusters.get('demo')?.accessEntries.has(NODES))
  })
})

t.test('authentication mode: CONFIG_MAP → API_AND_CONFIG_MAP followed to Successful, then a backward change refused', async t => {
  const { emulator, call } = await startHarness(t, { emulator: { transitionDelayMs: 300, seed: { clusters: [{ name: 'legacy', authenticationMode: 'CONFIG_MAP' }] } } })
  t.same((await call('GET', '/clusters/legacy/authentication-mode')).body, { clusterName: 'legacy', authenticationMode: 'CONFIG_MAP', allowedNext: ['API_AND_CONFIG_MAP'] })
  assertProblem(t, await call('GET', '/clusters/legacy/access-entries'), 409, 'InvalidRequestException')

  const started = await call('PUT', '/clusters/legacy/authentication-mode', { body: { authenticationMode: 'API_AND_CONFIG_MAP' }, headers: { 'idempotency-key': idempotencyKey() } })
  t.equal(started.status, 202)
  t.match(started.body, { outcome: 'started', authenticationMode: 'CONFIG_MAP', update: { type: 'AccessConfigUpdate', status: 'InProgress' } })
  const location = started.headers.get('location') ?? ''
  t.equal(location, `/clusters/legacy/updates/${started.body.update.id}`)

  const waited = await call('GET', `${location}?wait=30`)
  t.equal(waited.body.update.status, 'Successful', 'the updates route follows the AccessConfigUpdate to its end')
  t.same(waited.body.update.params, [{ type: 'AuthenticationMode', value: 'API_AND_CONFIG_MAP' }])
  t.equal((await call('GET', '/clusters/legacy')).body.cluster.accessConfig.authenticationMode, 'API_AND_CONFIG_MAP')
  const operation = await pollUntil(async () => {
    const reply = await call('GET', `/clusters/legacy/operations/${started.body.operationId}`)
    return reply.body.status === 'succeeded' ? reply.body : undefined
  })
  t.equal(operation.status, 'succeeded', 'the operation record followed the update to its end')

  const writesBefore = callsOf(emulator, 'eks:UpdateClusterConfig')
  const backward = await call('PUT', '/clusters/legacy/authentication-mode', { body: { authenticationMode: 'CONFIG_MAP' } })
  assertProblem(t, backward, 409, 'AuthenticationModeTransition')
  const unconfirmed = await call('PUT', '/clusters/legacy/authentication-mode', { body: { authenticationMode: 'API' } })
  assertProblem(t, unconfirmed, 400, 'ConfirmationRequired')
  t.same(callsOf(emulator, 'eks:UpdateClusterConfig'), writesBefore, 'neither reached EKS')
  t.equal((await call('GET', '/clusters/legacy/access-entries')).status, 200, 'access entries work in the new mode')
})

t.test('who is this role session in the cluster', async t => {
  const { call } = await startHarness(t, {
    emulator: {
      seed: {
        roles: seedRoles('teams/apps/deployer'),
        clusters: [{
          name: 'demo',
          accessEntries: [{
            principalArn: DEPLOYER,
            username: 'deployer:{{SessionName}}',
            kubernetesGroups: ['deployers'],
            accessPolicies: [{ policyArn: VIEW, accessScope: { type: 'namespace', namespaces: ['apps'] } }]
          }]
        }]
      }
    }
  })
  const session = `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/ci@example.com`
  const review = await call('GET', `/clusters/demo/principals/${enc(session)}`)
  t.equal(review.status, 200)
  t.match(review.body, {
    principalArn: session,
    entryPrincipalArn: DEPLOYER,
    authenticationMode: 'API_AND_CONFIG_MAP',
    mapped: true,
    reason: 'AccessEntry',
    username: 'deployer:ci-example.com',
    kubernetesGroups: ['deployers'],
    accessPolicies: [{ policyArn: VIEW, accessScope: { type: 'namespace', namespaces: ['apps'] } }]
  })
  const stranger = await call('GET', `/clusters/demo/principals/${enc(`arn:aws:sts::${ACCOUNT}:assumed-role/other/me`)}`)
  t.match(stranger.body, { mapped: false, reason: 'NoAccessEntry' })
})

t.test('a create whose answer is lost is retried with the same key: one entry, the same token', async t => {
  const { emulator, call } = await startHarness(t, { emulator: { seed: { roles: seedRoles('teams/apps/deployer'), clusters: [{ name: 'demo' }] } } })
  emulator.faults.set('eks:CreateAccessEntry', { failNext: 1, failNextWith: 'truncated' })
  const key = idempotencyKey()
  const post = () => call('POST', '/clusters/demo/access-entries', { body: { principalArn: DEPLOYER }, headers: { 'idempotency-key': key } })
  assertProblem(t, await post(), 502, 'AwsResponseUnreadable')
  t.ok(emulator.state.clusters.get('demo')?.accessEntries.has(DEPLOYER), 'the write took effect though its answer was cut')
  const retried = await post()
  t.equal(retried.status, 201, 'EKS answers the token\'s first request again')
  t.equal(retried.body.accessEntry.principalArn, DEPLOYER)
  t.same(callsOf(emulator, 'eks:CreateAccessEntry'), { 'eks:CreateAccessEntry': 2 })
  t.equal(emulator.state.clusters.get('demo')?.accessEntryTokens.size, 1, 'both attempts carried one clientRequestToken')
})
