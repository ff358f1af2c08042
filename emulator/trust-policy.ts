/**
 * Role trust policies: IAM's checks of the JSON document (`MalformedPolicyDocument`), its size
 * quota (`LimitExceeded`), and the evaluation STS makes on AssumeRole (a Deny wins; else an Allow
 * whose principal, action and conditions all match).
 */
import { QueryError } from './wire-errors.ts'

/**
 * IAM User Guide, "IAM and AWS STS quotas" (reference_iam-quotas.html): "Role trust policy
 * length" is 2,048 characters by default, and IAM does not count white space when it measures a
 * policy against these quotas. IAM answers a longer one with `LimitExceeded` naming ACLSizePerRole.
 */
export const TRUST_POLICY_SIZE_QUOTA = 2048

export type PolicyValues = string[]

export interface TrustStatement {
  effect: 'Allow' | 'Deny'
  /** `*` or a map such as `{ AWS: [...], Federated: [...] }`. */
  principal: '*' | Record<string, PolicyValues>
  actions?: PolicyValues
  notActions?: PolicyValues
  /** operator → condition key (lower case) → values */
  conditions: Record<string, Record<string, PolicyValues>>
}

const VERSIONS = new Set(['2012-10-17', '2008-10-17'])
const PRINCIPAL_TYPES = new Set(['AWS', 'Federated', 'Service', 'CanonicalUser'])
const STATEMENT_FIELDS = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Condition', 'Resource', 'NotResource'])
const AWS_PRINCIPAL = /^(\*|\d{12}|arn:aws[a-z-]*:iam::\d{12}:(root|user\/.+|role\/.+)|arn:aws[a-z-]*:sts::\d{12}:assumed-role\/.+\/.+)$/

const malformed = (message: string) => new QueryError('MalformedPolicyDocument', message)

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

function stringList (value: unknown, what: string): PolicyValues {
  const list = Array.isArray(value) ? value : [value]
  if (list.length === 0 || !list.every(item => typeof item === 'string')) throw malformed(`Syntax errors in policy: ${what} must be a string or a list of strings.`)
  return list as string[]
}

/** Non-whitespace characters, as IAM counts them against the quota. */
export const policySize = (document: string) => document.replace(/\s/g, '').length

export function checkTrustPolicySize (document: string): void {
  if (policySize(document) > TRUST_POLICY_SIZE_QUOTA) {
    throw new QueryError('LimitExceeded', `Cannot exceed quota for ACLSizePerRole: ${TRUST_POLICY_SIZE_QUOTA}`)
  }
}

function parsePrincipal (value: unknown): TrustStatement['principal'] {
  if (value === '*') return '*'
  if (!isObject(value) || Object.keys(value).length === 0) throw malformed('Invalid principal in policy: the Principal must be "*" or an object of principal types.')
  const principal: Record<string, PolicyValues> = {}
  for (const [type, raw] of Object.entries(value)) {
    if (!PRINCIPAL_TYPES.has(type)) throw malformed(`Invalid principal in policy: "${type}"`)
    principal[type] = stringList(raw, `Principal.${type}`)
    if (type === 'AWS') {
      const bad = principal[type].find(arn => !AWS_PRINCIPAL.test(arn))
      if (bad !== undefined) throw malformed(`Invalid principal in policy: "AWS":"${bad}"`)
    }
  }
  return principal
}

function parseActions (value: unknown, field: string): PolicyValues {
  const actions = stringList(value, field)
  const bad = actions.find(action => action !== '*' && !/^[A-Za-z0-9-]+:[A-Za-z0-9*?]+$/.test(action))
  if (bad !== undefined) throw malformed('Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.')
  return actions
}

function parseConditions (value: unknown): TrustStatement['conditions'] {
  if (value === undefined) return {}
  if (!isObject(value)) throw malformed('Syntax errors in policy: Condition must be an object.')
  const conditions: TrustStatement['conditions'] = {}
  for (const [operator, entries] of Object.entries(value)) {
    if (!isObject(entries)) throw malformed(`Syntax errors in policy: Condition ${operator} must be an object.`)
    conditions[operator] = {}
    for (const [key, raw] of Object.entries(entries)) {
      if (!key.includes(':')) throw malformed('Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.')
      conditions[operator][key.toLowerCase()] = stringList(raw, `Condition.${operator}.${key}`)
    }
  }
  return conditions
}

function parseStatement (value: unknown): TrustStatement {
  if (!isObject(value)) throw malformed('Syntax errors in policy: each Statement must be an object.')
  const unknown = Object.keys(value).find(field => !STATEMENT_FIELDS.has(field))
  if (unknown !== undefined) throw malformed(`Syntax errors in policy: unknown field ${unknown}.`)
  if (value.Resource !== undefined || value.NotResource !== undefined) throw malformed(`Has prohibited field ${value.Resource !== undefined ? 'Resource' : 'NotResource'}`)
  if (value.Effect !== 'Allow' && value.Effect !== 'Deny') {
    throw malformed(value.Effect === undefined ? 'Missing required field Effect' : `Invalid effect: ${String(value.Effect)}`)
  }
  if (value.Principal === undefined) throw malformed(value.NotPrincipal === undefined ? 'Missing required field Principal' : 'Has prohibited field NotPrincipal')
  if (value.Action === undefined && value.NotAction === undefined) throw malformed('Missing required field Action')
  return {
    effect: value.Effect,
    principal: parsePrincipal(value.Principal),
    actions: value.Action === undefined ? undefined : parseActions(value.Action, 'Action'),
    notActions: value.NotAction === undefined ? undefined : parseActions(value.NotAction, 'NotAction'),
    conditions: parseConditions(value.Condition)
  }
}

/** Parses a trust policy as IAM checks it on CreateRole and UpdateAssumeRolePolicy. */
export function parseTrustPolicy (document: string): TrustStatement[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(document)
  } catch {
    throw malformed('This policy contains invalid Json')
  }
  if (!isObject(parsed)) throw malformed('This policy contains invalid Json')
  if (parsed.Version !== undefined && !VERSIONS.has(parsed.Version as string)) throw malformed('The policy must contain a valid version string')
  if (parsed.Statement === undefined) throw malformed('Missing required field Statement')
  const statements = Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement]
  if (statements.length === 0) throw malformed('Missing required field Statement')
  return statements.map(parseStatement)
}

/** What STS knows about an AssumeRole call when it evaluates the role's trust policy. */
export interface TrustRequest {
  /** `sts:AssumeRole`, `sts:SetSourceIdentity` or `sts:TagSession`. */
  action: string
  principalAccount: string
  /** The caller's ARNs: its own, and for a session the role's ARN too. */
  principalArns: string[]
  /** Condition keys (lower case) with their values, e.g. `sts:externalid`. */
  context: Record<string, string | undefined>
}

const globToRegex = (glob: string, flags = '') =>
  new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, flags)

function matchesAction (statement: TrustStatement, action: string): boolean {
  const hit = (patterns: PolicyValues) => patterns.some(pattern => globToRegex(pattern, 'i').test(action))
  return statement.actions ? hit(statement.actions) : !hit(statement.notActions ?? [])
}

function matchesPrincipal (statement: TrustStatement, request: TrustRequest): boolean {
  if (statement.principal === '*') return true
  return (statement.principal.AWS ?? []).some(entry =>
    entry === '*' ||
    entry === request.principalAccount ||
    new RegExp(`^arn:aws[a-z-]*:iam::${request.principalAccount}:root$`).test(entry) ||
    request.principalArns.includes(entry))
}

const STRING_OPERATORS: Record<string, (actual: string, expected: string) => boolean> = {
  StringEquals: (actual, expected) => actual === expected,
  StringEqualsIgnoreCase: (actual, expected) => actual.toLowerCase() === expected.toLowerCase(),
  StringLike: (actual, expected) => globToRegex(expected).test(actual)
}

/** One condition operator; unknown operators never hold, so an Allow the emulator cannot read denies. */
function holds (operator: string, entries: Record<string, PolicyValues>, context: TrustRequest['context']): boolean {
  const ifExists = operator.endsWith('IfExists')
  const base = ifExists ? operator.slice(0, -'IfExists'.length) : operator
  const negated = /^StringNot/.test(base)
  const compare = STRING_OPERATORS[negated ? base.replace('StringNot', 'String') : base]
  if (!compare) return false
  return Object.entries(entries).every(([key, expected]) => {
    const actual = context[key]
    if (actual === undefined) return ifExists || negated
    const any = expected.some(value => compare(actual, value))
    return negated ? !any : any
  })
}

const applies = (statement: TrustStatement, request: TrustRequest) =>
  matchesAction(statement, request.action) && matchesPrincipal(statement, request) &&
  Object.entries(statement.conditions).every(([operator, entries]) => holds(operator, entries, request.context))

export function trustAllows (document: string, request: TrustRequest): boolean {
  let statements: TrustStatement[]
  try {
    statements = parseTrustPolicy(document)
  } catch {
    return false
  }
  const matching = statements.filter(statement => applies(statement, request))
  return matching.some(statement => statement.effect === 'Allow') && !matching.some(statement => statement.effect === 'Deny')
}
