/**
 * The IAM role operations of the emulator (awsQuery): CreateRole, GetRole, ListRoles,
 * UpdateAssumeRolePolicy and DeleteRole, in the account the request is signed for. As in iam.ts:
 * the model's constraints first (`ValidationError`), then IAM's own checks (`MalformedPolicyDocument`,
 * `InvalidInput`, `LimitExceeded`), then the change. Role names are unique regardless of case,
 * and their tag keys are case insensitive (IAM User Guide, "Tagging IAM resources").
 * `AssumeRolePolicyDocument` is stored as given and answered URL-encoded, as IAM returns it.
 */
import { randomBytes } from 'node:crypto'
import type { EmulatorContext } from './context.ts'
import { checkTags, isoSeconds, markerPage, param, readPaging, sortedTags, type Tag } from './iam-common.ts'
import { IAM_SHAPES, ModelValidation } from './iam-input.ts'
import type { RoleRecord } from './state.ts'
import { checkTrustPolicySize, parseTrustPolicy } from './trust-policy.ts'
import { QueryError } from './wire-errors.ts'
import { readTagList, type XmlValue } from './xml.ts'

type Action = (ctx: EmulatorContext, params: URLSearchParams) => XmlValue | undefined

/** IAM's default quotas: roles per account, tags per role. */
const MAX_ROLES = 1000
const MAX_TAGS = 50
const DEFAULT_MAX_SESSION_DURATION = 3600

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'

/** An IAM unique id: a 4-letter prefix (AROA for roles, ASIA for session keys) and 17 characters. */
export function iamId (prefix: string): string {
  return prefix + [...randomBytes(17)].map(byte => ID_ALPHABET[byte % ID_ALPHABET.length]).join('')
}

export const roleKey = (roleName: string) => roleName.toLowerCase()

function renderRole (role: RoleRecord, members: { tags: boolean, lastUsed: boolean }) {
  return {
    Path: role.path,
    RoleName: role.roleName,
    RoleId: role.roleId,
    Arn: role.arn,
    CreateDate: isoSeconds(role.createDateMs),
    // IAM returns policy documents URL-encoded (RFC 3986), as the IAM API reference says of GetRole.
    AssumeRolePolicyDocument: encodeURIComponent(role.assumeRolePolicyDocument),
    Description: role.description,
    MaxSessionDuration: role.maxSessionDuration,
    PermissionsBoundary: role.permissionsBoundaryArn === undefined
      ? undefined
      : { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: role.permissionsBoundaryArn },
    Tags: members.tags && Object.keys(role.tags).length > 0 ? sortedTags(role.tags) : undefined,
    RoleLastUsed: members.lastUsed ? {} : undefined
  }
}

/** Checks the trust policy as IAM does after the model: JSON and policy grammar, then the size quota. */
function checkTrustPolicy (document: string): void {
  parseTrustPolicy(document)
  checkTrustPolicySize(document)
}

export function findRole (ctx: EmulatorContext, roleName: string): RoleRecord {
  const role = ctx.state.roles.get(roleKey(roleName))
  if (!role) throw new QueryError('NoSuchEntity', `The role with name ${roleName} cannot be found.`)
  return role
}

const createRole: Action = (ctx, params) => {
  const roleName = param(params, 'RoleName')
  const document = param(params, 'AssumeRolePolicyDocument')
  const path = param(params, 'Path')
  const description = param(params, 'Description')
  const maxSessionDuration = params.get('MaxSessionDuration')
  const permissionsBoundary = param(params, 'PermissionsBoundary')
  const tagList = readTagList(params, 'Tags')
  const validation = new ModelValidation()
  validation.optional(path, 'path', IAM_SHAPES.path)
  validation.required(roleName, 'roleName', IAM_SHAPES.roleName)
  validation.required(document, 'assumeRolePolicyDocument', IAM_SHAPES.policyDocument)
  validation.optional(description, 'description', IAM_SHAPES.roleDescription)
  validation.integer(maxSessionDuration, 'maxSessionDuration', 3600, 43200)
  validation.optional(permissionsBoundary, 'permissionsBoundary', IAM_SHAPES.permissionsBoundary)
  validation.tags(tagList, 'tags')
  validation.check()

  const tags = checkTags((tagList ?? []) as Tag[], false)
  if (Object.keys(tags).length > MAX_TAGS) throw new QueryError('LimitExceeded', `Cannot exceed quota for TagsPerRole: ${MAX_TAGS}`)
  checkTrustPolicy(document as string)
  const name = roleName as string
  if (ctx.state.roles.has(roleKey(name))) throw new QueryError('EntityAlreadyExists', `Role with name ${name} already exists.`)
  if (ctx.state.roles.size >= MAX_ROLES) throw new QueryError('LimitExceeded', `Cannot exceed quota for RolesPerAccount: ${MAX_ROLES}`)
  const rolePath = path ?? '/'
  const role: RoleRecord = {
    roleName: name,
    roleId: iamId('AROA'),
    arn: `arn:aws:iam::${ctx.accountId}:role${rolePath}${name}`,
    path: rolePath,
    assumeRolePolicyDocument: document as string,
    description,
    maxSessionDuration: maxSessionDuration === null ? DEFAULT_MAX_SESSION_DURATION : Number(maxSessionDuration),
    permissionsBoundaryArn: permissionsBoundary,
    createDateMs: ctx.clock(),
    tags
  }
  ctx.state.roles.set(roleKey(name), role)
  return { Role: renderRole(role, { tags: true, lastUsed: false }) }
}

/** Reads RoleName with its model constraints, plus whatever `validate` adds, then the role. */
function roleOf (ctx: EmulatorContext, params: URLSearchParams, validate: (validation: ModelValidation) => void = () => {}): RoleRecord {
  const roleName = param(params, 'RoleName')
  const validation = new ModelValidation()
  validation.required(roleName, 'roleName', IAM_SHAPES.roleName)
  validate(validation)
  validation.check()
  return findRole(ctx, roleName as string)
}

const getRole: Action = (ctx, params) => ({ Role: renderRole(roleOf(ctx, params), { tags: true, lastUsed: true }) })

/** Sorted by name as IAM lists them; ListRoles leaves out Tags, RoleLastUsed and PermissionsBoundary. */
const listRoles: Action = (ctx, params) => {
  const pathPrefix = param(params, 'PathPrefix')
  const validation = new ModelValidation()
  validation.optional(pathPrefix, 'pathPrefix', IAM_SHAPES.pathPrefix)
  const paging = readPaging(params, validation, IAM_SHAPES.marker)
  validation.check()
  const roles = [...ctx.state.roles.entries()]
    .filter(([, role]) => role.path.startsWith(pathPrefix ?? '/'))
    .sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)
  const { page, IsTruncated, Marker } = markerPage(roles, ([key]) => key, paging())
  return {
    Roles: page.map(([, role]) => ({ ...renderRole(role, { tags: false, lastUsed: false }), PermissionsBoundary: undefined })),
    IsTruncated,
    Marker
  }
}

const updateAssumeRolePolicy: Action = (ctx, params) => {
  const document = param(params, 'PolicyDocument')
  const role = roleOf(ctx, params, validation => validation.required(document, 'policyDocument', IAM_SHAPES.policyDocument))
  checkTrustPolicy(document as string)
  role.assumeRolePolicyDocument = document as string
  return undefined
}

const deleteRole: Action = (ctx, params) => {
  const role = roleOf(ctx, params)
  ctx.state.roles.delete(roleKey(role.roleName))
  return undefined
}

export const ROLE_ACTIONS: Record<string, Action> = {
  CreateRole: createRole,
  GetRole: getRole,
  ListRoles: listRoles,
  UpdateAssumeRolePolicy: updateAssumeRolePolicy,
  DeleteRole: deleteRole
}
