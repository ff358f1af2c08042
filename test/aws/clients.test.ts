/**
 * The service's SDK clients against the emulator over HTTP: built once with the middleware chain
 * resolved once per operation, and without the SDK's own logger step (src/aws logs AWS calls).
 */
import t from 'tap'
import { startAwsEmulator } from '../../emulator/aws-emulator.ts'
import { createAwsClients, SDK_LOGGER_STEP } from '../../src/aws/clients.ts'

t.test('clients resolve each operation once, skip the SDK logger, and answer every operation right', async t => {
  const emulator = await startAwsEmulator({ port: 0, seed: { clusters: [{ name: 'alpha' }, { name: 'beta' }] } })
  t.teardown(() => emulator.close())
  process.env.AWS_ACCESS_KEY_ID ??= 'test'
  process.env.AWS_SECRET_ACCESS_KEY ??= 'test'
  const clients = createAwsClients({
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_EKS: emulator.url,
    AWS_ENDPOINT_URL_IAM: emulator.url,
    AWS_MAX_ATTEMPTS: 1,
    AWS_CONNECT_TIMEOUT_MS: 2000,
    AWS_REQUEST_TIMEOUT_MS: 5000
  })
  t.teardown(() => clients.destroy())
  const eks = clients.eks as unknown as { middlewareStack: { identify (): string[] }, config: { cacheMiddleware?: boolean } }

  t.notOk(eks.middlewareStack.identify().some(entry => entry.startsWith(SDK_LOGGER_STEP)), 'no SDK logger step')
  t.equal(eks.config.cacheMiddleware, true, 'middleware chains are cached per operation')

  // Interleaved operations and inputs: a chain cached for one operation must never answer another.
  for (const name of ['alpha', 'beta', 'alpha']) {
    const { cluster } = await clients.eks.describeCluster({ name })
    t.equal(cluster?.name, name, `DescribeCluster ${name}`)
    const { clusters } = await clients.eks.listClusters({})
    t.same([...clusters ?? []].sort(), ['alpha', 'beta'], 'ListClusters')
  }
  const providers = await clients.iam.getOpenIDConnectProvider({ OpenIDConnectProviderArn: 'arn:aws:iam::000000000000:oidc-provider/none' }).catch((error: Error) => error)
  t.equal((providers as Error).name, 'NoSuchEntityException', 'IAM errors still map to their SDK exception')
})
