import { randomUUID } from 'node:crypto'
import t from 'tap'
import { assertProblem, build } from '../support/build.ts'
import { renderUsername } from '../../src/services/principal-review.ts'

const ROLE = 'arn:aws:iam::111122223333:role/teams/dev/deployer'
const SESSION = 'arn:aws:sts::111122223333:assumed-role/deployer/alice@example.com'
const VIEW = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy'
const review = (arn: string) => ({ method: 'GET' as const, url: `/clusters/demo/principals/${encodeURIComponent(arn)}` })

t.test('a role session is found through its role, with the path the session does not show', async t => {
  const { app } = await build(t)
  await app.inject({
    method: 'POST',
    url: '/clusters/demo/access-entries',
    headers: { 'idempotency-key': `key-${randomUUID()}` },
    payload: { principalArn: ROLE, username: 'deployer:{{SessionName}}', kubernetesGroups: ['deployers'] }
  })
  await app.inject({ method: 'POST', url: `/clusters/demo/access-entries/${encodeURIComponent(ROLE)}/access-policies`, payload: { policyArn: VIEW, accessScope: { type: 'cluster' } } })
  const res = await app.inject(review(SESSION))
  t.equal(res.statusCode, 200)
  t.match(res.json(), {
    principalArn: SESSION,
    entryPrincipalArn: ROLE,
    sessionName: 'alice@example.com',
    mapped: true,
    reason: 'AccessEntry',
    username: 'deployer:alice-example.com',
    usernameTemplate: 'deployer:{{SessionName}}',
    kubernetesGroups: ['deployers'],
    accessEntryType: 'STANDARD',
    accessPolicies: [{ policyArn: VIEW, accessScope: { type: 'cluster', namespaces: [] } }]
  })
  const direct = await app.inject(review(ROLE))
  t.equal(direct.json().username, 'deployer:{{SessionName}}', 'without a session the template stays')
  const pathless = (await app.inject(review('arn:aws:iam::111122223333:role/deployer'))).json()
  t.match(pathless, { mapped: true, entryPrincipalArn: ROLE }, 'a role ARN without its path is the same role')
})

t.test('no entry, a node entry, a cluster in CONFIG_MAP mode: each says why', async t => {
  const { app, aws } = await build(t)
  const none = (await app.inject(review('arn:aws:iam::111122223333:user/bob'))).json()
  t.match(none, { mapped: false, reason: 'NoAccessEntry', detail: /aws-auth ConfigMap may still map it/, kubernetesGroups: [], accessPolicies: [] })
  await app.inject({ method: 'POST', url: '/clusters/demo/access-entries', headers: { 'idempotency-key': `key-${randomUUID()}` }, payload: { principalArn: 'arn:aws:iam::111122223333:role/nodes', type: 'EC2_LINUX' } })
  const node = (await app.inject(review('arn:aws:sts::111122223333:assumed-role/nodes/i-0123456789abcdef0'))).json()
  t.match(node, { mapped: true, reason: 'NodeAccessEntry', kubernetesGroups: ['system:nodes'], accessPolicies: [] })
  t.notOk(aws.calls.some(c => c.operation === 'ListAssociatedAccessPolicies'), 'node entries take no policies, so none are read')
  aws.authenticationModes.set('demo', 'CONFIG_MAP')
  t.match((await app.inject(review('arn:aws:iam::111122223333:user/bob'))).json(), { mapped: false, reason: 'ConfigMapMode', authenticationMode: 'CONFIG_MAP' })
  const bad = assertProblem(t, await app.inject(review('arn:aws:iam::111122223333:group/admins')), 400, 'ValidationException')
  t.match(bad.errors, [{ pointer: '/params/principalArn' }])
})

t.test('username templates as EKS fills them', async t => {
  const session = { partition: 'aws', accountId: '111122223333', roleName: 'r', sessionName: 'a@b' }
  t.equal(renderUsername('x:{{SessionName}}:{{SessionNameRaw}}:{{AccountID}}', session), 'x:a-b:a@b:111122223333')
  t.equal(renderUsername('system:node:{{EC2PrivateDNSName}}', session), 'system:node:{{EC2PrivateDNSName}}')
})
