/**
 * The generated TypeScript client (clients/) against the emulator-backed service over real HTTP:
 * the IRSA flow and the identity provider flow, with the service's problems as typed errors.
 * Every call goes through the generated SDK functions; nothing here builds a URL or parses JSON.
 */
import t from 'tap'
import {
  associateIdentityProviderConfig, createApiClient, deleteOpenIdConnectProvider, describeCluster,
  describeIdentityProviderConfig, describeUpdate, disassociateIdentityProviderConfig, getOpenIdConnectProvider,
  isProblem, listClusters, listIdentityProviderConfigs, putOpenIdConnectProvider,
  type Update
} from '../../clients/index.ts'
import { idempotencyKey, pollUntil, startHarness } from '../e2e/support.ts'

const REQUEST_TIMEOUT_MS = 15_000

// One service for both flows: starting it (its in-memory store especially) dominates the run time.
const { emulator, serviceUrl } = await startHarness(t, {
  emulator: { transitionDelayMs: 300, seed: { clusters: [{ name: 'demo' }] } },
  // `?wait=` re-asks EKS at this pace; the emulator's updates finish in 300 ms.
  env: { WATCH_POLL_INTERVAL_MS: '100', WATCH_MAX_POLL_INTERVAL_MS: '500' }
})
const client = createApiClient({
  baseUrl: serviceUrl,
  fetch: (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) })
})

/** Follows an update with the long-polling `wait` parameter until it leaves InProgress. */
async function settledUpdate (name: string, updateId: string): Promise<Update> {
  return pollUntil(async () => {
    const { data, error } = await describeUpdate({ client, path: { name, updateId }, query: { wait: 5 } })
    if (error !== undefined) throw new Error(`describeUpdate failed: ${JSON.stringify(error)}`)
    return data.update.status === 'InProgress' ? undefined : data.update
  }, { timeoutMs: 20_000, intervalMs: 50 })
}

t.test('IRSA through the generated client: status, plan, create, read, delete', async t => {
  const clusters = await listClusters({ client })
  t.same(clusters.data?.clusters, ['demo'], 'listClusters')

  const absent = await getOpenIdConnectProvider({ client, path: { name: 'demo' } })
  t.equal(absent.response.status, 200)
  if (absent.data === undefined) throw new Error('no provider status')
  t.equal(absent.data.exists, false, 'no provider yet')
  const { issuerUrl, OpenIDConnectProviderArn: arn } = absent.data
  t.match(issuerUrl, new RegExp(`^${emulator.issuerBaseUrl}/id/[0-9A-F]{32}$`))

  const plan = await putOpenIdConnectProvider({ client, path: { name: 'demo' }, query: { dryRun: true }, body: {} })
  t.equal(plan.response.status, 200)
  t.equal(plan.data?.dryRun, true)
  t.same(plan.data?.changes.map(change => change.operation), ['CreateOpenIDConnectProvider'], 'the plan is one create')
  t.equal(emulator.state.oidcProviders.size, 0, 'dryRun wrote nothing')

  const created = await putOpenIdConnectProvider({
    client,
    path: { name: 'demo' },
    headers: { 'idempotency-key': idempotencyKey() },
    body: { ClientIDList: ['sts.amazonaws.com'], Tags: [{ Key: 'team', Value: 'platform' }] }
  })
  t.equal(created.response.status, 201)
  t.equal(created.response.headers.get('location'), '/clusters/demo/oidc-provider')
  t.match(created.data, { exists: true, dryRun: false, OpenIDConnectProviderArn: arn })
  t.same([...emulator.state.oidcProviders.keys()], [arn], 'the emulator holds the provider')

  const read = await getOpenIdConnectProvider({ client, path: { name: 'demo' } })
  t.equal(read.data?.exists, true)
  t.same(read.data?.provider?.ClientIDList, ['sts.amazonaws.com'])
  t.same(read.data?.provider?.Tags, [{ Key: 'team', Value: 'platform' }])
  t.same(read.data?.provider?.ThumbprintList, [emulator.issuerThumbprint])
  t.equal(read.data?.thumbprintDrift?.matches, true)

  const deleted = await deleteOpenIdConnectProvider({ client, path: { name: 'demo' } })
  t.equal(deleted.response.status, 204)
  t.equal(deleted.error, undefined)
  t.equal(emulator.state.oidcProviders.size, 0)
  t.equal((await getOpenIdConnectProvider({ client, path: { name: 'demo' } })).data?.exists, false, 'gone')

  await t.test('an unknown cluster is a typed 404 problem', async t => {
    const missing = await describeCluster({ client, path: { name: 'nope' } })
    t.equal(missing.data, undefined)
    t.equal(missing.response.status, 404)
    if (!isProblem(missing.error)) throw new Error(`expected a problem, got ${JSON.stringify(missing.error)}`)
    // The SDK types error as Problem already; isProblem also rules out transport failures.
    const problem = missing.error
    t.equal(problem.code, 'ResourceNotFoundException')
    t.equal(problem.status, 404)
    t.match(problem.type, /^https:\/\//)
    t.match(problem.instance, /^\/clusters\/nope/)
    t.equal(problem.requestId, missing.response.headers.get('x-request-id'))
  })

  await t.test('a request the schema refuses is a typed 400 problem with field errors', async t => {
    const invalid = await putOpenIdConnectProvider({ client, path: { name: 'demo' }, body: { ClientIDList: [''] } })
    t.equal(invalid.response.status, 400)
    if (!isProblem(invalid.error)) throw new Error('expected a problem')
    t.ok(invalid.error.errors !== undefined && invalid.error.errors.length > 0, 'names the failing members')
    t.equal(emulator.state.oidcProviders.size, 0, 'nothing created')
  })

  await t.test('a transport failure is not mistaken for a problem', async t => {
    const closed = createApiClient({ baseUrl: 'http://127.0.0.1:1' })
    const failed = await listClusters({ client: closed })
    t.not(failed.error, undefined)
    t.equal(isProblem(failed.error), false)
  })
})

t.test('identity provider config through the generated client: associate, follow, describe, list, disassociate', async t => {
  const corp = emulator.createIdentityProvider({ name: 'corp' })
  const key = idempotencyKey()
  const request = {
    client,
    path: { name: 'demo' },
    headers: { 'idempotency-key': key },
    body: {
      oidc: { identityProviderConfigName: 'corp', issuerUrl: corp.issuerUrl, clientId: 'kubernetes', usernameClaim: 'email', groupsClaim: 'groups', groupsPrefix: 'oidc:' },
      tags: { team: 'platform' }
    }
  }

  const associated = await associateIdentityProviderConfig(request)
  t.equal(associated.response.status, 202)
  if (associated.data === undefined) throw new Error(`associate failed: ${JSON.stringify(associated.error)}`)
  t.match(associated.data, { update: { type: 'AssociateIdentityProviderConfig', status: 'InProgress' }, issuerChecks: 'passed' })
  const updateId = associated.data.update.id ?? ''
  t.equal(associated.response.headers.get('location'), `/clusters/demo/updates/${updateId}`)

  const replayed = await associateIdentityProviderConfig(request)
  t.equal(replayed.response.headers.get('idempotent-replayed'), 'true', 'the same Idempotency-Key replays the answer')
  t.same(replayed.data, associated.data)
  t.equal(emulator.state.clusters.get('demo')?.updates.length, 1, 'one EKS update')

  const done = await settledUpdate('demo', updateId)
  t.equal(done.status, 'Successful')

  const described = await describeIdentityProviderConfig({ client, path: { name: 'demo', configName: 'corp' } })
  t.match(described.data?.identityProviderConfig.oidc, {
    identityProviderConfigName: 'corp', clusterName: 'demo', issuerUrl: corp.issuerUrl, clientId: 'kubernetes', status: 'ACTIVE', tags: { team: 'platform' }
  })
  const listed = await listIdentityProviderConfigs({ client, path: { name: 'demo' } })
  t.same(listed.data?.identityProviderConfigs, [{ type: 'oidc', name: 'corp' }])

  const removed = await disassociateIdentityProviderConfig({ client, path: { name: 'demo', configName: 'corp' }, headers: { 'idempotency-key': idempotencyKey() } })
  t.equal(removed.response.status, 202)
  const removal = removed.data !== undefined && 'update' in removed.data ? removed.data.update : undefined
  t.match(removal, { type: 'DisassociateIdentityProviderConfig', status: 'InProgress' })
  t.equal((await settledUpdate('demo', removal?.id ?? '')).status, 'Successful')

  const gone = await describeIdentityProviderConfig({ client, path: { name: 'demo', configName: 'corp' } })
  t.equal(gone.response.status, 404)
  t.ok(isProblem(gone.error) && gone.error.code === 'ResourceNotFoundException', 'the config is a typed 404 ResourceNotFoundException')
  t.same((await listIdentityProviderConfigs({ client, path: { name: 'demo' } })).data?.identityProviderConfigs, [])
})
