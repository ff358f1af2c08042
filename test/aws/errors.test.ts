import t from 'tap'
import { mapAwsError } from '../../src/aws/errors.ts'
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
