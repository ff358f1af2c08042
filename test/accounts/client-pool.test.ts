/**
 * The client pool: one client per (account, region, service), made on first use and bounded; the
 * scope's credentials asked per call for the calling principal, and a refused AssumeRole answered
 * once, as the problem, without the SDK retrying it.
 */
import t from 'tap'
import type { AssumeRoleCommandInput } from '@aws-sdk/client-sts'
import { createClientPool } from '../../src/accounts/client-pool.ts'
import { parseAccountRegistry } from '../../src/accounts/registry.ts'
import type { StsPort } from '../../src/aws/ports.ts'
import { ServiceMetrics } from '../../src/observability/metrics.ts'
import { runInRequestContext } from '../../src/observability/request-context.ts'

const silent = { debug () {}, info () {}, warn () {}, error () {} }
const registry = parseAccountRegistry({
  accounts: [
    { accountId: '111122223333', regions: ['eu-west-1', 'us-east-1'] },
    { accountId: '444455556666', roleArn: 'arn:aws:iam::444455556666:role/eks-oidc-api', regions: ['eu-west-1', 'us-east-1'] }
  ]
}, 'ACCOUNTS')
const other = registry.find('444455556666')!

const config = {
  AWS_REGION: 'eu-west-1',
  // Nothing listens there: a call that got past its credentials would fail to connect.
  AWS_ENDPOINT_URL_EKS: 'http://127.0.0.1:9',
  AWS_ENDPOINT_URL_IAM: 'http://127.0.0.1:9',
  AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:9',
  AWS_MAX_ATTEMPTS: 3,
  AWS_CONNECT_TIMEOUT_MS: 500,
  AWS_REQUEST_TIMEOUT_MS: 1000,
  ACCOUNT_CREDENTIALS_TIMEOUT_MS: 1000
}

function refusingSts () {
  const calls: AssumeRoleCommandInput[] = []
  const sts: StsPort = {
    async assumeRole (input) {
      calls.push(input)
      throw Object.assign(new Error('not authorized to perform sts:AssumeRole'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } })
    },
    getCallerIdentity: async () => ({ $metadata: {} })
  }
  return { sts, calls }
}

t.test('a refused role is one AssumeRole, for the calling principal, answered as AccountAccessDenied', async t => {
  const { sts, calls } = refusingSts()
  const metrics = new ServiceMetrics({ defaultMetrics: false })
  const pool = createClientPool({ config, metrics, log: silent, sts })
  t.teardown(() => pool.destroy())
  const { eks } = pool.portsOf({ account: other, region: 'us-east-1' })
  const context = { reqId: 'req-42', principal: 'jwt:alice', log: silent, awsCalls: [] }
  const error = await runInRequestContext(context, () => eks.listClusters({})).catch((e: unknown) => e)
  t.match(error, { code: 'AccountAccessDenied', status: 403, extensions: { accountId: '444455556666' } })
  t.equal(calls.length, 1, 'the SDK does not retry a refused AssumeRole')
  t.match(calls[0], { RoleArn: other.roleArn, RoleSessionName: 'eks-oidc-api-req-42', SourceIdentity: /^jwt_alice\.[0-9a-f]{16}$/ })
  t.match(context.awsCalls, [{ service: 'sts', operation: 'AssumeRole', outcome: 'error', error: 'AccessDenied' }], 'the AssumeRole is one of the request\'s AWS calls')
  const { body } = await metrics.render()
  t.match(body, /aws_calls_total\{service="sts",operation="AssumeRole",outcome="error",account="self",region="eu-west-1"\} 1/, 'the AssumeRole counts as the service\'s own STS call')
  t.match(body, /aws_calls_total\{service="eks",operation="ListClusters",outcome="error",account="444455556666",region="us-east-1"\} 1/, 'AWS call metrics name the account and region')
})

t.test('one client per (account, region, service), reused, and bounded', async t => {
  const pool = createClientPool({ config, metrics: new ServiceMetrics({ defaultMetrics: false }), log: silent, sts: refusingSts().sts, maxClients: 4 })
  t.teardown(() => pool.destroy())
  const own = registry.defaultAccount
  const euA = pool.portsOf({ account: own, region: 'eu-west-1' })
  t.equal(pool.portsOf({ account: own, region: 'eu-west-1' }).eks, euA.eks, 'the same scope gets the same EKS client')
  const usA = pool.portsOf({ account: own, region: 'us-east-1' })
  t.not(usA.eks, euA.eks, 'another region, another EKS client')
  t.equal(usA.iam, euA.iam, 'IAM is one client per account, whatever the region')
  t.not(pool.portsOf({ account: other, region: 'eu-west-1' }).iam, euA.iam, 'another account, another IAM client')
  // 4 clients at most: A's EKS×2, IAM, STS, then B's EKS, IAM, STS pushed the oldest out.
  t.not(pool.portsOf({ account: own, region: 'eu-west-1' }).eks, euA.eks, 'an evicted client is made again on its next use')
})
