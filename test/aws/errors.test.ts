import t from 'tap'
import { awsResponseUnreadable, callAws, isAmbiguous, isAwsError, mapAwsError, unreadableAnswer } from '../../src/aws/errors.ts'
import { HtmlAnswerError } from '../../src/aws/html-answers.ts'
import { problem, PROBLEMS, ServiceError } from '../../src/errors.ts'
import { awsError } from '../support/fake-aws.ts'

// given an SDK error / when mapped / then the documented status and code (reliability.md §3.2)
const table: Array<[name: string, upstream: number, status: number, retryAfter: boolean]> = [
  ['ResourceNotFoundException', 404, 404, false],
  ['InvalidParameterException', 400, 400, false],
  ['InvalidRequestException', 400, 409, false],
  ['ResourceInUseException', 409, 409, true],
  ['ResourceLimitExceededException', 400, 409, false],
  ['ClientException', 400, 502, false],
  ['AccessDeniedException', 403, 502, false],
  ['ServerException', 500, 502, false],
  ['ServiceUnavailableException', 503, 503, true],
  ['ThrottlingException', 429, 503, true],
  ['NoSuchEntityException', 404, 404, false],
  ['EntityAlreadyExistsException', 409, 409, false],
  ['LimitExceededException', 409, 409, false],
  ['ConcurrentModificationException', 409, 409, true],
  ['InvalidInputException', 400, 400, false],
  ['ValidationError', 400, 400, false],
  ['OpenIdIdpCommunicationErrorException', 400, 400, false],
  ['ServiceFailureException', 500, 502, false],
  ['Throttling', 400, 503, true],
  ['SomethingNew', 500, 502, false],
  ['SomethingElse', 400, 502, false]
]

for (const [name, upstream, status, retryAfter] of table) {
  t.test(`${name} (${upstream}) → ${status}`, async t => {
    const mapped = mapAwsError(awsError(name, upstream, `message of ${name}\n  with   spaces`))
    t.equal(mapped.status, status)
    t.equal(mapped.code, name)
    t.equal(mapped.message, `message of ${name} with spaces`, 'sanitised single-line AWS message')
    t.equal(mapped.awsRequestId, 'req-' + name)
    t.equal(mapped.retryAfterSeconds !== undefined, retryAfter, 'Retry-After when a retry can help')
  })
}

t.test('failures before any AWS answer are ambiguous 502/504 with a safe-retry hint', async t => {
  const timeout = mapAwsError(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }))
  t.match(timeout, { status: 504, code: 'UpstreamTimeout' })
  const reset = mapAwsError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))
  t.match(reset, { status: 502, code: 'UpstreamUnreachable' })
  t.notMatch(reset.message, /ECONNRESET/, 'no raw network detail reaches the client')
})

t.test('an unknown exception answered with 429 is throttling; one with an empty message keeps the catalogue title', async t => {
  const throttled = mapAwsError(awsError('SlowDownPlease', 429, ''))
  t.match(throttled, { status: 503, code: 'SlowDownPlease', catalogueCode: 'ThrottlingException', message: PROBLEMS.ThrottlingException.title })
  const failed = mapAwsError(awsError('SomethingNew', 500, ' \n '))
  t.match(failed, { catalogueCode: 'UpstreamFailure', message: PROBLEMS.UpstreamFailure.title })
})

t.test('an AWS message is cut at 500 characters', async t => {
  t.equal(mapAwsError(awsError('InvalidParameterException', 400, 'x'.repeat(600))).message.length, 500)
})

t.test('ETIMEDOUT, an AbortError and an error with no AWS answer are told apart', async t => {
  t.match(mapAwsError(Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' })), { status: 504, code: 'UpstreamTimeout' })
  t.match(mapAwsError(Object.assign(new Error('aborted'), { name: 'AbortError', $metadata: { httpStatusCode: 200 } })), { code: 'UpstreamTimeout' })
  t.match(mapAwsError(Object.assign(new Error('refused'), { code: 'ECONNREFUSED', $metadata: { httpStatusCode: 400 } })), { code: 'UpstreamUnreachable' })
  t.match(mapAwsError(new Error('no answer at all')), { status: 502, code: 'UpstreamUnreachable' })
  t.match(mapAwsError(undefined), { code: 'UpstreamUnreachable' })
  const cause = new Error('kept')
  t.equal(mapAwsError(cause).cause, cause, 'the SDK error stays the cause, for the log')
})

t.test('a ServiceError passes through unchanged, and callAws maps what the call throws', async t => {
  const own = problem('IssuerMismatch', { detail: 'mine' })
  t.equal(mapAwsError(own), own)
  t.equal(await callAws(async () => 42), 42)
  await t.rejects(callAws(async () => { throw awsError('ResourceNotFoundException', 404, 'gone') }), { status: 404, code: 'ResourceNotFoundException' })
})

t.test('isAmbiguous: only a 5xx outcome may or may not have taken effect', async t => {
  t.equal(isAmbiguous(problem('UpstreamTimeout')), true)
  t.equal(isAmbiguous(problem('AwsResponseUnreadable')), true)
  t.equal(isAmbiguous(mapAwsError(awsError('ResourceNotFoundException', 404, 'gone'))), false)
  t.equal(isAmbiguous(new ServiceError({ status: 500, code: 'X', slug: 'x', title: 'x' })), true)
  t.equal(isAmbiguous(new ServiceError({ status: 499, code: 'X', slug: 'x', title: 'x' })), false)
})

t.test('isAwsError matches the error name against any of the names given', async t => {
  t.equal(isAwsError(awsError('NoSuchEntityException', 404, ''), 'ResourceNotFoundException', 'NoSuchEntityException'), true)
  t.equal(isAwsError(awsError('NoSuchEntityException', 404, ''), 'ResourceNotFoundException'), false)
  t.equal(isAwsError(undefined, 'undefined'), false)
  t.equal(isAwsError({ name: 42 }, '42'), false)
})

t.test('unreadableAnswer recognises answers the SDK could not read, and only those', async t => {
  const meta = { httpStatusCode: 502, requestId: 'req-1' }
  t.same(unreadableAnswer(new HtmlAnswerError(502, 'req-1')), { httpStatus: 502, awsRequestId: 'req-1', sdkMessage: 'the answer is an HTML page (HTTP 502), not an AWS response' })
  t.same(unreadableAnswer(Object.assign(new Error('Unexpected end of JSON input\nDeserialization error: to see the raw response...'), { $metadata: meta, $response: {} })),
    { httpStatus: 502, awsRequestId: 'req-1', sdkMessage: 'Unexpected end of JSON input' }, 'a parser error: first line only')
  t.ok(unreadableAnswer(Object.assign(new Error('UnknownError'), { name: 'Unknown', $fault: 'server', $metadata: meta })), 'an error answer with no code (EKS)')
  t.ok(unreadableAnswer(Object.assign(new Error(''), { name: 'Error', $fault: 'client', Error: {}, $metadata: meta })), 'an error answer with an empty <Code> (IAM)')
  t.equal(unreadableAnswer(Object.assign(new Error('x'.repeat(600)), { $metadata: meta, $response: {} }))?.sdkMessage.length, 500)
  t.equal(unreadableAnswer(Object.assign(new Error(), { message: undefined, $metadata: meta, $response: {} }))?.sdkMessage, '')

  t.equal(unreadableAnswer(awsError('ResourceNotFoundException', 404, 'gone')), undefined, 'a readable exception')
  t.equal(unreadableAnswer(Object.assign(awsError('NoSuchEntity', 404, ''), { $fault: 'client', Error: { Code: 'NoSuchEntity' } })), undefined, 'an IAM error with its code')
  t.equal(unreadableAnswer(Object.assign(new Error('x'), { $fault: 'server', $response: {}, $metadata: meta })), undefined, 'a parsed answer that kept its response')
  t.equal(unreadableAnswer(Object.assign(new Error('x'), { name: 'Unknown', $response: {} })), undefined, 'no AWS answer at all')
  t.equal(unreadableAnswer(null), undefined)
  t.equal(unreadableAnswer('text'), undefined)
})

t.test('awsResponseUnreadable names the service, the operation and the status, and keeps the request id', async t => {
  const cause = new Error('raw')
  const error = awsResponseUnreadable('iam', 'GetOpenIDConnectProvider', { httpStatus: 503, awsRequestId: 'req-9', sdkMessage: 'secret-ish parser text' }, cause)
  t.match(error, { status: 502, code: 'AwsResponseUnreadable', awsRequestId: 'req-9', cause })
  t.match(error.message, /^AWS IAM answered GetOpenIDConnectProvider with something that is not an AWS response \(HTTP 503\)/)
  t.match(error.message, /same Idempotency-Key/)
  t.notMatch(error.message, /parser text/, 'the SDK message stays in the log')
  t.match(awsResponseUnreadable('eks', 'DescribeCluster', { httpStatus: 200, sdkMessage: '' }, cause).message, /^AWS EKS answered DescribeCluster/)
})

t.test('every timeout name and network code, and an AWS answer without a name or message', async t => {
  for (const name of ['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'AbortError']) {
    t.match(mapAwsError(Object.assign(new Error('slow'), { name, $metadata: { httpStatusCode: 500 } })), { status: 504, code: 'UpstreamTimeout' }, name)
  }
  const unreachable = mapAwsError(Object.assign(new Error('down'), { code: 'EHOSTUNREACH', $metadata: { httpStatusCode: 500 } }))
  t.match(unreachable, { code: 'UpstreamUnreachable', message: 'The call to AWS failed before an answer arrived; it may or may not have taken effect. Retrying with the same Idempotency-Key is safe.' })
  t.match(mapAwsError({ $metadata: { httpStatusCode: 500 } }), { code: 'Error', catalogueCode: 'UpstreamFailure', message: PROBLEMS.UpstreamFailure.title })
  t.match(mapAwsError(awsError('SomethingElse', 400, 'no')), { catalogueCode: 'UpstreamClientError' }, 'an unknown 4xx is a refused request, not a failure')
  t.equal(unreadableAnswer(undefined), undefined)
  t.equal(unreadableAnswer(Object.assign(new Error('x'), { name: 'Unknown', $metadata: { httpStatusCode: 500 } })), undefined, 'no $fault and no $response: a readable error, not an unreadable answer')
})
