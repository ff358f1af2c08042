/**
 * The IRSA flow over real HTTP: find the cluster's issuer, plan, create, converge client IDs, tags
 * and thumbprints with the fewest IAM calls, detect and repair thumbprint drift, delete.
 */
import t from 'tap'
import { startHarness, writeCalls } from './support.ts'

t.test('IRSA: find the issuer, plan, create, converge, repair drift, delete', async t => {
  const { emulator, call } = await startHarness(t, {
    emulator: { seed: { clusters: [{ name: 'demo' }] } },
    env: { THUMBPRINT_CACHE_TTL_SECONDS: '0' }
  })
  const issuerPort = new URL(emulator.issuerBaseUrl).port

  t.same((await call('GET', '/clusters')).body, { clusters: ['demo'] }, 'ListClusters')
  const cluster = await call('GET', '/clusters/demo')
  t.equal(cluster.status, 200)
  const issuer: string = cluster.body.cluster.identity.oidc.issuer
  t.match(issuer, new RegExp(`^${emulator.issuerBaseUrl}/id/[0-9A-F]{32}$`), 'the issuer is the emulator\'s HTTPS issuer')
  const issuerPath = new URL(issuer).pathname
  const arn = `arn:aws:iam::${emulator.accountId}:oidc-provider/127.0.0.1${issuerPath}`

  const absent = await call('GET', '/clusters/demo/oidc-provider')
  t.equal(absent.status, 200)
  t.same(absent.body, { clusterName: 'demo', issuerUrl: issuer, OpenIDConnectProviderArn: arn, exists: false }, 'no provider yet; the ARN has host and path, no port')

  await t.test('dryRun plans the create and writes nothing', async t => {
    emulator.resetCalls()
    const plan = await call('PUT', '/clusters/demo/oidc-provider?dryRun=true', { body: {} })
    t.equal(plan.status, 200)
    t.match(plan.body, { exists: false, dryRun: true })
    t.same(plan.body.changes, [{ operation: 'CreateOpenIDConnectProvider', input: { Url: issuer, ClientIDList: ['sts.amazonaws.com'] } }], 'one create, no thumbprint, the default audience')
    t.same(writeCalls(emulator, 'iam'), {}, 'no IAM write call')
    t.equal(emulator.state.oidcProviders.size, 0)
  })

  await t.test('PUT creates the provider (201), IAM computing the thumbprint', async t => {
    emulator.resetCalls()
    const created = await call('PUT', '/clusters/demo/oidc-provider', { body: {} })
    t.equal(created.status, 201)
    t.equal(created.headers.get('location'), '/clusters/demo/oidc-provider')
    t.match(created.body, { exists: true, OpenIDConnectProviderArn: arn, dryRun: false })
    t.same(created.body.provider.Url, `127.0.0.1:${issuerPort}${issuerPath}`, 'Get answers the Url without a scheme')
    t.same(created.body.provider.ClientIDList, ['sts.amazonaws.com'])
    t.same(created.body.provider.ThumbprintList, [emulator.issuerThumbprint], 'IAM thumbprinted the top intermediate')
    t.same(writeCalls(emulator, 'iam'), { 'iam:CreateOpenIDConnectProvider': 1 })
    t.same([...emulator.state.oidcProviders.keys()], [arn], 'the service derived the ARN IAM gave the provider')
  })

  await t.test('PUT again with the same desired state: 200 and no write call', async t => {
    emulator.resetCalls()
    const again = await call('PUT', '/clusters/demo/oidc-provider', { body: {} })
    t.equal(again.status, 200)
    t.same(again.body.changes, [])
    t.same(writeCalls(emulator, 'iam'), {})
  })

  await t.test('GET shows no thumbprint drift', async t => {
    const status = await call('GET', '/clusters/demo/oidc-provider')
    t.match(status.body.thumbprintDrift, { served: [emulator.issuerThumbprint], missing: [], matches: true })
  })

  await t.test('client IDs and tags converge with exactly the needed calls', async t => {
    emulator.resetCalls()
    const added = await call('PUT', '/clusters/demo/oidc-provider', {
      body: { ClientIDList: ['sts.amazonaws.com', 'vault'], Tags: [{ Key: 'team', Value: 'platform' }] }
    })
    t.equal(added.status, 200)
    t.same(writeCalls(emulator, 'iam'), { 'iam:AddClientIDToOpenIDConnectProvider': 1, 'iam:TagOpenIDConnectProvider': 1 })

    emulator.resetCalls()
    const swapped = await call('PUT', '/clusters/demo/oidc-provider', {
      body: { ClientIDList: ['vault'], Tags: [{ Key: 'env', Value: 'dev' }] }
    })
    t.equal(swapped.status, 200)
    t.same(writeCalls(emulator, 'iam'), {
      'iam:RemoveClientIDFromOpenIDConnectProvider': 1,
      'iam:TagOpenIDConnectProvider': 1,
      'iam:UntagOpenIDConnectProvider': 1
    })
    t.same(swapped.body.provider.ClientIDList, ['vault'])
    t.same(swapped.body.provider.Tags, [{ Key: 'env', Value: 'dev' }])
    t.same(emulator.state.oidcProviders.get(arn)?.tags, { env: 'dev' }, 'the emulator holds the same state')
  })

  await t.test('a rotated issuer certificate shows as drift; computeThumbprints repairs it', async t => {
    const before = emulator.issuerThumbprint
    const rotated = await emulator.rotateIssuerCertificate()
    t.not(rotated, before)
    const drifted = await call('GET', '/clusters/demo/oidc-provider')
    t.match(drifted.body.thumbprintDrift, { registered: [before], served: [rotated], missing: [rotated], matches: false })

    emulator.resetCalls()
    const repaired = await call('PUT', '/clusters/demo/oidc-provider?computeThumbprints=true', { body: { ClientIDList: ['vault'] } })
    t.equal(repaired.status, 200)
    t.same(repaired.body.changes.map((c: { operation: string }) => c.operation), ['UpdateOpenIDConnectProviderThumbprint'])
    t.same(writeCalls(emulator, 'iam'), { 'iam:UpdateOpenIDConnectProviderThumbprint': 1 })
    t.same(repaired.body.provider.ThumbprintList, [rotated])
    const fixed = await call('GET', '/clusters/demo/oidc-provider')
    t.match(fixed.body.thumbprintDrift, { served: [rotated], missing: [], matches: true })
  })

  await t.test('an explicit ThumbprintList converges with one call, then none', async t => {
    const wanted = [emulator.issuerThumbprint, 'ab'.repeat(20)]
    emulator.resetCalls()
    const updated = await call('PUT', '/clusters/demo/oidc-provider', { body: { ClientIDList: ['vault'], ThumbprintList: wanted } })
    t.equal(updated.status, 200)
    t.same(writeCalls(emulator, 'iam'), { 'iam:UpdateOpenIDConnectProviderThumbprint': 1 })
    t.same(updated.body.provider.ThumbprintList.toSorted(), wanted.toSorted())

    emulator.resetCalls()
    const upperCase = await call('PUT', '/clusters/demo/oidc-provider', { body: { ClientIDList: ['vault'], ThumbprintList: wanted.map(tp => tp.toUpperCase()) } })
    t.equal(upperCase.status, 200)
    t.same(writeCalls(emulator, 'iam'), {}, 'thumbprints compare case-insensitively')
  })

  await t.test('DELETE answers 204, and 204 again when already gone', async t => {
    emulator.resetCalls()
    const deleted = await call('DELETE', '/clusters/demo/oidc-provider')
    t.equal(deleted.status, 204)
    t.equal(deleted.body, undefined)
    t.equal(emulator.state.oidcProviders.size, 0)
    const again = await call('DELETE', '/clusters/demo/oidc-provider')
    t.equal(again.status, 204)
    t.same(writeCalls(emulator, 'iam'), { 'iam:DeleteOpenIDConnectProvider': 2 }, 'the second delete reached IAM, which answered 200: Delete is idempotent (the NoSuchEntity path is in test/routes/oidc-provider.test.ts)')
    t.equal((await call('GET', '/clusters/demo/oidc-provider')).body.exists, false)
  })
})
