/**
 * Answers from AWS (or from something in front of it) that no client can read: HTML pages and
 * truncated bodies, from the emulator's faults. The caller gets the stable AwsResponseUnreadable
 * problem and a sentence to act on; the SDK's details stay in the log, with the request id.
 */
import t, { type Test } from 'tap'
import type { FaultKind } from '../../emulator/faults.ts'
import { assertProblem, callsOf, idempotencyKey, startHarness, type Reply } from './support.ts'

interface LogLine { level: number, msg: string, reqId?: string, [field: string]: unknown }

const UNREADABLE_KINDS = ['html-404', 'html-500', 'html-200', 'truncated'] as const satisfies readonly FaultKind[]
/** The SDK retries a 500 (three attempts by default): every attempt gets the page. */
const attemptsOf = (kind: FaultKind) => kind === 'html-500' ? 3 : 1
const SDK_INTERNALS = /\$response|@aws-sdk|SyntaxError|Deserialization|HtmlAnswerError|"code":"(Error|Unknown)"/

function capturedLogs () {
  const lines: LogLine[] = []
  return { lines, logger: { level: 'info', stream: { write: (line: string) => { lines.push(JSON.parse(line)) } } } }
}

function assertUnreadable (t: Test, reply: Reply, service: 'EKS' | 'IAM', operation: string) {
  const body = assertProblem(t, reply, 502, 'AwsResponseUnreadable')
  t.match(body.detail, `AWS ${service} answered ${operation} with something that is not an AWS response`)
  t.match(body.detail, 'retry the request, with the same Idempotency-Key for a change')
  t.equal(reply.headers.get('retry-after'), '2')
  t.notMatch(JSON.stringify(body), SDK_INTERNALS, 'no SDK internals in the answer')
  return body
}

t.test('reads: every unreadable answer from EKS and IAM is 502 AwsResponseUnreadable', async t => {
  const { emulator, call } = await startHarness(t, { emulator: { seed: { clusters: [{ name: 'demo' }] } } })
  for (const kind of UNREADABLE_KINDS) {
    await t.test(`${kind} from EKS DescribeCluster (GET /clusters/demo)`, async t => {
      emulator.faults.set('eks:DescribeCluster', { failNext: attemptsOf(kind), failNextWith: kind })
      assertUnreadable(t, await call('GET', '/clusters/demo'), 'EKS', 'DescribeCluster')
      emulator.faults.clear()
    })
    await t.test(`${kind} from IAM GetOpenIDConnectProvider (GET /clusters/demo/oidc-provider)`, async t => {
      // truncated: the operation's own answer is an error (no provider yet), which is answered whole.
      if (kind === 'truncated') t.equal((await call('PUT', '/clusters/demo/oidc-provider', { body: {} })).status, 201)
      emulator.faults.set('iam:GetOpenIDConnectProvider', { failNext: attemptsOf(kind), failNextWith: kind })
      assertUnreadable(t, await call('GET', '/clusters/demo/oidc-provider'), 'IAM', 'GetOpenIDConnectProvider')
      emulator.faults.clear()
    })
  }
  t.equal((await call('GET', '/clusters/demo')).status, 200, 'readable answers are read again')
})

t.test('the details stay in the log: a warning with the request id, the HTTP status, the SDK message and the AWS request id', async t => {
  const logs = capturedLogs()
  const { emulator, call } = await startHarness(t, { emulator: { seed: { clusters: [{ name: 'demo' }] } }, logger: logs.logger })
  emulator.faults.set('eks:DescribeCluster', { failNext: 1, failNextWith: 'truncated' })
  const reply = await call('GET', '/clusters/demo', { headers: { 'x-request-id': 'unreadable-trace-1' } })
  const body = assertUnreadable(t, reply, 'EKS', 'DescribeCluster')
  t.type(body.awsRequestId, 'string', 'the AWS request id of the truncated answer is passed on')

  const warning = logs.lines.find(line => line.msg === 'aws call failed: the answer could not be read')
  t.match(warning, {
    level: 40,
    reqId: 'unreadable-trace-1',
    service: 'eks',
    operation: 'DescribeCluster',
    httpStatus: 200,
    awsRequestId: body.awsRequestId,
    error: 'AwsResponseUnreadable',
    sdkMessage: /JSON/
  })
})

t.test('EKS write: a truncated answer to associate is 502, nothing is stored, and a retry with the same key checks EKS again', async t => {
  const { emulator, call } = await startHarness(t, { emulator: { seed: { identityProviders: [{ name: 'corp' }], clusters: [{ name: 'demo' }] } } })
  const issuerUrl = emulator.state.identityProviders.get('corp')?.issuerUrl ?? ''
  const request = { body: { oidc: { identityProviderConfigName: 'corp', issuerUrl, clientId: 'kubernetes' } }, headers: { 'idempotency-key': idempotencyKey() } }

  emulator.faults.set('eks:AssociateIdentityProviderConfig', { failNext: 1, failNextWith: 'truncated' })
  assertUnreadable(t, await call('POST', '/clusters/demo/identity-provider-configs', request), 'EKS', 'AssociateIdentityProviderConfig')
  const cluster = emulator.state.clusters.get('demo')
  t.equal(cluster?.configs.size, 1, 'the write behind the unreadable answer took effect in EKS')

  const retried = await call('POST', '/clusters/demo/identity-provider-configs', request)
  t.equal(retried.status, 202, 'the retry finishes the change')
  t.equal(retried.headers.get('idempotent-replayed'), 'false', 'not a replay: the 502 was not stored')
  t.equal(cluster?.configs.size, 1, 'still one config')
  t.equal(cluster?.updates.length, 1, 'and one EKS update: the retry made no second change')
  t.equal((await call('POST', '/clusters/demo/identity-provider-configs', request)).headers.get('idempotent-replayed'), 'true', 'the success is stored')
})

t.test('IAM write: a truncated answer to create is 502, nothing is stored, and a retry with the same key checks IAM again', async t => {
  const { emulator, call } = await startHarness(t, { emulator: { seed: { clusters: [{ name: 'demo' }] } } })
  const request = { body: {}, headers: { 'idempotency-key': idempotencyKey() } }

  emulator.faults.set('iam:CreateOpenIDConnectProvider', { failNext: 1, failNextWith: 'truncated' })
  assertUnreadable(t, await call('PUT', '/clusters/demo/oidc-provider', request), 'IAM', 'CreateOpenIDConnectProvider')
  t.equal(emulator.state.oidcProviders.size, 1, 'the provider was created behind the unreadable answer')

  emulator.resetCalls()
  const retried = await call('PUT', '/clusters/demo/oidc-provider', request)
  t.equal(retried.status, 200, 'the retry finds the provider in place')
  t.equal(retried.headers.get('idempotent-replayed'), 'false', 'not a replay: the 502 was not stored')
  t.same(callsOf(emulator, 'iam:GetOpenIDConnectProvider', 'iam:CreateOpenIDConnectProvider'), { 'iam:GetOpenIDConnectProvider': 1, 'iam:CreateOpenIDConnectProvider': 0 }, 'it read IAM again and wrote nothing')
  t.equal(emulator.state.oidcProviders.size, 1)
})
