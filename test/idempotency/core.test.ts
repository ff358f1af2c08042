import t from 'tap'
import { idempotencyKeyHash, parseIdempotencyKey } from '../../src/idempotency/key.ts'
import { bodyClientRequestToken, clientRequestTokenFor, tokenOnlyGuard } from '../../src/services/write-guard.ts'
import { isDefinitiveResponse, replayedHeaders, storableBody } from '../../src/idempotency/response-policy.ts'
import { idempotencyKeyMissing, idempotencyKeyReused, idempotencyRequestInProgress, idempotencyStoreUnavailable } from '../../src/idempotency/errors.ts'

t.test('parseIdempotencyKey', async (t) => {
  const uuid = '8e03978e-40d5-43e8-bc93-6894a57f9324'
  t.equal(parseIdempotencyKey(undefined), undefined, 'absent')
  t.equal(parseIdempotencyKey(uuid), uuid, 'bare (Stripe style)')
  t.equal(parseIdempotencyKey(`"${uuid}"`), uuid, 'sf-string')
  t.equal(parseIdempotencyKey('a'.repeat(16)), 'a'.repeat(16), 'shortest')
  t.equal(parseIdempotencyKey('A.b_c~d:e-f'.padEnd(255, 'z')), 'A.b_c~d:e-f'.padEnd(255, 'z'), 'longest, every allowed symbol')
  const invalid = ['', '""', 'a'.repeat(15), 'a'.repeat(256), `""${uuid}""`, `"${uuid}", ${uuid}`, `${uuid}, ${uuid}`,
    `${uuid} `, `'${uuid}'`, `${uuid}/x`, `"${uuid}`]
  for (const value of invalid) {
    t.throws(() => parseIdempotencyKey(value), { name: 'IdempotencyKeyInvalidException', status: 400 }, JSON.stringify(value))
  }
  t.throws(() => parseIdempotencyKey([uuid, uuid]), { name: 'IdempotencyKeyInvalidException', message: 'Send exactly one Idempotency-Key header.' }, 'an array of values')
  t.throws(() => parseIdempotencyKey(`x${uuid}"`), { name: 'IdempotencyKeyInvalidException' }, 'a closing quote without an opening one')
  const detail = 'Idempotency-Key must be one value of 16 to 255 characters from A-Z a-z 0-9 . _ ~ : -, optionally in double quotes.'
  t.throws(() => parseIdempotencyKey('short'), { message: detail, errors: [{ pointer: '/headers/idempotency-key', detail }] }, 'the problem names the header and the rule')
})

t.test('idempotencyKeyHash hides the key but is stable', async (t) => {
  const key = '8e03978e-40d5-43e8-bc93-6894a57f9324'
  t.match(idempotencyKeyHash(key), /^[0-9a-f]{64}$/)
  t.equal(idempotencyKeyHash(key), idempotencyKeyHash(key))
  t.notMatch(idempotencyKeyHash(key), key)
  t.not(idempotencyKeyHash(key), idempotencyKeyHash(key + 'x'))
})

t.test('clientRequestTokenFor', async (t) => {
  const id = '8e03978e-40d5-43e8-bc93-6894a57f9324'
  const token = clientRequestTokenFor(id)
  t.equal(token, 'eks-oidc-api-' + id)
  t.ok(token.length >= 33 && token.length <= 126)
  t.throws(() => clientRequestTokenFor('short'), RangeError)
  t.throws(() => clientRequestTokenFor('x'.repeat(120)), RangeError)
})

t.test('tokenOnlyGuard and bodyClientRequestToken', async (t) => {
  const guard = tokenOnlyGuard('client-token')
  t.equal(guard.clientRequestToken, 'client-token')
  t.equal(guard.resuming, false)
  await t.resolves(guard.beforeWrite())
  await t.resolves(guard.writeNotSent())

  t.equal(bodyClientRequestToken({ clientRequestToken: 'abc' }), 'abc')
  t.equal(bodyClientRequestToken({ clientRequestToken: '' }), undefined)
  t.equal(bodyClientRequestToken({ clientRequestToken: 5 }), undefined)
  t.equal(bodyClientRequestToken(null), undefined)
  t.equal(bodyClientRequestToken('clientRequestToken'), undefined)
})

t.test('isDefinitiveResponse', async (t) => {
  for (const status of [200, 201, 202, 204, 400, 404, 409, 410, 412, 422]) t.ok(isDefinitiveResponse(status, false), `${status} stored`)
  for (const status of [401, 403, 408, 429, 500, 502, 503, 504, 301, 304]) t.notOk(isDefinitiveResponse(status, false), `${status} not stored`)
  t.notOk(isDefinitiveResponse(409, true), 'a 409 that says retry later is not final')
  t.ok(isDefinitiveResponse(202, true), 'a 2xx is final even with Retry-After')
  for (const status of [100, 199, 300]) t.notOk(isDefinitiveResponse(status, false), `${status} not stored`)
  t.ok(isDefinitiveResponse(299, false), '299 stored')
})

t.test('replayedHeaders and storableBody', async (t) => {
  t.same(replayedHeaders({ location: '/x', 'content-type': 'application/json', 'set-cookie': 'a=b', 'x-request-id': '1' }),
    { location: '/x', 'content-type': 'application/json' })
  t.same(replayedHeaders({ 'content-type': ['a', 'b'] }), {}, 'multi-valued headers are dropped')
  t.same(replayedHeaders({ location: 7 }), { location: '7' }, 'a number (as Fastify may hold one) is kept as text')
  t.equal(storableBody('x'), 'x')
  t.equal(storableBody(Buffer.from('{"a":1}')), '{"a":1}')
  t.equal(storableBody(undefined), null)
  t.equal(storableBody(null), null)
  t.equal(storableBody({ pipe () {} }), undefined, 'streams cannot be stored')
})

t.test('the idempotency problems name what went wrong and what to do', async (t) => {
  t.match(idempotencyKeyMissing(), {
    name: 'IdempotencyKeyMissingException',
    status: 400,
    message: /requires an Idempotency-Key header \(or a clientRequestToken in the body\)\.$/,
    errors: [{ pointer: '/headers/idempotency-key', detail: 'is required unless the body has clientRequestToken' }]
  })
  t.match(idempotencyRequestInProgress(), { status: 409, message: 'The original request has not finished yet; retry the identical request shortly.' })
  t.match(idempotencyKeyReused(), { status: 422, message: 'This Idempotency-Key was already used for a request with different parameters; use a new key.' })
  const cause = new Error('database down')
  t.match(idempotencyStoreUnavailable(cause), { status: 503, message: 'The request was not started because its Idempotency-Key could not be checked; retry it unchanged.', cause })
})
