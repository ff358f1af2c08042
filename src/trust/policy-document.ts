/**
 * IAM policy documents as data: parsed from the text IAM stores (plain JSON, or URL-encoded as
 * GetRole answers it), measured as IAM measures them against its quotas, rendered back to JSON.
 * Framework-free; nothing here calls AWS.
 */

export type Effect = 'Allow' | 'Deny'

/** A principal as the policy grammar allows it: `"*"` or a map of kind to one value or a list. */
export type Principal = '*' | Record<string, string[]>

/** Condition operator → condition key → values (always a list; numbers and booleans as text). */
export type ConditionBlock = Record<string, Record<string, string[]>>

export interface PolicyStatement {
  Sid?: string
  Effect: Effect
  Principal?: Principal
  NotPrincipal?: Principal
  Action?: string[]
  NotAction?: string[]
  Condition?: ConditionBlock
  /**
   * The statement exactly as written, so that a statement nobody changes is rendered back
   * unchanged; absent on a statement built here.
   */
  source?: Record<string, unknown>
}

export interface PolicyDocument {
  Version?: string
  Id?: string
  Statement: PolicyStatement[]
}

export const POLICY_VERSION = '2012-10-17'

/**
 * IAM's quota on a role's trust policy (AssumeRolePolicySizePerRole): 2,048 characters by default,
 * raised on request up to 8,192, and "IAM doesn't count white space when calculating the size of a
 * policy against these limits" (IAM User Guide, "IAM and AWS STS quotas",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html).
 */
export const TRUST_POLICY_DEFAULT_LIMIT = 2048
export const TRUST_POLICY_MAX_LIMIT = 8192

export class PolicyDocumentError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'PolicyDocumentError'
  }
}

/** Characters counted against the trust-policy quota: every character that is not white space. */
export function policySize (text: string): number {
  return text.replace(/\s/g, '').length
}

/**
 * The policy in `text`. GetRole answers the document URL-encoded (RFC 3986), the CLI and the
 * console show it decoded: both are read. Throws PolicyDocumentError naming what is wrong.
 */
export function parsePolicyDocument (text: string): PolicyDocument {
  const json = decodedPolicyText(text)
  let value: unknown
  try {
    value = JSON.parse(json)
  } catch {
    throw new PolicyDocumentError('the policy document is not JSON')
  }
  if (!isObject(value)) throw new PolicyDocumentError('the policy document is not a JSON object')
  const statements = value.Statement
  if (statements === undefined) throw new PolicyDocumentError('the policy document has no Statement')
  const list = Array.isArray(statements) ? statements : [statements]
  return {
    ...(typeof value.Version === 'string' ? { Version: value.Version } : {}),
    ...(typeof value.Id === 'string' ? { Id: value.Id } : {}),
    Statement: list.map((statement, index) => parseStatement(statement, index))
  }
}

function decodedPolicyText (text: string): string {
  const trimmed = text.trim()
  if (trimmed.startsWith('{')) return trimmed
  try {
    return decodeURIComponent(trimmed)
  } catch {
    throw new PolicyDocumentError('the policy document is neither JSON nor URL-encoded JSON')
  }
}

function parseStatement (value: unknown, index: number): PolicyStatement {
  const where = `Statement[${index}]`
  if (!isObject(value)) throw new PolicyDocumentError(`${where} is not an object`)
  if (value.Effect !== 'Allow' && value.Effect !== 'Deny') throw new PolicyDocumentError(`${where}.Effect must be Allow or Deny`)
  const statement: PolicyStatement = { Effect: value.Effect, source: value }
  if (typeof value.Sid === 'string') statement.Sid = value.Sid
  if (value.Principal !== undefined) statement.Principal = parsePrincipal(value.Principal, `${where}.Principal`)
  if (value.NotPrincipal !== undefined) statement.NotPrincipal = parsePrincipal(value.NotPrincipal, `${where}.NotPrincipal`)
  if (value.Action !== undefined) statement.Action = stringList(value.Action, `${where}.Action`)
  if (value.NotAction !== undefined) statement.NotAction = stringList(value.NotAction, `${where}.NotAction`)
  if (value.Condition !== undefined) statement.Condition = parseConditions(value.Condition, `${where}.Condition`)
  return statement
}

function parsePrincipal (value: unknown, where: string): Principal {
  if (value === '*') return '*'
  if (!isObject(value)) throw new PolicyDocumentError(`${where} must be "*" or an object such as {"Federated": …}`)
  return Object.fromEntries(Object.entries(value).map(([kind, names]) => [kind, stringList(names, `${where}.${kind}`)]))
}

function parseConditions (value: unknown, where: string): ConditionBlock {
  if (!isObject(value)) throw new PolicyDocumentError(`${where} must be an object of operators`)
  return Object.fromEntries(Object.entries(value).map(([operator, keys]) => {
    if (!isObject(keys)) throw new PolicyDocumentError(`${where}.${operator} must be an object of condition keys`)
    return [operator, Object.fromEntries(Object.entries(keys).map(([key, values]) => [key, conditionValues(values, `${where}.${operator}.${key}`)]))]
  }))
}

function stringList (value: unknown, where: string): string[] {
  const list = Array.isArray(value) ? value : [value]
  if (list.some(item => typeof item !== 'string')) throw new PolicyDocumentError(`${where} must be a string or a list of strings`)
  return list as string[]
}

function conditionValues (value: unknown, where: string): string[] {
  const list = Array.isArray(value) ? value : [value]
  const scalar = (item: unknown) => typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean'
  if (!list.every(scalar)) throw new PolicyDocumentError(`${where} must be a value or a list of values`)
  return list.map(String)
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * The statement as JSON. A single value stays a single value, as IAM users write it; members in
 * the grammar's order (Sid, Effect, Principal, Action, Condition) then any others as written.
 */
export function renderStatement (statement: PolicyStatement): Record<string, unknown> {
  const one = (list: string[]) => list.length === 1 ? list[0] : list
  const principal = (p: Principal) => p === '*' ? '*' : Object.fromEntries(Object.entries(p).map(([kind, names]) => [kind, one(names)]))
  const rendered: Record<string, unknown> = {}
  if (statement.Sid !== undefined) rendered.Sid = statement.Sid
  rendered.Effect = statement.Effect
  if (statement.Principal !== undefined) rendered.Principal = principal(statement.Principal)
  if (statement.NotPrincipal !== undefined) rendered.NotPrincipal = principal(statement.NotPrincipal)
  if (statement.Action !== undefined) rendered.Action = one(statement.Action)
  if (statement.NotAction !== undefined) rendered.NotAction = one(statement.NotAction)
  for (const [member, value] of Object.entries(statement.source ?? {})) {
    if (!(member in rendered) && member !== 'Condition') rendered[member] = value
  }
  if (statement.Condition !== undefined) {
    rendered.Condition = Object.fromEntries(Object.entries(statement.Condition).map(([operator, keys]) =>
      [operator, Object.fromEntries(Object.entries(keys).map(([key, values]) => [key, one(values)]))]))
  }
  return rendered
}

/** The document as a JSON value; statements nobody changed keep their `source` exactly. */
export function renderPolicy (document: PolicyDocument, changed: ReadonlySet<PolicyStatement> = new Set()): Record<string, unknown> {
  return {
    Version: document.Version ?? POLICY_VERSION,
    ...(document.Id !== undefined ? { Id: document.Id } : {}),
    Statement: document.Statement.map(s => s.source === undefined || changed.has(s) ? renderStatement(s) : s.source)
  }
}

/** Compact JSON: the text sent to IAM, and the one whose size is counted. */
export function policyText (document: PolicyDocument, changed?: ReadonlySet<PolicyStatement>): string {
  return JSON.stringify(renderPolicy(document, changed))
}
