import t from 'tap'
import { diagnose, type CheckId, type DiagnosisInput } from '../../src/trust/diagnosis.ts'
import { irsaPolicy, irsaStatement, policyAllows, type IrsaTarget } from '../../src/trust/irsa.ts'
import { parsePolicyDocument, policySize, policyText, renderPolicy } from '../../src/trust/policy-document.ts'

const ISSUER = 'oidc.eks.us-east-1.amazonaws.com/id/AAAA'
const OTHER_ISSUER = 'oidc.eks.us-east-1.amazonaws.com/id/BBBB'
const ARN = `arn:aws:iam::111122223333:oidc-provider/${ISSUER}`
const target: IrsaTarget = { providerArn: ARN, issuerKey: ISSUER, namespace: 'apps', serviceAccount: 'web' }

const statement = (overrides: Record<string, unknown> = {}) => ({
  Effect: 'Allow',
  Principal: { Federated: ARN },
  Action: 'sts:AssumeRoleWithWebIdentity',
  Condition: { StringEquals: { [`${ISSUER}:sub`]: 'system:serviceaccount:apps:web', [`${ISSUER}:aud`]: 'sts.amazonaws.com' } },
  ...overrides
})

function run (statements: object[], overrides: Partial<DiagnosisInput> = {}) {
  return diagnose({
    document: parsePolicyDocument(JSON.stringify({ Version: '2012-10-17', Statement: statements })),
    target,
    provider: { exists: true, thumbprints: { matches: true, missing: [] } },
    sizeLimit: 2048,
    createProviderHint: 'PUT /clusters/demo/oidc-provider creates it.',
    ...overrides
  })
}

const statusOf = (diagnosis: ReturnType<typeof run>) => Object.fromEntries(diagnosis.checks.map(c => [c.id, c.status]))
const reasonOf = (diagnosis: ReturnType<typeof run>, id: CheckId) => diagnosis.checks.find(c => c.id === id)?.reason ?? ''
const failing = (diagnosis: ReturnType<typeof run>) => diagnosis.checks.filter(c => c.status === 'fail').map(c => c.id)

t.test('the rendered policy passes every check', async t => {
  const d = diagnose({ document: irsaPolicy(target), target, provider: { exists: true, thumbprints: { matches: true, missing: [] } }, sizeLimit: 2048, createProviderHint: '' })
  t.equal(d.allowed, true)
  t.same(d.checks.map(c => c.status), new Array(10).fill('pass'))
  t.equal(d.fix, undefined)
  t.same(renderPolicy(irsaPolicy(target)).Statement, [{
    Effect: 'Allow',
    Principal: { Federated: ARN },
    Action: 'sts:AssumeRoleWithWebIdentity',
    Condition: { StringEquals: { [`${ISSUER}:sub`]: 'system:serviceaccount:apps:web', [`${ISSUER}:aud`]: 'sts.amazonaws.com' } }
  }])
})

t.test('a wildcard service account renders StringLike for sub, StringEquals for aud', async t => {
  const rendered = renderPolicy(irsaPolicy({ ...target, serviceAccount: 'web-*' })).Statement as Array<Record<string, unknown>>
  t.same(rendered[0].Condition, { StringEquals: { [`${ISSUER}:aud`]: 'sts.amazonaws.com' }, StringLike: { [`${ISSUER}:sub`]: 'system:serviceaccount:apps:web-*' } })
  t.ok(policyAllows(irsaPolicy({ ...target, serviceAccount: 'w?b*' }), target), 'the pattern admits web')
  t.notOk(policyAllows(irsaPolicy({ ...target, serviceAccount: 'web-*' }), target), 'web-* does not admit web')
})

t.test('a missing provider fails alone, and needs no policy fix', async t => {
  const d = run([statement()], { provider: { exists: false } })
  t.same(failing(d), ['provider-exists'])
  t.match(reasonOf(d, 'provider-exists'), /account 111122223333 has no IAM OIDC provider.*PUT \/clusters\/demo\/oidc-provider/)
  t.equal(statusOf(d).thumbprint, 'skipped')
  t.equal(d.allowed, false)
  t.equal(d.fix, undefined)
})

t.test('another cluster\'s issuer: names it, and the fix adds a statement without removing the old one', async t => {
  const other = `arn:aws:iam::111122223333:oidc-provider/${OTHER_ISSUER}`
  const old = statement({ Principal: { Federated: other }, Condition: { StringEquals: { [`${OTHER_ISSUER}:sub`]: 'system:serviceaccount:apps:web' } } })
  const d = run([old])
  t.same(failing(d), ['federated-principal'])
  t.match(reasonOf(d, 'federated-principal'), `issuer "${OTHER_ISSUER}", not this cluster's issuer "${ISSUER}"`)
  t.equal(statusOf(d)['sub-condition'], 'skipped')
  t.same(d.fix?.diff.changed, [])
  t.same(d.fix?.diff.added, [renderPolicy(irsaPolicy(target)).Statement].flat())
  t.same((d.fix?.policy.Statement as unknown[])[0], old, 'the old statement stays as written')
  t.ok(policyAllows(parsePolicyDocument(d.fix!.text), target))
})

t.test('the same issuer through another account\'s provider says so', async t => {
  const d = run([statement({ Principal: { Federated: `arn:aws:iam::444455556666:oidc-provider/${ISSUER}` } })])
  t.same(failing(d), ['federated-principal'])
  t.match(reasonOf(d, 'federated-principal'), /provider in account 444455556666.*must trust the provider in its own account/)
})

t.test('no Federated principal at all', async t => {
  const d = run([{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }])
  t.same(failing(d), ['federated-principal'])
  t.match(reasonOf(d, 'federated-principal'), `No Allow statement names the Federated principal ${ARN}`)
})

t.test('the wrong action fails alone; the fix adds the action to that statement', async t => {
  const d = run([statement({ Action: 'sts:AssumeRole' })])
  t.same(failing(d), ['action'])
  t.match(reasonOf(d, 'action'), '"sts:AssumeRole", not sts:AssumeRoleWithWebIdentity')
  t.same(d.fix?.diff.changed[0].after.Action, ['sts:AssumeRole', 'sts:AssumeRoleWithWebIdentity'])
  t.same(d.fix?.diff.added, [])
})

t.test('a wrong sub fails alone; the fix adds the subject to the statement\'s values', async t => {
  const d = run([statement({ Condition: { StringEquals: { [`${ISSUER}:sub`]: 'system:serviceaccount:apps:api', [`${ISSUER}:aud`]: 'sts.amazonaws.com' } } })])
  t.same(failing(d), ['sub-condition'])
  t.match(reasonOf(d, 'sub-condition'), '"system:serviceaccount:apps:api", which the token\'s "system:serviceaccount:apps:web" does not satisfy')
  t.same(d.fix?.diff.changed, [{
    index: 0,
    before: statement({ Condition: { StringEquals: { [`${ISSUER}:sub`]: 'system:serviceaccount:apps:api', [`${ISSUER}:aud`]: 'sts.amazonaws.com' } } }),
    after: statement({ Condition: { StringEquals: { [`${ISSUER}:sub`]: ['system:serviceaccount:apps:api', 'system:serviceaccount:apps:web'], [`${ISSUER}:aud`]: 'sts.amazonaws.com' } } })
  }])
})

t.test('a wrong aud fails alone', async t => {
  const d = run([statement({ Condition: { StringEquals: { [`${ISSUER}:sub`]: 'system:serviceaccount:apps:web', [`${ISSUER}:aud`]: 'sts.amazonaws.com.cn' } } })])
  t.same(failing(d), ['aud-condition'])
  t.ok(d.fix && policyAllows(parsePolicyDocument(d.fix.text), target))
})

t.test('a pattern under StringEquals never matches: the operator check says so; the fix moves it to StringLike', async t => {
  const d = run([statement({ Condition: { StringEquals: { [`${ISSUER}:sub`]: 'system:serviceaccount:apps:*', [`${ISSUER}:aud`]: 'sts.amazonaws.com' } } })])
  t.same(failing(d), ['operator-fits-value', 'sub-condition'])
  t.match(reasonOf(d, 'operator-fits-value'), 'StringEquals compares "system:serviceaccount:apps:*" literally')
  t.same(d.fix?.diff.changed[0].after.Condition, {
    StringEquals: { [`${ISSUER}:aud`]: 'sts.amazonaws.com' },
    StringLike: { [`${ISSUER}:sub`]: 'system:serviceaccount:apps:*' }
  })
})

t.test('a pattern that matches under StringLike passes "by pattern"', async t => {
  const d = run([statement({ Condition: { StringLike: { [`${ISSUER}:sub`]: 'system:serviceaccount:apps:*' }, StringEquals: { [`${ISSUER}:aud`]: 'sts.amazonaws.com' } } })])
  t.equal(d.allowed, true)
  t.match(reasonOf(d, 'sub-condition'), 'by pattern')
})

t.test('no sub condition is allowed but warned about', async t => {
  const d = run([statement({ Condition: { StringEquals: { [`${ISSUER}:aud`]: 'sts.amazonaws.com' } } })])
  t.equal(d.allowed, true)
  t.equal(statusOf(d)['sub-condition'], 'warn')
  t.match(reasonOf(d, 'sub-condition'), 'every service account of the cluster')
})

t.test('an unknown operator is reported, not crashed on', async t => {
  const d = run([statement({ Condition: { StringEquals: { [`${ISSUER}:sub`]: 'system:serviceaccount:apps:web', [`${ISSUER}:aud`]: 'sts.amazonaws.com' }, DateGreaterThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } } })])
  t.equal(statusOf(d)['operator-fits-value'], 'warn')
  t.match(reasonOf(d, 'operator-fits-value'), 'DateGreaterThan not evaluated')
  t.equal(statusOf(d)['other-conditions'], 'warn')
  t.equal(d.allowed, false, 'an unevaluated condition is not assumed to hold')
  t.equal(d.fix, undefined, 'nor assumed to fail: no fix is offered')
})

t.test('a failing condition on another key fails other-conditions', async t => {
  const d = run([statement({ Condition: { StringEquals: { [`${ISSUER}:sub`]: 'system:serviceaccount:apps:web', [`${ISSUER}:aud`]: 'sts.amazonaws.com', [`${ISSUER}:amr`]: 'x' } } })])
  t.same(failing(d), ['other-conditions'])
  t.ok(d.fix?.diff.added.length === 1, 'the statement cannot be mended, so a new one is added')
})

t.test('a Deny that applies fails alone and gets no automatic fix', async t => {
  const d = run([statement(), { Effect: 'Deny', Principal: '*', Action: 'sts:*', Condition: { StringLike: { [`${ISSUER}:sub`]: 'system:serviceaccount:apps:*' } } }])
  t.same(failing(d), ['no-deny'])
  t.match(reasonOf(d, 'no-deny'), 'Statement[1] denies sts:AssumeRoleWithWebIdentity')
  t.equal(d.allowed, false)
  t.equal(d.fix, undefined)
})

t.test('a Deny whose operator is not evaluated is a warning, and no fix is offered', async t => {
  const d = run([statement(), { Effect: 'Deny', Principal: '*', Action: 'sts:*', Condition: { DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' } } }])
  t.equal(statusOf(d)['no-deny'], 'warn')
  t.match(reasonOf(d, 'no-deny'), 'Statement[1] may deny')
  t.equal(d.fix, undefined)
})

t.test('a Deny for other service accounts does not override', async t => {
  const d = run([statement(), { Effect: 'Deny', Principal: '*', Action: 'sts:*', Condition: { StringEquals: { [`${ISSUER}:sub`]: 'system:serviceaccount:apps:admin' } } }])
  t.equal(d.allowed, true)
})

t.test('thumbprint drift and an unreadable issuer', async t => {
  t.same(failing(run([statement()], { provider: { exists: true, thumbprints: { matches: false, missing: ['ab'.repeat(20)] } } })), ['thumbprint'])
  t.equal(statusOf(run([statement()], { provider: { exists: true, thumbprints: { error: 'timeout' } } })).thumbprint, 'warn')
})

t.test('size: over the limit now, or only after the fix', async t => {
  const big = statement({ Sid: 'x'.repeat(2100) })
  t.same(failing(run([big])), ['size'])
  const text = policyText(parsePolicyDocument(JSON.stringify({ Version: '2012-10-17', Statement: [statement({ Action: 'sts:AssumeRole' })] })))
  const tight = run([statement({ Action: 'sts:AssumeRole' })], { sizeLimit: policySize(text) + 5 })
  t.same(failing(tight), ['action', 'size'])
  t.match(reasonOf(tight, 'size'), /but the fix would make it \d+, over the limit/)
  t.match(reasonOf(run([statement()]), 'size'), /^The trust policy has \d+ of 2048 characters\.$/)
})

t.test('the rendered statement is what an empty trust policy needs', async t => {
  const d = run([])
  t.same(d.fix?.diff.added, [renderPolicy({ Statement: [irsaStatement(target)] }).Statement].flat())
})
