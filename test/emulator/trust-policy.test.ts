import t from 'tap'
import { parseTrustPolicy, policySize, trustAllows, type TrustRequest } from '../../emulator/trust-policy.ts'

const request = (overrides: Partial<TrustRequest> = {}): TrustRequest => ({
  action: 'sts:AssumeRole',
  principalAccount: '111122223333',
  principalArns: ['arn:aws:iam::111122223333:user/emulator'],
  context: {},
  ...overrides
})
const policy = (...statements: Array<Record<string, unknown>>) =>
  JSON.stringify({ Version: '2012-10-17', Statement: statements.map(statement => ({ Effect: 'Allow', Principal: { AWS: '111122223333' }, Action: 'sts:AssumeRole', ...statement })) })

t.test('principals: the account (id or root) covers every principal of it; ARNs match exactly', async t => {
  t.ok(trustAllows(policy({}), request()))
  t.ok(trustAllows(policy({ Principal: { AWS: 'arn:aws:iam::111122223333:root' } }), request()))
  t.ok(trustAllows(policy({ Principal: '*' }), request()))
  t.notOk(trustAllows(policy({ Principal: { AWS: 'arn:aws:iam::444455556666:root' } }), request()))
  const session = request({ principalAccount: '444455556666', principalArns: ['arn:aws:sts::444455556666:assumed-role/a/s', 'arn:aws:iam::444455556666:role/a'] })
  t.ok(trustAllows(policy({ Principal: { AWS: ['arn:aws:iam::444455556666:role/a'] } }), session), 'a session is trusted through its role')
  t.notOk(trustAllows(policy({ Principal: { AWS: 'arn:aws:iam::444455556666:role/b' } }), session))
  t.notOk(trustAllows(policy({ Principal: { Service: 'pods.eks.amazonaws.com' } }), request()), 'a service principal is not the caller')
})

t.test('actions: wildcards and NotAction', async t => {
  t.ok(trustAllows(policy({ Action: 'sts:*' }), request()))
  t.ok(trustAllows(policy({ Action: 'STS:assume*' }), request()), 'actions are case insensitive')
  t.notOk(trustAllows(policy({ Action: 'sts:AssumeRoleWithWebIdentity' }), request()))
  t.ok(trustAllows(policy({ Action: undefined, NotAction: 'sts:TagSession' }), request()))
  t.notOk(trustAllows(policy({ Action: undefined, NotAction: 'sts:AssumeRole' }), request()))
})

t.test('conditions: equality, patterns, negation and IfExists', async t => {
  const withId = (externalId?: string) => request({ context: { 'sts:externalid': externalId } })
  const equals = policy({ Condition: { StringEquals: { 'sts:ExternalId': ['a1', 'b2'] } } })
  t.ok(trustAllows(equals, withId('b2')), 'any listed value matches')
  t.notOk(trustAllows(equals, withId('c3')))
  t.notOk(trustAllows(equals, withId(undefined)), 'a missing key fails StringEquals')
  t.ok(trustAllows(policy({ Condition: { StringLike: { 'sts:externalid': 'team-?-*' } } }), withId('team-a-42')), 'condition keys are case insensitive')
  t.ok(trustAllows(policy({ Condition: { StringNotEquals: { 'sts:ExternalId': 'bad' } } }), withId(undefined)), 'a missing key satisfies a negated operator')
  t.notOk(trustAllows(policy({ Condition: { StringNotLike: { 'sts:ExternalId': 'b*' } } }), withId('bad')))
  t.ok(trustAllows(policy({ Condition: { StringEqualsIfExists: { 'sts:ExternalId': 'x1' } } }), withId(undefined)))
  t.notOk(trustAllows(policy({ Condition: { StringEqualsIfExists: { 'sts:ExternalId': 'x1' } } }), withId('x2')))
  t.ok(trustAllows(policy({ Condition: { StringEqualsIgnoreCase: { 'sts:ExternalId': 'ABC' } } }), withId('abc')))
  t.notOk(trustAllows(policy({ Condition: { NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } } }), request()), 'an operator the emulator does not evaluate denies')
})

t.test('a Deny that applies wins over any Allow', async t => {
  const document = policy({}, { Effect: 'Deny', Condition: { StringNotEquals: { 'sts:RoleSessionName': 'ok-session' } } })
  t.ok(trustAllows(document, request({ context: { 'sts:rolesessionname': 'ok-session' } })))
  t.notOk(trustAllows(document, request({ context: { 'sts:rolesessionname': 'other' } })))
})

t.test('documents: a single statement object is a list of one; sizes leave out white space', async t => {
  const single = JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Principal: { Federated: 'arn:aws:iam::111122223333:oidc-provider/x' }, Action: 'sts:AssumeRoleWithWebIdentity' } })
  t.same(parseTrustPolicy(single).map(statement => statement.principal), [{ Federated: ['arn:aws:iam::111122223333:oidc-provider/x'] }])
  t.equal(policySize('{ "a" :\n\t"b c" }'), 10)
  t.notOk(trustAllows('not json', request()), 'an unreadable document allows nothing')
})
