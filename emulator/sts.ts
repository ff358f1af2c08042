/**
 * STS (awsQuery, version 2011-06-15): GetCallerIdentity for the calling credentials, and
 * AssumeRole, which issues temporary credentials for a role in any account the emulator holds.
 * AssumeRole checks the model's constraints first (`ValidationError`, shapes of botocore
 * data/sts/2011-06-15), then the region, the role-chaining limit, the role and its trust policy
 * (`AccessDenied` 403 for a missing role as for a refusal, as STS words both), then the session
 * duration against the role's MaxSessionDuration. Every issued session is remembered in
 * `ctx.accounts.sessions`, so the keys reach the role's account on later calls (credentials.ts).
 */
import { randomBytes } from 'node:crypto'
import type { SessionRecord } from './accounts.ts'
import type { Caller, EmulatorContext } from './context.ts'
import { isoSeconds, param, type Tag } from './iam-common.ts'
import { IAM_SHAPES, ModelValidation } from './iam-input.ts'
import { iamId, roleKey } from './iam-roles.ts'
import type { RoleRecord, TagMap } from './state.ts'
import { trustAllows, type TrustRequest } from './trust-policy.ts'
import { QueryError } from './wire-errors.ts'
import { readMemberList, readTagList, type XmlValue } from './xml.ts'

export const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/'
export const STS_VERSION = '2011-06-15'

const ARN_CHARS = '[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u0085\\u00A0-\\uD7FF\\uE000-\\uFFFD\\u{10000}-\\u{10FFFF}]+'

/** The AssumeRole input shapes of the STS model. */
export const STS_SHAPES = {
  roleArn: { min: 20, max: 2048, pattern: ARN_CHARS },
  roleSessionName: { min: 2, max: 64, pattern: '[\\w+=,.@-]*' },
  externalId: { min: 2, max: 1224, pattern: '[\\w+=,.@:\\/-]*' },
  sourceIdentity: { min: 2, max: 64, pattern: '[\\w+=,.@-]*' },
  policy: { min: 1, pattern: '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+' },
  serialNumber: { min: 9, max: 256, pattern: '[\\w+=/:,.@-]*' },
  tokenCode: { min: 6, max: 6, pattern: '[\\d]*' }
} as const

export const DEFAULT_SESSION_SECONDS = 3600
/** "Role chaining limits your AWS CLI or AWS API role session to a maximum of one hour" (IAM User Guide, id_roles_terms-and-concepts). */
export const CHAINED_SESSION_MAX_SECONDS = 3600
const MAX_TAGS = 50

const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:[\u0021-\u007E]+\/)?([\w+=,.@-]+)$/

type Action = (ctx: EmulatorContext, params: URLSearchParams) => XmlValue

const denied = (caller: Caller, action: string, resource: string) =>
  new QueryError('AccessDenied', `User: ${caller.arn} is not authorized to perform: ${action} on resource: ${resource}`)

interface AssumeRoleInput {
  roleArn: string
  sessionName: string
  durationSeconds?: number
  externalId?: string
  sourceIdentity?: string
  policy?: string
  tags: Tag[]
  transitiveTagKeys: string[]
}

function readAssumeRoleInput (params: URLSearchParams): AssumeRoleInput {
  const roleArn = param(params, 'RoleArn')
  const sessionName = param(params, 'RoleSessionName')
  const duration = params.get('DurationSeconds')
  const externalId = param(params, 'ExternalId')
  const sourceIdentity = param(params, 'SourceIdentity')
  const policy = param(params, 'Policy')
  const tags = readTagList(params, 'Tags')
  const transitiveTagKeys = readMemberList(params, 'TransitiveTagKeys')
  const validation = new ModelValidation()
  validation.required(roleArn, 'roleArn', STS_SHAPES.roleArn)
  validation.required(sessionName, 'roleSessionName', STS_SHAPES.roleSessionName)
  validation.optional(policy, 'policy', STS_SHAPES.policy)
  validation.integer(duration, 'durationSeconds', 900, 43200)
  validation.tags(tags, 'tags')
  validation.list(transitiveTagKeys, 'transitiveTagKeys', IAM_SHAPES.tagKey, MAX_TAGS)
  validation.optional(externalId, 'externalId', STS_SHAPES.externalId)
  validation.optional(param(params, 'SerialNumber'), 'serialNumber', STS_SHAPES.serialNumber)
  validation.optional(param(params, 'TokenCode'), 'tokenCode', STS_SHAPES.tokenCode)
  validation.optional(sourceIdentity, 'sourceIdentity', STS_SHAPES.sourceIdentity)
  validation.check()
  return {
    roleArn: roleArn as string,
    sessionName: sessionName as string,
    durationSeconds: duration === null ? undefined : Number(duration),
    externalId,
    sourceIdentity,
    policy,
    tags: (tags ?? []) as Tag[],
    transitiveTagKeys: transitiveTagKeys ?? []
  }
}

/** STS's own checks of the session tags, after the model's; keys are case insensitive. Our wording. */
function sessionTags (input: AssumeRoleInput, inherited: SessionRecord | undefined): { tags: TagMap, transitive: string[] } {
  const keys = new Set<string>()
  for (const { Key } of input.tags) {
    if (keys.has(Key.toLowerCase())) throw new QueryError('ValidationError', 'Duplicate tag keys found. Please note that Tag keys are case insensitive.')
    keys.add(Key.toLowerCase())
  }
  const stray = input.transitiveTagKeys.find(key => !keys.has(key.toLowerCase()))
  if (stray !== undefined) throw new QueryError('ValidationError', `Transitive tag key ${stray} is not one of the session tags.`)
  // Transitive tags of a chained session pass on and cannot be overridden.
  const passed = Object.fromEntries((inherited?.transitiveTagKeys ?? []).map(key => [key, inherited?.tags[key] as string]))
  const clash = Object.keys(passed).find(key => keys.has(key.toLowerCase()))
  if (clash !== undefined) throw new QueryError('ValidationError', `The transitive session tag ${clash} cannot be overridden.`)
  return {
    tags: { ...passed, ...Object.fromEntries(input.tags.map(({ Key, Value }) => [Key, Value])) },
    transitive: [...Object.keys(passed), ...input.transitiveTagKeys]
  }
}

function findTargetRole (ctx: EmulatorContext, input: AssumeRoleInput): RoleRecord {
  const match = ROLE_ARN.exec(input.roleArn)
  if (!match) throw new QueryError('ValidationError', `${input.roleArn} is not a valid role ARN.`)
  const [, accountId, roleName] = match
  if (!ctx.accounts.isRegionEnabled(accountId, ctx.region)) {
    throw new QueryError('RegionDisabledException',
      `STS is not activated in this region for account:${accountId}. Your account administrator can activate STS in this region using the IAM Console.`)
  }
  if (ctx.caller.session && (input.durationSeconds ?? DEFAULT_SESSION_SECONDS) > CHAINED_SESSION_MAX_SECONDS) {
    throw new QueryError('ValidationError', 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.')
  }
  const role = ctx.accounts.hasAccount(accountId) ? ctx.accounts.scope(accountId, ctx.region).roles.get(roleKey(roleName)) : undefined
  if (!role || role.arn !== input.roleArn) throw denied(ctx.caller, 'sts:AssumeRole', input.roleArn)
  return role
}

const assumeRole: Action = (ctx, params) => {
  const input = readAssumeRoleInput(params)
  const { caller } = ctx
  const inherited = caller.session
  const role = findTargetRole(ctx, input)
  if (inherited?.sourceIdentity !== undefined && input.sourceIdentity !== undefined && input.sourceIdentity !== inherited.sourceIdentity) {
    throw new QueryError('AccessDenied', `SourceIdentity ${inherited.sourceIdentity} of the session cannot be changed to ${input.sourceIdentity}.`)
  }
  const sourceIdentity = input.sourceIdentity ?? inherited?.sourceIdentity
  const { tags, transitive } = sessionTags(input, inherited)
  const trust = (action: string): TrustRequest => ({
    action,
    principalAccount: caller.accountId,
    principalArns: [caller.arn, ...(inherited ? [inherited.roleArn] : [])],
    context: {
      'sts:externalid': input.externalId,
      'sts:rolesessionname': input.sessionName,
      'sts:sourceidentity': sourceIdentity,
      'aws:principalaccount': caller.accountId,
      'aws:principalarn': inherited ? inherited.roleArn : caller.arn
    }
  })
  for (const [action, needed] of [['sts:AssumeRole', true], ['sts:SetSourceIdentity', sourceIdentity !== undefined], ['sts:TagSession', Object.keys(tags).length > 0]] as const) {
    if (needed && !trustAllows(role.assumeRolePolicyDocument, trust(action))) throw denied(caller, action, role.arn)
  }
  const durationSeconds = input.durationSeconds ?? DEFAULT_SESSION_SECONDS
  if (durationSeconds > role.maxSessionDuration) {
    throw new QueryError('ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.')
  }
  if (input.policy !== undefined) checkSessionPolicy(input.policy)

  const now = ctx.clock()
  const session: SessionRecord = {
    accessKeyId: iamId('ASIA'),
    secretAccessKey: randomBytes(30).toString('base64'),
    sessionToken: randomBytes(96).toString('base64'),
    accountId: role.arn.split(':')[4],
    roleArn: role.arn,
    roleId: role.roleId,
    sessionName: input.sessionName,
    assumedRoleArn: `arn:aws:sts::${role.arn.split(':')[4]}:assumed-role/${role.roleName}/${input.sessionName}`,
    sourceIdentity,
    issuedTo: caller.arn,
    issuedAtMs: now,
    expirationMs: now + durationSeconds * 1000,
    tags,
    transitiveTagKeys: transitive
  }
  ctx.accounts.sessions.set(session.accessKeyId, session)
  return {
    Credentials: {
      AccessKeyId: session.accessKeyId,
      SecretAccessKey: session.secretAccessKey,
      SessionToken: session.sessionToken,
      Expiration: isoSeconds(session.expirationMs)
    },
    AssumedRoleUser: { AssumedRoleId: `${role.roleId}:${input.sessionName}`, Arn: session.assumedRoleArn },
    SourceIdentity: sourceIdentity
  }
}

/** An inline session policy must be a JSON policy document. */
function checkSessionPolicy (policy: string): void {
  let parsed: unknown
  try {
    parsed = JSON.parse(policy)
  } catch {
    throw new QueryError('MalformedPolicyDocument', 'The policy is not in the valid JSON format.')
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new QueryError('MalformedPolicyDocument', 'The policy is not in the valid JSON format.')
}

export const STS_ACTIONS: Record<string, Action> = {
  GetCallerIdentity: (ctx) => ({
    UserId: ctx.caller.userId,
    Account: ctx.caller.accountId,
    Arn: ctx.caller.arn
  }),
  AssumeRole: assumeRole
}
