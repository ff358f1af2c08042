/** The pure parts of the Pod Identity pre-flight and migration plan: platform versions, trust for Pod Identity, IRSA subjects. */
import t from 'tap'
import { irsaSubjects, readPolicyDocument } from '../../src/pod-identity/irsa-roles.ts'
import { platformSupport } from '../../src/pod-identity/platform.ts'
import { missingPodIdentityActions } from '../../src/pod-identity/trust.ts'

const doc = (...Statement: object[]) => readPolicyDocument(JSON.stringify({ Version: '2012-10-17', Statement }))
const PODS = { Service: 'pods.eks.amazonaws.com' }

t.test('platform: Kubernetes 1.24 or later, with the documented platform versions for 1.24 to 1.28, not on Outposts', async t => {
  const supported = (version: string, platformVersion?: string, outpostConfig?: object) => platformSupport({ version, platformVersion, outpostConfig }).supported
  t.equal(supported('1.23', 'eks.20'), false, 'before 1.24')
  t.equal(supported('1.24', 'eks.12'), false)
  t.equal(supported('1.24', 'eks.13'), true)
  t.equal(supported('1.27', 'eks.7'), false)
  t.equal(supported('1.27', 'eks.8'), true)
  t.equal(supported('1.28', 'eks.3'), false)
  t.equal(supported('1.28', 'eks.4'), true)
  t.equal(supported('1.28', 'eks.10'), true, 'platform versions compare as numbers, not text')
  t.equal(supported('1.29', 'eks.1'), true, 'later versions: every platform version')
  t.equal(supported('1.32', 'eks.10', { outpostArns: ['arn:aws:outposts:us-east-1:111122223333:outpost/op-1'] }), false, 'a local cluster on Outposts')
  t.equal(supported('unknown'), false)
  t.match(platformSupport({ version: '1.26', platformVersion: 'eks.8' }).reason, /eks\.9 or later/)
})

t.test('trust for Pod Identity: both actions allowed to the service principal, none denied', async t => {
  t.same(missingPodIdentityActions(doc({ Effect: 'Allow', Principal: PODS, Action: ['sts:AssumeRole', 'sts:TagSession'] })), [])
  t.same(missingPodIdentityActions(doc({ Effect: 'Allow', Principal: PODS, Action: 'sts:AssumeRole' })), ['sts:TagSession'])
  t.same(missingPodIdentityActions(doc({ Effect: 'Allow', Principal: PODS, Action: 'sts:*' })), [], 'a wildcard action covers both')
  t.same(missingPodIdentityActions(doc({ Effect: 'Allow', Principal: PODS, Action: 'STS:assumerole' }, { Effect: 'Allow', Principal: PODS, Action: 'sts:TagSession' })), [],
    'action names are case-insensitive and may be split over statements')
  t.same(missingPodIdentityActions(doc({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'] })),
    ['sts:AssumeRole', 'sts:TagSession'], 'another service principal')
  t.same(missingPodIdentityActions(doc(
    { Effect: 'Allow', Principal: PODS, Action: ['sts:AssumeRole', 'sts:TagSession'] },
    { Effect: 'Deny', Principal: PODS, Action: 'sts:TagSession' }
  )), ['sts:TagSession'], 'an unconditional Deny wins')
  t.same(missingPodIdentityActions(doc(
    { Effect: 'Allow', Principal: PODS, Action: ['sts:AssumeRole', 'sts:TagSession'], Condition: { StringEquals: { 'aws:SourceAccount': '111122223333' } } }
  )), [], 'a conditioned Allow counts')
  t.same(missingPodIdentityActions(readPolicyDocument('not a policy')), ['sts:AssumeRole', 'sts:TagSession'], 'an unreadable policy allows nothing')
})

t.test('IRSA subjects: exact service accounts of this provider; wildcards apart; other providers and actions ignored', async t => {
  const provider = 'arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC'
  const key = 'oidc.eks.us-east-1.amazonaws.com/id/ABC'
  const web = (condition: object, principal = provider, action = 'sts:AssumeRoleWithWebIdentity') =>
    ({ Effect: 'Allow', Principal: { Federated: principal }, Action: action, Condition: condition })
  const document = readPolicyDocument(encodeURIComponent(JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      web({ StringEquals: { [`${key}:sub`]: ['system:serviceaccount:shop:cart', 'system:serviceaccount:shop:orders'], [`${key}:aud`]: 'sts.amazonaws.com' } }),
      web({ StringLike: { [`${key}:sub`]: 'system:serviceaccount:batch:*' } }),
      web({ StringLike: { [`${key}:sub`]: 'system:serviceaccount:jobs:nightly' } }),
      web({ StringEquals: { 'other.example.com:sub': 'system:serviceaccount:x:y' } }, 'arn:aws:iam::111122223333:oidc-provider/other.example.com'),
      web({ StringEquals: { [`${key}:sub`]: 'system:serviceaccount:shop:admin' } }, provider, 'sts:AssumeRole'),
      { Effect: 'Deny', Principal: { Federated: provider }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { [`${key}:sub`]: 'system:serviceaccount:shop:evil' } } }
    ]
  })))
  const subjects = irsaSubjects(document, provider)
  t.same(subjects.serviceAccounts, [{ namespace: 'shop', serviceAccount: 'cart' }, { namespace: 'shop', serviceAccount: 'orders' }, { namespace: 'jobs', serviceAccount: 'nightly' }],
    'URL-encoded as IAM answers it; StringLike without a wildcard names one service account')
  t.same(subjects.wildcards, ['system:serviceaccount:batch:*'])
  t.same(irsaSubjects(undefined, provider), { serviceAccounts: [], wildcards: [] })
})
