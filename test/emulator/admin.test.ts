import t from 'tap'
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DescribeClusterCommand, ListClustersCommand } from '@aws-sdk/client-eks'
import { GetOpenIDConnectProviderCommand, ListOpenIDConnectProvidersCommand } from '@aws-sdk/client-iam'
import { loadSeedFile } from '../../emulator/seed.ts'
import { eksClient, fakeClock, iamClient, startEmulator } from './helpers.ts'

const root = fileURLToPath(new URL('../../', import.meta.url))
const seedFile = join(root, 'emulator/seed.yaml')

async function admin (url: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${url}/_emulator/${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) })
  const text = await response.text()
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text) }
}

t.test('the committed seed file: 3 clusters, the corp identity provider, an ACTIVE config and an IRSA provider', async t => {
  const seed = await loadSeedFile(seedFile)
  const emulator = await startEmulator(t, { seed })
  const eks = eksClient(t, emulator)
  t.same((await eks.send(new ListClustersCommand({}))).clusters, ['analytics-dev', 'demo', 'payments-prod'])
  const { cluster } = await eks.send(new DescribeClusterCommand({ name: 'payments-prod' }))
  t.equal(cluster?.version, '1.31')
  t.equal(cluster?.status, 'ACTIVE')
  const corp = emulator.state.identityProviders.get('corp')
  t.equal(corp?.issuerUrl, `${emulator.issuerBaseUrl}/idp/corp`)
  const config = emulator.state.clusters.get('analytics-dev')?.configs.get('corp')
  t.equal(config?.status, 'ACTIVE')
  t.equal(config?.issuerUrl, corp?.issuerUrl)

  const iam = iamClient(t, emulator)
  const [provider] = (await iam.send(new ListOpenIDConnectProvidersCommand({}))).OpenIDConnectProviderList ?? []
  const got = await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: provider?.Arn }))
  t.equal(`https://${got.Url}`, cluster?.identity?.oidc?.issuer)
  t.same(got.ThumbprintList, [emulator.issuerThumbprint])

  t.equal(cluster?.accessConfig?.authenticationMode, 'API_AND_CONFIG_MAP')
  const entries = emulator.state.clusters.get('payments-prod')?.accessEntries
  t.same([...entries?.values() ?? []].map(entry => entry.type), ['STANDARD', 'STANDARD', 'EC2_LINUX'], 'two entries and one node entry')
  t.same([...entries?.get('arn:aws:iam::111122223333:role/payments-deployer')?.policies.values() ?? []].map(policy => policy.accessScope),
    [{ type: 'namespace', namespaces: ['payments', 'payments-*'] }])
  t.equal(emulator.state.clusters.get('analytics-dev')?.authenticationMode, 'CONFIG_MAP')
})

t.test('admin endpoints: info, clusters, identity providers, seed, reset', async t => {
  const clock = fakeClock()
  const emulator = await startEmulator(t, { clock: clock.now, accountId: '123456789012', region: 'eu-west-1', seed: { clusters: [{ name: 'base' }] } })

  const info = await admin(emulator.url, 'GET', 'info')
  t.equal(info.body.url, emulator.url)
  t.equal(info.body.caFile, emulator.caFile)
  t.equal(info.body.accountId, '123456789012')
  t.equal(info.body.issuerThumbprint, emulator.issuerThumbprint)

  const created = await admin(emulator.url, 'POST', 'clusters', { name: 'extra', version: '1.31', status: 'UPDATING', tags: { a: 'b' } })
  t.equal(created.status, 201)
  t.equal(created.body.cluster.arn, 'arn:aws:eks:eu-west-1:123456789012:cluster/extra')
  t.equal(created.body.cluster.status, 'UPDATING')
  t.match(created.body.cluster.issuer, /\/id\/[0-9A-F]{32}$/)
  const custom = await admin(emulator.url, 'POST', 'clusters', { name: 'custom', issuer: 'https://oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF' })
  t.equal(custom.body.cluster.issuer, 'https://oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF')

  for (const bad of [{ name: '-bad' }, { name: 'extra' }, { name: 'v', version: 'latest' }, { name: 's', status: 'SLEEPING' }, { name: 'i', issuer: 'http://x' }]) {
    const response = await admin(emulator.url, 'POST', 'clusters', bad)
    t.equal(response.status, 400, JSON.stringify(bad))
    t.type(response.body.error, 'string')
  }
  const listed = await admin(emulator.url, 'GET', 'clusters')
  t.same(listed.body.clusters.map((cluster: { name: string }) => cluster.name), ['base', 'extra', 'custom'])

  t.equal((await admin(emulator.url, 'DELETE', 'clusters/custom')).status, 204)
  t.equal((await admin(emulator.url, 'DELETE', 'clusters/custom')).status, 404)

  const idp = await admin(emulator.url, 'POST', 'identity-providers', { name: 'corp', alg: 'ES256' })
  t.equal(idp.status, 201)
  t.equal(idp.body.identityProvider.issuerUrl, `${emulator.issuerBaseUrl}/idp/corp`)
  t.equal((await admin(emulator.url, 'POST', 'identity-providers', { name: 'x', alg: 'HS256' })).status, 400)
  t.same((await admin(emulator.url, 'GET', 'identity-providers')).body.identityProviders.map((p: { name: string }) => p.name), ['corp'])

  const seeded = await admin(emulator.url, 'POST', 'seed', {
    clusters: [{ name: 'seeded', identityProviderConfig: { identityProviderConfigName: 'corp', identityProvider: 'corp', clientId: 'k' } }],
    iamOidcProviders: [{ cluster: 'seeded' }]
  })
  t.same(seeded.body.clusters, ['base', 'extra', 'seeded'])
  t.equal(emulator.state.oidcProviders.size, 1)
  t.equal((await admin(emulator.url, 'POST', 'seed', { clusters: [{ name: 'z', identityProviderConfig: { identityProviderConfigName: 'c', identityProvider: 'nope', clientId: 'k' } }] })).status, 400)

  emulator.faults.set('eks', { errorRate: 1 })
  t.equal((await admin(emulator.url, 'POST', 'reset')).status, 204)
  t.same([...emulator.state.clusters.keys()], ['base'], 'reset returns to the start seed')
  t.equal(emulator.state.oidcProviders.size, 0)
  t.equal(emulator.state.identityProviders.size, 0)
  t.same(emulator.faults.list(), {})
  t.same(emulator.calls, {})

  t.equal((await admin(emulator.url, 'GET', 'nothing-here')).status, 404)
  const badJson = await fetch(`${emulator.url}/_emulator/clusters`, { method: 'POST', body: '{' })
  t.equal(badJson.status, 400)
})

t.test('a JSON seed file works as well as YAML', async t => {
  const file = join(t.testdir(), 'seed.json')
  writeFileSync(file, JSON.stringify({ clusters: [{ name: 'json-cluster', version: '1.30' }] }))
  const emulator = await startEmulator(t, { seed: await loadSeedFile(file) })
  t.equal(emulator.state.clusters.get('json-cluster')?.version, '1.30')
  await t.rejects(startEmulator(t, { seed: { clusters: [{ name: 'bad name' }] } }), /invalid cluster name/)
})

t.test('emulator/main.ts starts from env and prints its URL', async t => {
  const child = spawn(process.execPath, [join(root, 'emulator/main.ts')], {
    env: { ...process.env, EMULATOR_PORT: '0', EMULATOR_SEED: seedFile, EMULATOR_TRANSITION_DELAY_MS: '5' },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  t.teardown(() => { child.kill() })
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('main.ts printed no URL within 20 s')), 20_000)
    let output = ''
    child.stdout.on('data', chunk => {
      output += chunk
      const match = /listening on (http:\/\/\S+)/.exec(output)
      if (match) {
        clearTimeout(timer)
        resolve(match[1])
      }
    })
    child.on('exit', code => reject(new Error(`main.ts exited with ${code}`)))
  })
  const info = await admin(url, 'GET', 'info')
  t.equal(info.body.transitionDelayMs, 5)
  t.same((await admin(url, 'GET', 'clusters')).body.clusters.map((c: { name: string }) => c.name), ['demo', 'payments-prod', 'analytics-dev'])
  const exited = new Promise(resolve => child.once('exit', resolve))
  child.kill('SIGTERM')
  await exited
})
