import { IAM } from '@aws-sdk/client-iam'
import { EKS } from '@aws-sdk/client-eks'
import t from 'tap'
import { QuotaAwareRetryStrategy } from '../../src/aws/retry-strategy.ts'

/** A request handler answering canned HTTP responses and counting attempts: the SDK's own serialisation and retries run. */
function cannedHandler (answers: Array<{ status: number, headers?: Record<string, string>, body: string }>) {
  const seen: Array<{ body: string }> = []
  return {
    seen,
    handler: {
      async handle (request: { body?: unknown }) {
        seen.push({ body: String(request.body ?? '') })
        const answer = answers[Math.min(seen.length - 1, answers.length - 1)]
        const { Readable } = await import('node:stream')
        return { response: { statusCode: answer.status, headers: { 'content-type': 'text/xml', ...answer.headers }, body: Readable.from([Buffer.from(answer.body)]) } }
      },
      updateHttpClientConfig () {},
      httpHandlerConfigs: () => ({})
    }
  }
}

const iamError = (code: string) => `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>${code}</Code><Message>m</Message></Error><RequestId>r</RequestId></ErrorResponse>`
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' }

t.test('IAM LimitExceeded is not retried (1 attempt) while Throttling is (3 attempts)', async t => {
  const limit = cannedHandler([{ status: 409, body: iamError('LimitExceeded') }])
  const iam = new IAM({ region: 'us-east-1', credentials, requestHandler: limit.handler as never, retryStrategy: new QuotaAwareRetryStrategy(3) })
  await t.rejects(iam.createOpenIDConnectProvider({ Url: 'https://x', ClientIDList: ['a'] }), { name: 'LimitExceededException' })
  t.equal(limit.seen.length, 1)

  const throttled = cannedHandler([{ status: 400, body: iamError('Throttling') }, { status: 400, body: iamError('Throttling') }, { status: 200, body: '<CreateOpenIDConnectProviderResponse><CreateOpenIDConnectProviderResult><OpenIDConnectProviderArn>arn:aws:iam::1:oidc-provider/x</OpenIDConnectProviderArn></CreateOpenIDConnectProviderResult></CreateOpenIDConnectProviderResponse>' }])
  const iam2 = new IAM({ region: 'us-east-1', credentials, requestHandler: throttled.handler as never, retryStrategy: new QuotaAwareRetryStrategy(3) })
  const out = await iam2.createOpenIDConnectProvider({ Url: 'https://x', ClientIDList: ['a'] })
  t.equal(out.OpenIDConnectProviderArn, 'arn:aws:iam::1:oidc-provider/x')
  t.equal(throttled.seen.length, 3)
})

t.test('SDK retries of an associate re-send the identical clientRequestToken', async t => {
  const throttle = { status: 429, headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'ThrottlingException' }, body: '{"message":"Rate exceeded"}' }
  const canned = cannedHandler([throttle, throttle, { status: 200, headers: { 'content-type': 'application/json' }, body: '{"update":{"id":"u-1","status":"InProgress"}}' }])
  const eks = new EKS({ region: 'us-east-1', credentials, requestHandler: canned.handler as never, retryStrategy: new QuotaAwareRetryStrategy(3) })
  const token = 'eks-oidc-api-' + 'f'.repeat(64)
  const out = await eks.associateIdentityProviderConfig({ clusterName: 'demo', oidc: { identityProviderConfigName: 'c', issuerUrl: 'https://i', clientId: 'k' }, clientRequestToken: token })
  t.equal(out.update?.id, 'u-1')
  t.equal(canned.seen.length, 3)
  t.same(canned.seen.map(s => JSON.parse(s.body).clientRequestToken), [token, token, token])
})
