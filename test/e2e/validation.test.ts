/**
 * Bodies are validated as sent, never coerced (query strings still are): over real HTTP, a body
 * with a boolean or a number where the AWS shape has a string is a 400 naming the fields, and
 * nothing reaches EKS.
 */
import t from 'tap'
import { assertProblem, callsOf, idempotencyKey, startHarness } from './support.ts'

t.test('a body with the wrong JSON types is refused, not coerced; a query string is coerced', async t => {
  const { emulator, call } = await startHarness(t, { emulator: { seed: { clusters: [{ name: 'demo' }] } } })
  const refused = await call('POST', '/clusters/demo/identity-provider-configs?skipIssuerChecks=true', {
    headers: { 'idempotency-key': idempotencyKey() },
    body: { oidc: { identityProviderConfigName: false, issuerUrl: 'https://idp.example.com', clientId: 12345 } }
  })
  const problem = assertProblem(t, refused, 400, 'ValidationException')
  t.same(problem.errors.map((e: { pointer: string }) => e.pointer).sort(), ['/body/oidc/clientId', '/body/oidc/identityProviderConfigName'])
  t.match(problem.errors[0].detail, /must be string/)
  t.same(callsOf(emulator, 'eks:AssociateIdentityProviderConfig'), { 'eks:AssociateIdentityProviderConfig': 0 }, 'no config named "false" was made')

  const tags = await call('PUT', '/clusters/demo/oidc-provider?dryRun=true', { body: { ClientIDList: [true] } })
  assertProblem(t, tags, 400, 'ValidationException')

  const plan = await call('PUT', '/clusters/demo/oidc-provider?dryRun=true', { body: {} })
  t.equal(plan.status, 200)
  t.equal(plan.body.dryRun, true, 'the query string "true" is still read as a boolean')
})
