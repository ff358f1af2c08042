import { randomUUID } from 'node:crypto'
import t from 'tap'
import { assertProblem, build } from '../support/build.ts'

const ROLE = 'arn:aws:iam::111122223333:role/dev/deployer'
const NODE_ROLE = 'arn:aws:iam::111122223333:role/nodes'
const VIEW = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy'
const enc = encodeURIComponent
const newKey = () => `key-${randomUUID()}`
const entryUrl = (arn: string, cluster = 'demo') => `/clusters/${cluster}/access-entries/${enc(arn)}`

t.test('create → describe → list → update → policies → delete, with the token and answers EKS expects', async t => {
  const { app, aws } = await build(t)
  const created = await app.inject({
    method: 'POST', url: '/clusters/demo/access-entries', headers: { 'idempotency-key': newKey() }, payload: { principalArn: ROLE, kubernetesGroups: ['deployers'], tags: { team: 'apps' } }
  })
  t.equal(created.statusCode, 201)
  t.equal(created.headers.location, entryUrl(ROLE))
  t.match(created.json(), { accessEntry: { principalArn: ROLE, type: 'STANDARD', kubernetesGroups: ['deployers'], createdAt: /^\d{4}-/ }, operationId: String })
  const sent = aws.calls.find(c => c.operation === 'CreateAccessEntry')!.input
  t.match(sent, { clusterName: 'demo', principalArn: ROLE, clientRequestToken: /^eks-oidc-api-[0-9a-f-]{36}$/ })

  const described = await app.inject({ method: 'GET', url: entryUrl(ROLE) })
  t.equal(described.statusCode, 200)
  t.equal(described.json().accessEntry.principalArn, ROLE, 'the percent-encoded ARN in the path reaches EKS decoded')
  t.equal(aws.calls.findLast(c => c.operation === 'DescribeAccessEntry')!.input.principalArn, ROLE)

  const listed = await app.inject({ method: 'GET', url: '/clusters/demo/access-entries?maxResults=5' })
  t.same(listed.json(), { accessEntries: [ROLE] })

  const updated = await app.inject({ method: 'PATCH', url: entryUrl(ROLE), payload: { username: 'deployer:{{SessionName}}' } })
  t.equal(updated.statusCode, 200)
  t.same(updated.json().accessEntry.kubernetesGroups, ['deployers'], 'members not given stay')
  t.equal(updated.json().accessEntry.username, 'deployer:{{SessionName}}')

  const associated = await app.inject({ method: 'POST', url: `${entryUrl(ROLE)}/access-policies`, payload: { policyArn: VIEW, accessScope: { type: 'namespace', namespaces: ['dev'] } } })
  t.equal(associated.statusCode, 200)
  t.same(associated.json().associatedAccessPolicy.accessScope, { type: 'namespace', namespaces: ['dev'] })
  const filtered = await app.inject({ method: 'GET', url: `/clusters/demo/access-entries?associatedPolicyArn=${enc(VIEW)}` })
  t.same(filtered.json().accessEntries, [ROLE])
  const policies = await app.inject({ method: 'GET', url: `${entryUrl(ROLE)}/access-policies` })
  t.same(policies.json().associatedAccessPolicies.map((p: { policyArn: string }) => p.policyArn), [VIEW])

  const disassociated = await app.inject({ method: 'DELETE', url: `${entryUrl(ROLE)}/access-policies/${enc(VIEW)}` })
  t.equal(disassociated.statusCode, 204)
  const again = await app.inject({ method: 'DELETE', url: `${entryUrl(ROLE)}/access-policies/${enc(VIEW)}` })
  t.equal(again.statusCode, 204, 'disassociating twice is no error')

  const deleted = await app.inject({ method: 'DELETE', url: entryUrl(ROLE) })
  t.equal(deleted.statusCode, 204)
  t.notOk(aws.accessEntries.has(`demo\n${ROLE}`))
  const twice = await app.inject({ method: 'DELETE', url: entryUrl(ROLE) })
  t.equal(twice.statusCode, 204, 'deleting twice is no error')
  assertProblem(t, await app.inject({ method: 'GET', url: entryUrl(ROLE) }), 404, 'ResourceNotFoundException')
  assertProblem(t, await app.inject({ method: 'DELETE', url: entryUrl(ROLE, 'nope') }), 404, 'ResourceNotFoundException')
})

t.test('a node entry is deleted only when asked explicitly', async t => {
  const { app, aws } = await build(t)
  await app.inject({ method: 'POST', url: '/clusters/demo/access-entries', headers: { 'idempotency-key': newKey() }, payload: { principalArn: NODE_ROLE, type: 'EC2_LINUX' } })
  const refused = assertProblem(t, await app.inject({ method: 'DELETE', url: entryUrl(NODE_ROLE) }), 409, 'NodeAccessEntryProtected')
  t.match(refused.detail, /EC2_LINUX.*cuts them off the cluster/)
  t.same(refused.errors, [{ pointer: '/querystring/confirmNodeEntryDeletion', detail: 'must be true to delete an entry of a node type' }])
  t.notOk(aws.calls.some(c => c.operation === 'DeleteAccessEntry'), 'nothing was sent to EKS')
  const confirmed = await app.inject({ method: 'DELETE', url: `${entryUrl(NODE_ROLE)}?confirmNodeEntryDeletion=true` })
  t.equal(confirmed.statusCode, 204)
  t.ok(aws.calls.some(c => c.operation === 'DeleteAccessEntry'))
})

t.test('bad input is a 400 naming the member and the rule', async t => {
  const { app, aws } = await build(t)
  const post = (payload: object) => app.inject({ method: 'POST', url: '/clusters/demo/access-entries', headers: { 'idempotency-key': newKey() }, payload })
  const badPath = assertProblem(t, await app.inject({ method: 'GET', url: entryUrl('arn:aws:sts::111122223333:assumed-role/admin/me') }), 400, 'ValidationException')
  t.match(badPath.errors, [{ pointer: '/params/principalArn' }], 'a session ARN is no access entry principal')
  const noArn = assertProblem(t, await post({ kubernetesGroups: ['a'] }), 400, 'ValidationException')
  t.match(noArn.errors, [{ pointer: '/body/principalArn' }])
  const reserved = assertProblem(t, await post({ principalArn: ROLE, username: 'system:admin' }), 400, 'ValidationException')
  t.match(reserved.errors, [{ pointer: '/body/username' }])
  const nodeGroups = assertProblem(t, await post({ principalArn: NODE_ROLE, type: 'FARGATE_LINUX', kubernetesGroups: ['admins'] }), 400, 'InvalidParameterException')
  t.match(nodeGroups.errors, [{ pointer: '/body/kubernetesGroups' }])
  const badScope = assertProblem(t, await app.inject({ method: 'POST', url: `${entryUrl(ROLE)}/access-policies`, payload: { policyArn: VIEW, accessScope: { type: 'namespace' } } }), 400, 'InvalidParameterException')
  t.match(badScope.errors, [{ pointer: '/body/accessScope/namespaces' }])
  const emptyUpdate = assertProblem(t, await app.inject({ method: 'PATCH', url: entryUrl(ROLE), payload: {} }), 400, 'InvalidParameterException')
  t.match(emptyUpdate.errors, [{ pointer: '/body' }])
  t.notOk(aws.calls.some(c => ['CreateAccessEntry', 'AssociateAccessPolicy', 'UpdateAccessEntry'].includes(c.operation)), 'none reached EKS')
})

t.test('EKS refusals pass through: a second entry, a cluster in CONFIG_MAP mode', async t => {
  const { app, aws } = await build(t)
  const post = () => app.inject({ method: 'POST', url: '/clusters/demo/access-entries', headers: { 'idempotency-key': newKey() }, payload: { principalArn: ROLE } })
  t.equal((await post()).statusCode, 201)
  assertProblem(t, await post(), 409, 'ResourceInUseException')
  aws.authenticationModes.set('demo', 'CONFIG_MAP')
  const refused = assertProblem(t, await app.inject({ method: 'GET', url: '/clusters/demo/access-entries' }), 409, 'InvalidRequestException')
  t.match(refused.detail, /authentication mode must be set/)
})

t.test('GET /access-policies lists what AWS offers', async t => {
  const { app } = await build(t)
  const res = await app.inject({ method: 'GET', url: '/access-policies' })
  t.equal(res.statusCode, 200)
  t.ok(res.json().accessPolicies.some((p: { name: string }) => p.name === 'AmazonEKSClusterAdminPolicy'))
})

t.test('a retry after an ambiguous failure re-sends the token and adopts the entry the first attempt made', async t => {
  const { app, aws } = await build(t)
  const key = newKey()
  const create = aws.eks.createAccessEntry
  const tokens: string[] = []
  aws.eks.createAccessEntry = async (input) => {
    tokens.push(input.clientRequestToken!)
    await create(input)
    // The entry exists in EKS, but the answer is lost on the way back.
    throw Object.assign(new Error('socket hang up'), { name: 'Error', code: 'ECONNRESET' })
  }
  const post = () => app.inject({ method: 'POST', url: '/clusters/demo/access-entries', headers: { 'idempotency-key': key }, payload: { principalArn: ROLE } })
  assertProblem(t, await post(), 502, 'UpstreamUnreachable')
  aws.eks.createAccessEntry = async (input) => { tokens.push(input.clientRequestToken!); return create(input) }
  const retried = await post()
  t.equal(retried.statusCode, 200, 'the entry of the first attempt is adopted, not created twice')
  t.equal(retried.json().accessEntry.principalArn, ROLE)
  t.equal(tokens.length, 2)
  t.equal(tokens[0], tokens[1], 'the same clientRequestToken on the retry')
})
