import t from 'tap'
import { Format } from 'typebox/format'
import { Value } from 'typebox/value'
import type { TSchema } from 'typebox'
import { rbacBinding } from '../../src/token-review/rbac-binding.ts'
import { reviewClaims } from '../../src/token-review/review-claims.ts'
import {
  PreviewRequest, RbacBindingResponse, RbacQuery, TokenReviewRequest, TokenReviewStatus
} from '../../schemas/token-review.ts'
import { OidcIdentityProviderConfigRequest } from '../../schemas/eks.ts'
import { ISSUER_URL_FORMAT } from '../../schemas/issuer-url.ts'
import { issuerUrlProblems } from '../../src/issuers/issuer-url.ts'

// The service registers the issuer URL rule with its Ajv (src/plugins/validation.ts); TypeBox needs it too.
Format.Set(ISSUER_URL_FORMAT, value => issuerUrlProblems(value).length === 0)

/** Schemas the token-review bodies reference by $id. */
const context = { OidcIdentityProviderConfigRequest }

const oidc = { identityProviderConfigName: 'corp', issuerUrl: 'https://idp.example.com', clientId: 'kubernetes' }
const claims = { iss: 'https://idp.example.com', aud: 'kubernetes', sub: 'abc', exp: 4102444800 }

const cases: Array<[string, TSchema, unknown, boolean]> = [
  ['token review with a token', TokenReviewRequest, { token: 'a.b.c' }, true],
  ['token review with claims', TokenReviewRequest, { claims }, true],
  ['token review with both', TokenReviewRequest, { token: 'a.b.c', claims }, false],
  ['token review with neither', TokenReviewRequest, {}, false],
  ['token review with an unknown member', TokenReviewRequest, { token: 'a.b.c', verbose: true }, false],
  ['token review with an empty token', TokenReviewRequest, { token: '' }, false],
  ['preview with a token', PreviewRequest, { oidc, token: 'a.b.c' }, true],
  ['preview with claims', PreviewRequest, { oidc: { ...oidc, groupsClaim: 'groups', groupsPrefix: 'oidc:' }, claims }, true],
  ['preview without a config', PreviewRequest, { token: 'a.b.c' }, false],
  ['preview with both token and claims', PreviewRequest, { oidc, token: 'a.b.c', claims }, false],
  ['preview with a system: prefix', PreviewRequest, { oidc: { ...oidc, usernamePrefix: 'system:x' }, claims }, false],
  ['config with an http issuer', OidcIdentityProviderConfigRequest, { ...oidc, issuerUrl: 'http://idp.example.com' }, false],
  ['config with a query in the issuer', OidcIdentityProviderConfigRequest, { ...oidc, issuerUrl: 'https://idp.example.com/?a=b' }, false],
  ['rbac query for a group', RbacQuery, { group: 'engineering', clusterRole: 'view' }, true],
  ['rbac query for a user in a namespace', RbacQuery, { user: 'abc', clusterRole: 'edit', namespace: 'team-a' }, true],
  ['rbac query without a role', RbacQuery, { group: 'engineering' }, false],
  ['rbac query with a bad namespace', RbacQuery, { group: 'a', clusterRole: 'view', namespace: 'Team_A' }, false]
]

for (const [name, schema, value, valid] of cases) {
  t.test(name, async t => {
    // given / when
    const result = Value.Check(context, schema, value)

    // then
    t.equal(result, valid)
  })
}

t.test('the status of real reviews matches the response schema', async t => {
  // given
  const config = { ...oidc, groupsClaim: 'groups' }

  // when
  const accepted = reviewClaims(config, { ...claims, groups: ['a'] })
  const refused = reviewClaims(config, { ...claims, aud: 'x', groups: 5 })

  // then
  t.ok(Value.Check(TokenReviewStatus, accepted), JSON.stringify([...Value.Errors(TokenReviewStatus, accepted)]))
  t.ok(Value.Check(TokenReviewStatus, refused), JSON.stringify([...Value.Errors(TokenReviewStatus, refused)]))
  t.ok(Value.Check(TokenReviewStatus, { ...accepted, verified: true }))
})

t.test('an RBAC binding (without the manifest object) matches the response schema', async t => {
  // given
  const { manifest, ...response } = rbacBinding({ config: oidc, group: 'engineering', clusterRole: 'view', namespace: 'team-a' })

  // when
  const valid = Value.Check(RbacBindingResponse, response)

  // then
  t.ok(manifest)
  t.ok(valid, JSON.stringify([...Value.Errors(RbacBindingResponse, response)]))
})

function undescribed (schema: Record<string, unknown>, path: string): string[] {
  const found: string[] = []
  const properties = schema.properties as Record<string, Record<string, unknown>> | undefined
  for (const [name, property] of Object.entries(properties ?? {})) {
    if (typeof property.description !== 'string' || property.description.length === 0) found.push(`${path}.${name}`)
    found.push(...undescribed(property, `${path}.${name}`))
  }
  for (const key of ['anyOf', 'items'] as const) {
    const nested = schema[key]
    for (const [i, member] of (Array.isArray(nested) ? nested : nested ? [nested] : []).entries()) {
      found.push(...undescribed(member as Record<string, unknown>, `${path}.${key}[${i}]`))
    }
  }
  return found
}

const published: Array<[string, TSchema]> = [
  ['TokenReviewRequest', TokenReviewRequest],
  ['PreviewRequest', PreviewRequest],
  ['TokenReviewStatus', TokenReviewStatus],
  ['RbacQuery', RbacQuery],
  ['RbacBindingResponse', RbacBindingResponse]
]

for (const [id, schema] of published) {
  t.test(`${id} has its $id and a description on every property`, async t => {
    // given / when
    const missing = undescribed(schema as unknown as Record<string, unknown>, id)

    // then
    t.equal((schema as { $id?: string }).$id, id)
    t.same(missing, [])
  })
}
