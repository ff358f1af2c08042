import t from 'tap'
import { evaluateKey, parseOperator, wildcardPattern } from '../../src/trust/conditions.ts'
import { parsePolicyDocument, PolicyDocumentError, policySize, policyText, renderPolicy } from '../../src/trust/policy-document.ts'

const POLICY = {
  Version: '2012-10-17',
  Statement: [{
    Sid: 'Irsa',
    Effect: 'Allow',
    Principal: { Federated: 'arn:aws:iam::111122223333:oidc-provider/oidc.example/id/A' },
    Action: 'sts:AssumeRoleWithWebIdentity',
    Condition: { StringEquals: { 'oidc.example/id/A:sub': 'system:serviceaccount:ns:sa', 'oidc.example/id/A:aud': ['sts.amazonaws.com'] }, Bool: { 'aws:SecureTransport': true } }
  }]
}

t.test('parses plain and URL-encoded documents alike, lists normalised', async t => {
  const plain = parsePolicyDocument(JSON.stringify(POLICY, null, 2))
  const encoded = parsePolicyDocument(encodeURIComponent(JSON.stringify(POLICY)))
  t.same(encoded.Statement.map(({ source: _, ...s }) => s), plain.Statement.map(({ source: _, ...s }) => s))
  t.same(plain.Statement[0].Principal, { Federated: ['arn:aws:iam::111122223333:oidc-provider/oidc.example/id/A'] })
  t.same(plain.Statement[0].Action, ['sts:AssumeRoleWithWebIdentity'])
  t.same(plain.Statement[0].Condition, {
    StringEquals: { 'oidc.example/id/A:sub': ['system:serviceaccount:ns:sa'], 'oidc.example/id/A:aud': ['sts.amazonaws.com'] },
    Bool: { 'aws:SecureTransport': ['true'] }
  }, 'a boolean condition value reads as text')
  t.equal(plain.Statement[0].Sid, 'Irsa')
})

t.test('a single Statement object and a "*" principal are read', async t => {
  const doc = parsePolicyDocument(JSON.stringify({ Statement: { Effect: 'Deny', Principal: '*', Action: ['sts:*'] } }))
  t.equal(doc.Statement.length, 1)
  t.equal(doc.Statement[0].Principal, '*')
  t.equal(doc.Version, undefined)
})

t.test('unreadable documents name what is wrong', async t => {
  const cases: Array<[string, RegExp]> = [
    ['not json', /not JSON/],
    ['%E0%A4%A', /neither JSON nor URL-encoded/],
    ['[]', /not a JSON object/],
    ['{"Version":"2012-10-17"}', /no Statement/],
    ['{"Statement":[{"Effect":"Maybe"}]}', /Statement\[0\]\.Effect must be Allow or Deny/],
    ['{"Statement":[{"Effect":"Allow","Action":[1]}]}', /Statement\[0\]\.Action must be a string/],
    ['{"Statement":[{"Effect":"Allow","Principal":"someone"}]}', /Statement\[0\]\.Principal must be/],
    ['{"Statement":[{"Effect":"Allow","Condition":{"StringEquals":"x"}}]}', /Condition\.StringEquals must be an object/],
    ['{"Statement":[{"Effect":"Allow","Condition":{"StringEquals":{"k":{}}}}]}', /StringEquals\.k must be a value/]
  ]
  for (const [text, message] of cases) t.throws(() => parsePolicyDocument(text), { name: 'PolicyDocumentError', message }, text)
  t.ok(new PolicyDocumentError('x') instanceof Error)
})

t.test('size counts every character but white space', async t => {
  t.equal(policySize('{ "a" :\n\t"b c" }'), '{"a":"bc"}'.length)
  const pretty = JSON.stringify(POLICY, null, 4)
  t.equal(policySize(pretty), policySize(JSON.stringify(POLICY)))
})

t.test('rendering: a statement nobody changed is sent back as written; round trip is stable', async t => {
  const doc = parsePolicyDocument(JSON.stringify(POLICY))
  t.same(renderPolicy(doc), POLICY, 'unchanged statements keep their own spelling (single values, the boolean)')
  t.same(parsePolicyDocument(policyText(doc)).Statement[0].Condition, doc.Statement[0].Condition)
  const changed = { ...doc.Statement[0], Action: ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession'] }
  const rendered = renderPolicy({ ...doc, Statement: [changed] }, new Set([changed])) as { Statement: Array<Record<string, unknown>> }
  t.same(Object.keys(rendered.Statement[0]), ['Sid', 'Effect', 'Principal', 'Action', 'Condition'], 'grammar order')
  t.same(rendered.Statement[0].Action, ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession'])
  t.same(rendered.Statement[0].Principal, { Federated: 'arn:aws:iam::111122223333:oidc-provider/oidc.example/id/A' }, 'one value stays one value')
  t.equal(renderPolicy({ Statement: [] }).Version, '2012-10-17', 'a document without Version gets the current one')
})

t.test('operators parse into set qualifier, base and IfExists', async t => {
  t.same(parseOperator('StringEquals'), { base: 'StringEquals', ifExists: false })
  t.same(parseOperator('ForAnyValue:StringLikeIfExists'), { qualifier: 'ForAnyValue', base: 'StringLike', ifExists: true })
  t.same(parseOperator('ForAllValues:StringNotEquals'), { qualifier: 'ForAllValues', base: 'StringNotEquals', ifExists: false })
})

t.test('wildcards: * is any run, ? one character, the rest literal', async t => {
  t.ok(wildcardPattern('system:serviceaccount:ns:*').test('system:serviceaccount:ns:'))
  t.ok(wildcardPattern('a?c').test('abc'))
  t.notOk(wildcardPattern('a?c').test('ac'))
  t.notOk(wildcardPattern('a.c').test('abc'), 'a dot is literal')
  t.ok(wildcardPattern('(x)+[y]').test('(x)+[y]'), 'regex characters are literal')
})

const ctx = (values: Record<string, string[]>) => new Map(Object.entries(values))
const SUB = { 'issuer/id/A:sub': ['system:serviceaccount:ns:sa'] }

t.test('each string operator, as IAM evaluates it', async t => {
  const cases: Array<[string, string[], Record<string, string[]>, string]> = [
    ['StringEquals', ['system:serviceaccount:ns:sa'], SUB, 'match'],
    ['StringEquals', ['system:serviceaccount:NS:sa'], SUB, 'no-match'],
    ['StringEquals', ['system:serviceaccount:ns:*'], SUB, 'no-match'],
    ['StringEquals', ['other', 'system:serviceaccount:ns:sa'], SUB, 'match'],
    ['StringEqualsIgnoreCase', ['SYSTEM:serviceaccount:NS:SA'], SUB, 'match'],
    ['StringNotEquals', ['system:serviceaccount:ns:sa'], SUB, 'no-match'],
    ['StringNotEquals', ['system:serviceaccount:ns:other'], SUB, 'match'],
    ['StringNotEqualsIgnoreCase', ['SYSTEM:SERVICEACCOUNT:NS:SA'], SUB, 'no-match'],
    ['StringLike', ['system:serviceaccount:ns:*'], SUB, 'match'],
    ['StringLike', ['system:serviceaccount:ns:s?'], SUB, 'match'],
    ['StringLike', ['system:serviceaccount:other:*'], SUB, 'no-match'],
    ['StringNotLike', ['system:serviceaccount:ns:*'], SUB, 'no-match'],
    ['StringNotLike', ['system:serviceaccount:kube-system:*'], SUB, 'match'],
    ['ArnLike', ['arn:*'], SUB, 'unsupported']
  ]
  for (const [operator, values, context, verdict] of cases) {
    t.equal(evaluateKey(operator, 'issuer/id/A:sub', values, ctx(context)), verdict, `${operator} ${values.join(',')}`)
  }
  t.equal(evaluateKey('StringEquals', 'ISSUER/ID/A:SUB', ['system:serviceaccount:ns:sa'], ctx(SUB)), 'match', 'keys compare in any letter case')
})

t.test('an absent key: false, except IfExists, negated operators and ForAllValues', async t => {
  const absent = ctx({})
  t.equal(evaluateKey('StringEquals', 'k', ['v'], absent), 'no-match')
  t.equal(evaluateKey('StringEqualsIfExists', 'k', ['v'], absent), 'match')
  t.equal(evaluateKey('StringNotEquals', 'k', ['v'], absent), 'match')
  t.equal(evaluateKey('ForAllValues:StringEquals', 'k', ['v'], absent), 'match')
  t.equal(evaluateKey('ForAnyValue:StringEquals', 'k', ['v'], absent), 'no-match')
  t.equal(evaluateKey('ForAnyValue:StringNotEquals', 'k', ['v'], absent), 'no-match')
  t.equal(evaluateKey('StringEqualsIfExists', 'k', ['v'], ctx({ k: ['w'] })), 'no-match', 'IfExists still compares a present key')
})

t.test('set qualifiers over a multi-valued key (aud)', async t => {
  const aud = ctx({ aud: ['sts.amazonaws.com', 'other'] })
  t.equal(evaluateKey('ForAnyValue:StringEquals', 'aud', ['sts.amazonaws.com'], aud), 'match')
  t.equal(evaluateKey('ForAllValues:StringEquals', 'aud', ['sts.amazonaws.com'], aud), 'no-match')
  t.equal(evaluateKey('ForAllValues:StringEquals', 'aud', ['sts.amazonaws.com', 'other'], aud), 'match')
  t.equal(evaluateKey('ForAllValues:StringLike', 'aud', ['*'], aud), 'match')
  t.equal(evaluateKey('ForAnyValue:StringNotEquals', 'aud', ['sts.amazonaws.com'], aud), 'match', 'one value is not sts.amazonaws.com')
})
