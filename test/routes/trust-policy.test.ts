import t from 'tap'
import { assertProblem, build } from '../support/build.ts'

const ISSUER_KEY = 'oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789ABCDEF0123456789'
const ARN = `arn:aws:iam::111122223333:oidc-provider/${ISSUER_KEY}`
const ROLE_ARN = 'arn:aws:iam::111122223333:role/irsa/web'
const BASE = '/clusters/demo/oidc-provider/trust-policy'

const trust = (sub: string, operator = 'StringEquals') => ({
  Version: '2012-10-17',
  Statement: [
    { Sid: 'Ec2', Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
    {
      Sid: 'Irsa',
      Effect: 'Allow',
      Principal: { Federated: ARN },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: operator === 'StringEquals'
        ? { StringEquals: { [`${ISSUER_KEY}:sub`]: sub, [`${ISSUER_KEY}:aud`]: 'sts.amazonaws.com' } }
        : { [operator]: { [`${ISSUER_KEY}:sub`]: sub }, StringEquals: { [`${ISSUER_KEY}:aud`]: 'sts.amazonaws.com' } }
    }
  ]
})

const diagnosisUrl = (sa = 'web') => `${BASE}/diagnosis?roleArn=${encodeURIComponent(ROLE_ARN)}&namespace=apps&serviceAccount=${sa}`
const statuses = (body: { checks: Array<{ id: string, status: string }> }) => Object.fromEntries(body.checks.map(c => [c.id, c.status]))

t.test('GET trust-policy renders the IRSA policy and says whether the provider exists', async t => {
  const { app, aws } = await build(t)
  const res = await app.inject({ method: 'GET', url: `${BASE}?namespace=apps&serviceAccount=web` })
  t.equal(res.statusCode, 200)
  t.same(res.json(), {
    clusterName: 'demo',
    issuerUrl: `https://${ISSUER_KEY}`,
    accountId: '111122223333',
    OpenIDConnectProviderArn: ARN,
    exists: false,
    policy: {
      Version: '2012-10-17',
      Statement: [{
        Effect: 'Allow',
        Principal: { Federated: ARN },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringEquals: { [`${ISSUER_KEY}:sub`]: 'system:serviceaccount:apps:web', [`${ISSUER_KEY}:aud`]: 'sts.amazonaws.com' } }
      }]
    },
    size: JSON.stringify(res.json().policy).length,
    sizeLimit: 2048
  })
  t.same(aws.operations().filter(op => op.startsWith('Get')), ['GetOpenIDConnectProvider'], 'one read of IAM')
})

t.test('GET trust-policy in another account renders its provider ARN, without claiming existence', async t => {
  const { app } = await build(t)
  const res = await app.inject({ method: 'GET', url: `${BASE}?namespace=apps&serviceAccount=web&accountId=444455556666` })
  t.equal(res.statusCode, 200)
  t.equal(res.json().OpenIDConnectProviderArn, `arn:aws:iam::444455556666:oidc-provider/${ISSUER_KEY}`)
  t.equal(res.json().exists, undefined)
})

t.test('wildcards only when asked; then StringLike on sub', async t => {
  const { app } = await build(t)
  const refused = await app.inject({ method: 'GET', url: `${BASE}?namespace=apps&serviceAccount=web-*` })
  const body = assertProblem(t, refused, 400, 'ValidationException')
  t.same(body.errors.map((e: { pointer: string }) => e.pointer), ['/querystring/serviceAccount'])
  const both = await app.inject({ method: 'GET', url: `${BASE}?namespace=app?&serviceAccount=*` })
  t.same(assertProblem(t, both, 400, 'ValidationException').errors.map((e: { pointer: string }) => e.pointer), ['/querystring/namespace', '/querystring/serviceAccount'])

  const ok = await app.inject({ method: 'GET', url: `${BASE}?namespace=apps&serviceAccount=web-*&wildcards=true` })
  t.equal(ok.statusCode, 200)
  t.same(ok.json().policy.Statement[0].Condition, {
    StringEquals: { [`${ISSUER_KEY}:aud`]: 'sts.amazonaws.com' },
    StringLike: { [`${ISSUER_KEY}:sub`]: 'system:serviceaccount:apps:web-*' }
  })
})

t.test('namespace and service account are Kubernetes names; the field is named', async t => {
  const { app } = await build(t)
  const cases: Array<[string, string]> = [
    ['namespace=Apps&serviceAccount=web', '/querystring/namespace'],
    ['namespace=-apps&serviceAccount=web', '/querystring/namespace'],
    [`namespace=${'a'.repeat(64)}&serviceAccount=web`, '/querystring/namespace'],
    ['namespace=apps&serviceAccount=web_1', '/querystring/serviceAccount'],
    ['namespace=apps&serviceAccount=web.', '/querystring/serviceAccount'],
    [`namespace=apps&serviceAccount=${'a'.repeat(254)}`, '/querystring/serviceAccount'],
    ['namespace=apps', '/querystring/serviceAccount'],
    ['namespace=apps&serviceAccount=web&accountId=12345', '/querystring/accountId']
  ]
  for (const [query, pointer] of cases) {
    const res = await app.inject({ method: 'GET', url: `${BASE}?${query}` })
    const body = assertProblem(t, res, 400, 'ValidationException')
    t.ok(body.errors.some((e: { pointer: string }) => e.pointer === pointer), `${query} names ${pointer}`)
  }
  const dotted = await app.inject({ method: 'GET', url: `${BASE}?namespace=apps&serviceAccount=web.v2` })
  t.equal(dotted.statusCode, 200, 'a service account name may have dots (DNS-1123 subdomain)')
})

t.test('GET diagnosis: a pattern under StringEquals fails with its reason and the fix; nothing is written', async t => {
  const { app, aws } = await build(t)
  aws.putRole('web', trust('system:serviceaccount:apps:*'))
  await app.inject({ method: 'PUT', url: '/clusters/demo/oidc-provider', payload: { ThumbprintList: ['a'.repeat(40)] } })
  const res = await app.inject({ method: 'GET', url: diagnosisUrl() })
  t.equal(res.statusCode, 200)
  const body = res.json()
  t.equal(body.allowed, false)
  t.match(statuses(body), { 'provider-exists': 'pass', 'federated-principal': 'pass', 'operator-fits-value': 'fail', 'sub-condition': 'fail', 'aud-condition': 'pass', 'no-deny': 'pass' })
  t.match(body.checks.find((c: { id: string }) => c.id === 'operator-fits-value').reason, 'Statement[1] ("Irsa"): StringEquals compares "system:serviceaccount:apps:*" literally')
  t.same(body.fix.changed[0].after.Condition, {
    StringEquals: { [`${ISSUER_KEY}:aud`]: 'sts.amazonaws.com' },
    StringLike: { [`${ISSUER_KEY}:sub`]: 'system:serviceaccount:apps:*' }
  })
  t.same(body.fix.policy.Statement[0], trust('').Statement[0], 'the other statement is kept')
  t.notOk(aws.operations().includes('UpdateAssumeRolePolicy'))
})

t.test('a role that does not exist is a 404 naming it', async t => {
  const { app } = await build(t)
  const body = assertProblem(t, await app.inject({ method: 'GET', url: diagnosisUrl() }), 404, 'NoSuchEntityException')
  t.match(body.detail, 'Role "web" does not exist in account 111122223333')
})

t.test('a role in an account the service does not reach is a 400 naming roleArn', async t => {
  const { app } = await build(t)
  const url = `${BASE}/diagnosis?roleArn=${encodeURIComponent('arn:aws:iam::444455556666:role/web')}&namespace=apps&serviceAccount=web`
  const body = assertProblem(t, await app.inject({ method: 'GET', url }), 400, 'AccountNotReachable')
  t.same(body.errors, [{ pointer: '/querystring/roleArn', detail: 'names account 444455556666, which the service has no access to' }])
})

t.test('a role ARN that is not one is refused by the schema', async t => {
  const { app } = await build(t)
  for (const arn of ['arn:aws:iam::111122223333:user/web', 'arn:aws:iam::1111:role/web', `arn:aws:iam::111122223333:role/${'a'.repeat(65)}`]) {
    const res = await app.inject({ method: 'GET', url: `${BASE}/diagnosis?roleArn=${encodeURIComponent(arn)}&namespace=apps&serviceAccount=web` })
    t.ok(assertProblem(t, res, 400, 'ValidationException').errors.some((e: { pointer: string }) => e.pointer === '/querystring/roleArn'), arn)
  }
  const gov = `${BASE}/diagnosis?roleArn=${encodeURIComponent('arn:aws-us-gov:iam::111122223333:role/web')}&namespace=apps&serviceAccount=web`
  t.match(assertProblem(t, await app.inject({ method: 'GET', url: gov }), 400, 'ValidationException').errors, [{ pointer: '/querystring/roleArn', detail: /partition \(aws\)/ }])
})

t.test('POST apply=true fixes the trust policy once; a retry changes nothing', async t => {
  const { app, aws } = await build(t)
  aws.putRole('web', trust('system:serviceaccount:apps:api'))
  await app.inject({ method: 'PUT', url: '/clusters/demo/oidc-provider', payload: { ThumbprintList: ['a'.repeat(40)] } })
  const payload = { roleArn: ROLE_ARN, namespace: 'apps', serviceAccount: 'web' }

  const dry = await app.inject({ method: 'POST', url: `${BASE}/diagnosis?apply=true&dryRun=true`, payload })
  t.equal(dry.statusCode, 200)
  t.equal(dry.json().dryRun, true)
  t.equal(dry.json().changes[0].operation, 'UpdateAssumeRolePolicy')
  t.notOk(aws.operations().includes('UpdateAssumeRolePolicy'), 'the dry run writes nothing')

  const headers = { 'idempotency-key': 'trust-policy-fix-0001' }
  const fixed = await app.inject({ method: 'POST', url: `${BASE}/diagnosis?apply=true`, payload, headers })
  t.equal(fixed.statusCode, 200)
  t.equal(fixed.json().allowed, true)
  t.same(fixed.json().changes, dry.json().changes, 'the call made is the one planned')
  const written = JSON.parse(aws.roles.get('web')!.trustPolicy)
  t.equal(written.Statement.length, 2, 'no statement removed or added: the Irsa statement was mended')
  t.same(written.Statement[1].Condition.StringEquals[`${ISSUER_KEY}:sub`], ['system:serviceaccount:apps:api', 'system:serviceaccount:apps:web'])

  const replay = await app.inject({ method: 'POST', url: `${BASE}/diagnosis?apply=true`, payload, headers })
  t.equal(replay.headers['idempotent-replayed'], 'true')
  const again = await app.inject({ method: 'POST', url: `${BASE}/diagnosis?apply=true`, payload })
  t.equal(again.statusCode, 200)
  t.same(again.json().changes, [], 'already allowed: no call')
  t.equal(aws.operations().filter(op => op === 'UpdateAssumeRolePolicy').length, 1, 'one write in all')
})

t.test('POST refuses a fix over the size limit with 409, and apply must be true', async t => {
  const { app, aws } = await build(t)
  aws.putRole('web', { Version: '2012-10-17', Statement: [{ Sid: 'x'.repeat(1900), Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] })
  const payload = { roleArn: ROLE_ARN, namespace: 'apps', serviceAccount: 'web' }
  const body = assertProblem(t, await app.inject({ method: 'POST', url: `${BASE}/diagnosis?apply=true`, payload }), 409, 'TrustPolicyTooLarge')
  t.match(body.detail, /would have \d+ characters .* over IAM's quota of 2048/)
  t.notOk(aws.operations().includes('UpdateAssumeRolePolicy'))

  const notApplied = assertProblem(t, await app.inject({ method: 'POST', url: `${BASE}/diagnosis?apply=false`, payload }), 400, 'ValidationException')
  t.same(notApplied.errors, [{ pointer: '/querystring/apply', detail: 'must be true' }])
})

t.test('TRUST_POLICY_SIZE_LIMIT raises the limit', async t => {
  const { app, aws } = await build(t, { env: { TRUST_POLICY_SIZE_LIMIT: '4096' } })
  aws.putRole('web', { Version: '2012-10-17', Statement: [{ Sid: 'x'.repeat(1900), Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] })
  const res = await app.inject({ method: 'POST', url: `${BASE}/diagnosis?apply=true`, payload: { roleArn: ROLE_ARN, namespace: 'apps', serviceAccount: 'web' } })
  t.equal(res.statusCode, 200)
  t.equal(res.json().sizeLimit, 4096)
  t.equal(JSON.parse(aws.roles.get('web')!.trustPolicy).Statement.length, 2, 'the IRSA statement was added')
})
