import t from 'tap'
import { ServiceError } from '../../src/errors.ts'
import { TrustPolicyService } from '../../src/services/trust-policy.ts'
import { tokenOnlyGuard, type WriteGuard } from '../../src/services/write-guard.ts'
import { createFakeAws } from '../support/fake-aws.ts'

const ISSUER_URL = 'https://oidc.eks.us-east-1.amazonaws.com/id/ABCD'
const ISSUER_KEY = 'oidc.eks.us-east-1.amazonaws.com/id/ABCD'
const HOME = '111122223333'
const OTHER = '444455556666'
const providerArn = (account: string) => `arn:aws:iam::${account}:oidc-provider/${ISSUER_KEY}`
const request = (account = HOME) => ({ roleArn: `arn:aws:iam::${account}:role/web`, namespace: 'apps', serviceAccount: 'web' })

const trust = (account: string, extra: object[] = []) => ({
  Version: '2012-10-17',
  Statement: [{
    Effect: 'Allow',
    Principal: { Federated: providerArn(account) },
    Action: 'sts:AssumeRoleWithWebIdentity',
    Condition: { StringEquals: { [`${ISSUER_KEY}:sub`]: 'system:serviceaccount:apps:api', [`${ISSUER_KEY}:aud`]: 'sts.amazonaws.com' } }
  }, ...extra]
})

function setup (options: { drift?: object, otherAccount?: boolean } = {}) {
  const home = createFakeAws()
  const other = createFakeAws()
  const service = new TrustPolicyService({
    iam: home.iam,
    iamForAccount: options.otherAccount ? (account) => account === OTHER ? other.iam : undefined : undefined,
    oidcProvider: {
      clusterWithIssuer: async (name: string) => ({ name, arn: `arn:aws:eks:us-east-1:${HOME}:cluster/${name}`, issuerUrl: ISSUER_URL, status: 'ACTIVE' }),
      driftOf: async () => options.drift ?? { registered: ['a'.repeat(40)], served: ['a'.repeat(40)], missing: [], subject: 'CN=x', notAfter: '2030-01-01', matches: true }
    },
    sizeLimit: 2048
  })
  return { home, other, service }
}

/** A provider as IAM would hold it, in a fake account. */
function addProvider (aws: ReturnType<typeof createFakeAws>, account: string) {
  aws.providers.set(providerArn(account), { Url: ISSUER_KEY, ClientIDList: ['sts.amazonaws.com'], ThumbprintList: ['a'.repeat(40)], Tags: [], CreateDate: new Date() })
}

const statusOf = (checks: Array<{ id: string, status: string }>, id: string) => checks.find(c => c.id === id)?.status

t.test('the role\'s account selects the IAM port: the provider and role are read there', async t => {
  const { home, other, service } = setup({ otherAccount: true })
  other.putRole('web', trust(OTHER))
  addProvider(other, OTHER)
  const d = await service.diagnose('demo', request(OTHER))
  t.equal(d.OpenIDConnectProviderArn, providerArn(OTHER))
  t.equal(statusOf(d.checks, 'provider-exists'), 'pass')
  t.equal(statusOf(d.checks, 'sub-condition'), 'fail')
  t.same(other.operations(), ['GetRole', 'GetOpenIDConnectProvider'])
  t.same(home.operations(), [], 'nothing read in the cluster\'s account')

  const rendered = await service.render('demo', { namespace: 'apps', serviceAccount: 'web', accountId: OTHER })
  t.equal(rendered.exists, true, 'the provider is looked up in that account')
})

t.test('without a port for the role\'s account: AccountNotReachable naming the field', async t => {
  const { service } = setup()
  const error = await service.diagnose('demo', request(OTHER)).catch(e => e)
  t.ok(error instanceof ServiceError)
  t.equal(error.code, 'AccountNotReachable')
  t.equal(error.status, 400)
  t.same(error.errors, [{ pointer: '/querystring/roleArn', detail: `names account ${OTHER}, which the service has no access to` }])
})

t.test('a provider whose thumbprints drifted fails the thumbprint check', async t => {
  const { home, service } = setup({ drift: { registered: ['a'.repeat(40)], served: ['b'.repeat(40)], missing: ['b'.repeat(40)], subject: 'CN=x', notAfter: '2030-01-01', matches: false } })
  home.putRole('web', trust(HOME))
  addProvider(home, HOME)
  const d = await service.diagnose('demo', request())
  t.equal(statusOf(d.checks, 'thumbprint'), 'fail')
  t.match(d.checks.find(c => c.id === 'thumbprint')?.reason, 'b'.repeat(40))
})

t.test('an unreadable issuer makes the thumbprint check a warning', async t => {
  const { home, service } = setup({ drift: { error: 'the issuer did not answer in time' } })
  home.putRole('web', trust(HOME))
  addProvider(home, HOME)
  const d = await service.diagnose('demo', request())
  t.equal(statusOf(d.checks, 'thumbprint'), 'warn')
})

t.test('a trust policy IAM answered but that cannot be read is a 502', async t => {
  const { home, service } = setup()
  home.putRole('web', '{"Statement": [1]}')
  const error = await service.diagnose('demo', request()).catch(e => e)
  t.equal(error.code, 'UpstreamInvalidResponse')
  t.match(error.message, 'Statement[0] is not an object')
})

t.test('repair: only a Deny blocks, so nothing is written and the guard is never asked', async t => {
  const { home, service } = setup()
  home.putRole('web', trust(HOME, [{ Effect: 'Deny', Principal: '*', Action: 'sts:AssumeRoleWithWebIdentity' }]))
  let asked = 0
  const guard: WriteGuard = { ...tokenOnlyGuard('eks-oidc-api-' + 'x'.repeat(36)), beforeWrite: async () => { asked++ } }
  const result = await service.repair('demo', request(), { dryRun: false }, guard)
  t.same(result.changes, [])
  t.equal(asked, 0)
  t.notOk(home.operations().includes('UpdateAssumeRolePolicy'))
  t.equal(statusOf(result.diagnosis.checks, 'no-deny'), 'fail')
})

t.test('repair: the guard is asked right before the write, and a resumed request after the write writes nothing', async t => {
  const { home, service } = setup()
  home.putRole('web', trust(HOME))
  addProvider(home, HOME)
  const order: string[] = []
  const guard: WriteGuard = { ...tokenOnlyGuard('eks-oidc-api-' + 'x'.repeat(36)), beforeWrite: async () => { order.push(`beforeWrite after ${home.operations().join(',')}`) } }
  const first = await service.repair('demo', request(), { dryRun: false }, guard)
  t.equal(first.diagnosis.allowed, true)
  t.same(order, ['beforeWrite after GetRole,GetOpenIDConnectProvider'])
  t.equal(home.operations().at(-1), 'UpdateAssumeRolePolicy')

  const resumed = await service.repair('demo', request(), { dryRun: false }, { ...guard, resuming: true })
  t.same(resumed.changes, [])
  t.equal(home.operations().filter(op => op === 'UpdateAssumeRolePolicy').length, 1)
})
