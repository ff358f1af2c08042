/**
 * IAM roles for service accounts (IRSA) in policy terms: the trust statement a role needs for a
 * cluster's pods, and whether a statement applies to the AssumeRoleWithWebIdentity call a pod's
 * token makes (principal, action, conditions).
 */
import { conditionsVerdict, evaluateConditions, hasWildcard, wildcardPattern, type KeyResult, type RequestContext, type Verdict } from './conditions.ts'
import { POLICY_VERSION, type ConditionBlock, type PolicyDocument, type PolicyStatement } from './policy-document.ts'

export const WEB_IDENTITY_ACTION = 'sts:AssumeRoleWithWebIdentity'
/** The audience the EKS pod identity webhook puts in projected service account tokens. */
export const IRSA_AUDIENCE = 'sts.amazonaws.com'

/** What a pod's token presents: the provider it is federated through and its two checked claims. */
export interface IrsaTarget {
  /** `arn:<partition>:iam::<account>:oidc-provider/<issuer host/path>`. */
  providerArn: string
  /** The issuer as IAM's condition keys name it: host and path, no scheme (`<issuerKey>:sub`). */
  issuerKey: string
  namespace: string
  serviceAccount: string
}

export interface ProviderArnParts { partition: string, account: string, issuerKey: string }

export function parseProviderArn (arn: string): ProviderArnParts | undefined {
  const match = /^arn:([a-z-]+):iam::(\d{12}):oidc-provider\/(.+)$/.exec(arn)
  return match ? { partition: match[1], account: match[2], issuerKey: match[3] } : undefined
}

export const serviceAccountSubject = (namespace: string, serviceAccount: string) => `system:serviceaccount:${namespace}:${serviceAccount}`

export const subKey = (issuerKey: string) => `${issuerKey}:sub`
export const audKey = (issuerKey: string) => `${issuerKey}:aud`

/**
 * The trust statement for one service account: `StringEquals` on sub and aud, or, when the
 * namespace or name carries a wildcard, `StringLike` on sub (aud stays exact).
 */
export function irsaStatement (target: IrsaTarget): PolicyStatement {
  const subject = serviceAccountSubject(target.namespace, target.serviceAccount)
  const audience = { [audKey(target.issuerKey)]: [IRSA_AUDIENCE] }
  const Condition: ConditionBlock = hasWildcard(subject)
    ? { StringEquals: audience, StringLike: { [subKey(target.issuerKey)]: [subject] } }
    : { StringEquals: { [subKey(target.issuerKey)]: [subject], ...audience } }
  return { Effect: 'Allow', Principal: { Federated: [target.providerArn] }, Action: [WEB_IDENTITY_ACTION], Condition }
}

export function irsaPolicy (target: IrsaTarget): PolicyDocument {
  return { Version: POLICY_VERSION, Statement: [irsaStatement(target)] }
}

/** The claims IAM checks when a pod of this service account calls AssumeRoleWithWebIdentity. */
export function webIdentityContext (target: IrsaTarget): RequestContext {
  return new Map([
    [subKey(target.issuerKey), [serviceAccountSubject(target.namespace, target.serviceAccount)]],
    [audKey(target.issuerKey), [IRSA_AUDIENCE]]
  ])
}

/** The Federated principals a statement names (none for `"*"`). */
export const federatedPrincipals = (statement: PolicyStatement): string[] =>
  statement.Principal === undefined || statement.Principal === '*' ? [] : statement.Principal.Federated ?? []

/** Whether the statement's principal covers the provider: named as Federated, or `"*"`. */
export function coversProvider (statement: PolicyStatement, providerArn: string): boolean {
  if (statement.NotPrincipal !== undefined) return !principalNames(statement.NotPrincipal).includes(providerArn)
  if (statement.Principal === '*') return true
  if (statement.Principal === undefined) return false
  return (statement.Principal.Federated ?? []).includes(providerArn) || (statement.Principal.AWS ?? []).includes('*')
}

const principalNames = (principal: PolicyStatement['Principal']) =>
  principal === undefined || principal === '*' ? ['*'] : Object.values(principal).flat()

/** Action names are case-insensitive and may carry `*` and `?`. */
export function coversAction (statement: PolicyStatement, action: string): boolean {
  const matches = (pattern: string) => wildcardPattern(pattern.toLowerCase()).test(action.toLowerCase())
  if (statement.NotAction !== undefined) return !statement.NotAction.some(matches)
  return (statement.Action ?? []).some(matches)
}

export interface StatementMatch {
  principal: boolean
  action: boolean
  conditions: KeyResult[]
  /** `match` when the statement applies to the call, `unsupported` when an operator could not be evaluated. */
  verdict: Verdict
}

export function matchStatement (statement: PolicyStatement, target: IrsaTarget): StatementMatch {
  const principal = coversProvider(statement, target.providerArn)
  const action = coversAction(statement, WEB_IDENTITY_ACTION)
  const conditions = evaluateConditions(statement.Condition, webIdentityContext(target))
  const verdict = principal && action ? conditionsVerdict(conditions) : 'no-match'
  return { principal, action, conditions, verdict }
}

/** Whether the policy lets the pod assume the role: an Allow applies and no Deny does. */
export function policyAllows (document: PolicyDocument, target: IrsaTarget): boolean {
  const applying = (effect: string) => document.Statement.filter(s => s.Effect === effect && matchStatement(s, target).verdict === 'match')
  return applying('Allow').length > 0 && applying('Deny').length === 0
}

/** `Statement[2] ("Sid")`: how a reason names a statement. */
export function statementLabel (document: PolicyDocument, statement: PolicyStatement): string {
  const index = document.Statement.indexOf(statement)
  return statement.Sid ? `Statement[${index}] ("${statement.Sid}")` : `Statement[${index}]`
}
