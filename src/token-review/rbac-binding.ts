/**
 * Builds the (Cluster)RoleBinding that grants a role to an OIDC group or user, with the subject
 * name written exactly as the API server will see it: the config's prefixes applied. Getting this
 * name wrong (the `issuer#` username prefix, a forgotten groups prefix) is the most common reason
 * an OIDC login succeeds but every request is forbidden.
 */
import { createHash } from 'node:crypto'
import { stringify } from 'yaml'
import { problem, type FieldError } from '../errors.ts'
import { containsSystemPrefix, kubernetesGroup, kubernetesUsername } from './identity-mapping.ts'
import type { OidcConfig } from './types.ts'

const RBAC_API_GROUP = 'rbac.authorization.k8s.io'
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
const MAX_SUBDOMAIN = 253
const MAX_LABEL = 63
/** Generated names stay short enough to read and leave room for the hash suffix. */
const GENERATED_STEM_LENGTH = 52

export interface RbacBindingInput {
  config: OidcConfig
  /** Group name as the identity provider sends it (without groupsPrefix). */
  group?: string
  /** Username claim value as the identity provider sends it (without the username prefix). */
  user?: string
  clusterRole: string
  /** When given, a RoleBinding in this namespace; otherwise a ClusterRoleBinding. */
  namespace?: string
  bindingName?: string
}

export interface RbacSubject {
  kind: 'Group' | 'User'
  apiGroup: typeof RBAC_API_GROUP
  name: string
}

export interface RbacBinding {
  kind: 'ClusterRoleBinding' | 'RoleBinding'
  name: string
  namespace?: string
  subject: RbacSubject
  /** The manifest as an object, for JSON answers. */
  manifest: Record<string, unknown>
  /** The same manifest as YAML, ready for `kubectl apply -f -`. */
  yaml: string
}

const isDns1123Subdomain = (name: string) => name.length <= MAX_SUBDOMAIN && DNS1123_SUBDOMAIN.test(name)
const isDns1123Label = (name: string) => name.length <= MAX_LABEL && DNS1123_LABEL.test(name)
/** RBAC role names only need to be valid path segments (`system:aggregate-to-view` is a role). */
const isPathSegmentName = (name: string) => name.length > 0 && name.length <= MAX_SUBDOMAIN && name !== '.' && name !== '..' && !/[/%]/.test(name)

function validate (input: RbacBindingInput): FieldError[] {
  const errors: FieldError[] = []
  const add = (field: string, detail: string) => errors.push({ pointer: `/querystring/${field}`, detail })
  if ((input.group === undefined) === (input.user === undefined)) add('group', 'give exactly one of group and user')
  for (const field of ['group', 'user'] as const) {
    const value = input[field]
    if (value === undefined) continue
    if (value.length === 0 || value.length > 1024) add(field, 'must be 1 to 1024 characters')
    if (value.startsWith('system:')) add(field, 'must not start with "system:": OIDC identities cannot be Kubernetes system identities')
  }
  if (!isPathSegmentName(input.clusterRole)) add('clusterRole', 'must be a valid role name (1 to 253 characters, no "/" or "%")')
  if (input.namespace !== undefined && !isDns1123Label(input.namespace)) {
    add('namespace', 'must be a DNS-1123 label: 1 to 63 lower-case letters, digits and "-", starting and ending with a letter or digit')
  }
  if (input.bindingName !== undefined && !isDns1123Subdomain(input.bindingName)) {
    add('bindingName', 'must be a DNS-1123 subdomain: up to 253 lower-case letters, digits, "-" and ".", starting and ending with a letter or digit')
  }
  if (containsSystemPrefix(input.config.usernamePrefix)) add('usernamePrefix', 'the config\'s usernamePrefix contains "system:", which EKS refuses')
  if (containsSystemPrefix(input.config.groupsPrefix)) add('groupsPrefix', 'the config\'s groupsPrefix contains "system:", which EKS refuses')
  return errors
}

/** `oidc-<subject>-<role>-<hash>`: readable, valid, and distinct for distinct inputs. */
export function defaultBindingName (subject: RbacSubject, clusterRole: string, namespace?: string): string {
  const stem = `oidc-${subject.kind.toLowerCase()}-${subject.name}-${clusterRole}`
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .slice(0, GENERATED_STEM_LENGTH)
    .replace(/^-+|-+$/g, '')
  const hash = createHash('sha256').update(JSON.stringify([subject.kind, subject.name, clusterRole, namespace ?? ''])).digest('hex').slice(0, 8)
  return `${stem}-${hash}`
}

export function rbacBinding (input: RbacBindingInput): RbacBinding {
  const errors = validate(input)
  if (errors.length) {
    throw problem('InvalidParameter', { detail: 'The RBAC binding request is not valid.', errors })
  }
  const subject: RbacSubject = input.group !== undefined
    ? { kind: 'Group', apiGroup: RBAC_API_GROUP, name: kubernetesGroup(input.config, input.group) }
    : { kind: 'User', apiGroup: RBAC_API_GROUP, name: kubernetesUsername(input.config, input.user as string) }
  if (subject.name.startsWith('system:')) {
    throw problem('InvalidParameter', {
      detail: `The subject would be "${subject.name}"; bindings for system: identities are out of scope of an OIDC config.`,
      errors: [{ pointer: `/querystring/${input.group !== undefined ? 'group' : 'user'}`, detail: 'the prefixed name must not start with "system:"' }]
    })
  }
  const kind = input.namespace === undefined ? 'ClusterRoleBinding' : 'RoleBinding'
  const name = input.bindingName ?? defaultBindingName(subject, input.clusterRole, input.namespace)
  const metadata: Record<string, unknown> = { name }
  if (input.namespace !== undefined) metadata.namespace = input.namespace
  if (input.config.identityProviderConfigName) {
    metadata.annotations = { 'eks-oidc-api.dev/identity-provider-config': input.config.identityProviderConfigName }
  }
  const manifest = {
    apiVersion: `${RBAC_API_GROUP}/v1`,
    kind,
    metadata,
    roleRef: { apiGroup: RBAC_API_GROUP, kind: 'ClusterRole', name: input.clusterRole },
    subjects: [subject]
  }
  return {
    kind,
    name,
    ...(input.namespace === undefined ? {} : { namespace: input.namespace }),
    subject,
    manifest,
    yaml: stringify(manifest)
  }
}
