import t from 'tap'
import { ClusterService } from '../../src/services/clusters.ts'
import { CrossAccountOidcProviderService } from '../../src/services/cross-account-oidc-provider.ts'
import { OidcProviderService } from '../../src/services/oidc-provider.ts'
import { rejection } from '../egress/fixtures.ts'
import { awsError, createFakeAws, type FakeAws } from '../support/fake-aws.ts'

const A = '111122223333'
const B = '444455556666'
const ISSUER = 'https://oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789ABCDEF0123456789'
const noDrift = { forIssuer: async () => { throw new Error('not asked in these tests') } }
const options = { dryRun: false, computeThumbprints: false }

function setup () {
  const a = createFakeAws([{ name: 'demo', issuer: ISSUER }], { account: A })
  const b = createFakeAws([], { account: B })
  const clusters = new ClusterService({ eks: a.eks })
  const service = new CrossAccountOidcProviderService({
    clusters, thumbprints: noDrift, clusterIam: a.iam, iamOfAccount: (id) => id === B ? b.iam : undefined
  })
  return { a, b, clusters, service }
}

function fill (aws: FakeAws, count: number) {
  for (let i = 0; i < count; i++) aws.providers.set(`arn:aws:iam::${B}:oidc-provider/idp${i}.example.com`, { Url: `idp${i}.example.com`, ClientIDList: [], ThumbprintList: [], Tags: [], CreateDate: new Date() })
}

t.test('counts B\'s providers before the create: one place left is enough', async t => {
  const { b, service } = setup()
  fill(b, 99)
  const created = await service.put('demo', B, {}, options)
  t.equal(created.created, true)
  const ops = b.operations()
  t.ok(ops.indexOf('ListOpenIDConnectProviders') >= 0 && ops.indexOf('ListOpenIDConnectProviders') < ops.indexOf('CreateOpenIDConnectProvider'), 'counted, then created')
  t.equal(b.providers.size, 100)
})

t.test('at the quota the create is refused with the count, without writing', async t => {
  const { b, service } = setup()
  fill(b, 100)
  const refused = await rejection(service.put('demo', B, {}, options))
  t.equal(refused.catalogueCode, 'OidcProviderQuotaReached')
  t.equal(refused.status, 409)
  t.same(refused.extensions, { quota: 100, count: 100 })
  t.notOk(b.operations().includes('CreateOpenIDConnectProvider'))
  const planned = await rejection(service.put('demo', B, {}, { ...options, dryRun: true }))
  t.equal(planned.catalogueCode, 'OidcProviderQuotaReached', 'a dry run says the create would be refused')
})

t.test('IAM\'s LimitExceeded for the provider quota becomes the quota problem; another quota stays what IAM said', async t => {
  const { b, service } = setup()
  b.iam.createOpenIDConnectProvider = async () => { throw awsError('LimitExceededException', 409, 'Cannot exceed quota for OpenIdConnectProvidersPerAccount: 100') }
  const quota = await rejection(service.put('demo', B, {}, options))
  t.equal(quota.catalogueCode, 'OidcProviderQuotaReached')
  t.same(quota.extensions, { quota: 100, count: 0 }, 'the count is read again')

  b.iam.createOpenIDConnectProvider = async () => { throw awsError('LimitExceededException', 409, 'Cannot exceed quota for TagsPerOpenIdConnectProvider: 50') }
  const tags = await rejection(service.put('demo', B, {}, options))
  t.equal(tags.code, 'LimitExceededException')
})

t.test('an account outside the registry is AccountNotFound before any IAM call; the cluster\'s own account falls back to its IAM', async t => {
  const { a, b, service } = setup()
  const missing = await rejection(service.get('demo', '999999999999'))
  t.equal(missing.catalogueCode, 'AccountNotFound')
  t.same(missing.errors?.map((e) => e.pointer), ['/params/providerAccountId'])
  t.same(b.calls, [])
  t.same(a.operations().filter((op) => op.includes('OpenIDConnect')), [])

  const own = await service.get('demo', A)
  t.equal(own.OpenIDConnectProviderArn, `arn:aws:iam::${A}:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789ABCDEF0123456789`)
  t.same(own.oidcProviders, { count: 0, quota: 100 })
})

t.test('the cluster\'s own provider service counts nothing: the quota is the cross-account route\'s', async t => {
  const { a, clusters } = setup()
  const own = new OidcProviderService({ iam: a.iam, clusters, thumbprints: noDrift })
  await own.put('demo', {}, options)
  t.notOk(a.operations().includes('ListOpenIDConnectProviders'))
})
