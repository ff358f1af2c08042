import t from 'tap'
import { parse } from 'yaml'
import { ServiceError } from '../../src/errors.ts'
import { rbacBinding, type RbacBindingInput } from '../../src/token-review/rbac-binding.ts'
import type { OidcConfig } from '../../src/token-review/types.ts'

const ISSUER = 'https://idp.example.com'
const config = (extra: Partial<OidcConfig> = {}): OidcConfig =>
  ({ identityProviderConfigName: 'corp', issuerUrl: ISSUER, clientId: 'kubernetes', ...extra })

interface Row {
  name: string
  input: RbacBindingInput
  kind: 'ClusterRoleBinding' | 'RoleBinding'
  subject: { kind: 'Group' | 'User', name: string }
  bindingName?: string
  namespace?: string
}

const rows: Row[] = [
  { name: 'group with groupsPrefix', input: { config: config({ groupsClaim: 'groups', groupsPrefix: 'oidc:' }), group: 'engineering', clusterRole: 'view' }, kind: 'ClusterRoleBinding', subject: { kind: 'Group', name: 'oidc:engineering' } },
  { name: 'group without groupsPrefix', input: { config: config({ groupsClaim: 'groups' }), group: 'engineering', clusterRole: 'edit' }, kind: 'ClusterRoleBinding', subject: { kind: 'Group', name: 'engineering' } },
  { name: 'user by sub without prefix gets issuer#', input: { config: config(), user: 'abc', clusterRole: 'view' }, kind: 'ClusterRoleBinding', subject: { kind: 'User', name: 'https://idp.example.com#abc' } },
  { name: 'user by email without prefix is the bare address', input: { config: config({ usernameClaim: 'email' }), user: 'jane@example.com', clusterRole: 'cluster-admin' }, kind: 'ClusterRoleBinding', subject: { kind: 'User', name: 'jane@example.com' } },
  { name: 'user with prefix "-"', input: { config: config({ usernamePrefix: '-' }), user: 'abc', clusterRole: 'view' }, kind: 'ClusterRoleBinding', subject: { kind: 'User', name: 'abc' } },
  { name: 'user with a custom prefix', input: { config: config({ usernamePrefix: 'oidc:' }), user: 'abc', clusterRole: 'view' }, kind: 'ClusterRoleBinding', subject: { kind: 'User', name: 'oidc:abc' } },
  { name: 'namespace gives a RoleBinding to the ClusterRole', input: { config: config({ groupsPrefix: 'cognito:' }), group: 'developers', clusterRole: 'edit', namespace: 'team-a', bindingName: 'developers-edit' }, kind: 'RoleBinding', subject: { kind: 'Group', name: 'cognito:developers' }, bindingName: 'developers-edit', namespace: 'team-a' },
  { name: 'a system: role name can be granted', input: { config: config({ groupsPrefix: 'oidc:' }), group: 'viewers', clusterRole: 'system:aggregate-to-view' }, kind: 'ClusterRoleBinding', subject: { kind: 'Group', name: 'oidc:viewers' } }
]

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/

for (const row of rows) {
  t.test(row.name, async t => {
    // given
    const { input } = row

    // when
    const result = rbacBinding(input)
    const manifest = parse(result.yaml)

    // then
    t.equal(manifest.apiVersion, 'rbac.authorization.k8s.io/v1')
    t.equal(manifest.kind, row.kind)
    t.equal(result.kind, row.kind)
    t.equal(manifest.metadata.name, result.name)
    t.ok(DNS1123_SUBDOMAIN.test(manifest.metadata.name) && manifest.metadata.name.length <= 253, `valid name ${manifest.metadata.name}`)
    if (row.bindingName) t.equal(manifest.metadata.name, row.bindingName)
    t.equal(manifest.metadata.namespace, row.namespace)
    t.equal(manifest.metadata.annotations['eks-oidc-api.dev/identity-provider-config'], 'corp')
    t.same(manifest.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: input.clusterRole })
    t.equal(manifest.subjects.length, 1)
    t.equal(manifest.subjects[0].apiGroup, 'rbac.authorization.k8s.io')
    t.equal(manifest.subjects[0].kind, row.subject.kind)
    t.equal(manifest.subjects[0].name, row.subject.name)
    t.same(result.manifest, manifest, 'the YAML and the object agree')
  })
}

t.test('generated names are stable, valid and distinct', async t => {
  // given
  const input = { config: config({ groupsPrefix: 'oidc:' }), clusterRole: 'view' }

  // when
  const first = rbacBinding({ ...input, group: 'Platform Engineers!' }).name
  const again = rbacBinding({ ...input, group: 'Platform Engineers!' }).name
  const other = rbacBinding({ ...input, group: 'platform-engineers' }).name
  const long = rbacBinding({ ...input, group: 'x'.repeat(500) }).name

  // then
  t.equal(first, again)
  t.not(first, other, 'names that sanitize alike still differ')
  t.match(first, /^oidc-group-oidc-platform-engineers-view-[0-9a-f]{8}$/)
  for (const name of [first, other, long]) t.ok(DNS1123_SUBDOMAIN.test(name) && name.length <= 63, name)
})

const invalid: Array<[string, Partial<RbacBindingInput>, string]> = [
  ['neither group nor user', {}, '/querystring/group'],
  ['both group and user', { group: 'a', user: 'b' }, '/querystring/group'],
  ['a system: group', { group: 'system:masters' }, '/querystring/group'],
  ['a system: user', { user: 'system:admin', config: config({ usernamePrefix: '-' }) }, '/querystring/user'],
  ['a binding name that is not DNS-1123', { group: 'a', bindingName: 'Admins_Binding' }, '/querystring/bindingName'],
  ['a namespace that is not a DNS-1123 label', { group: 'a', namespace: 'Team.A' }, '/querystring/namespace'],
  ['a role name with a slash', { group: 'a', clusterRole: 'view/x' }, '/querystring/clusterRole'],
  ['a config whose groupsPrefix contains system:', { group: 'a', config: config({ groupsPrefix: 'system:' }) }, '/querystring/groupsPrefix'],
  ['a prefix that completes to system:', { group: 'tem:masters', config: config({ groupsPrefix: 'sys' }) }, '/querystring/group']
]

for (const [name, override, pointer] of invalid) {
  t.test(`refuses ${name}`, async t => {
    // given
    const input = { config: config(), clusterRole: 'view', ...override } as RbacBindingInput

    // when
    let thrown: unknown
    try { rbacBinding(input) } catch (error) { thrown = error }

    // then
    t.ok(thrown instanceof ServiceError, 'a ServiceError')
    const error = thrown as ServiceError
    t.equal(error.status, 400)
    t.equal(error.code, 'InvalidParameterException')
    t.ok((error.errors ?? []).some(e => e.pointer === pointer), `points at ${pointer}: ${JSON.stringify(error.errors)}`)
  })
}
