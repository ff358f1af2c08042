/**
 * IRSA diagnosis: why "Not authorized to perform sts:AssumeRoleWithWebIdentity"? Given a role's
 * trust policy and what AWS holds about the cluster's provider, every check with its verdict and
 * reason, and the smallest policy change that makes the call allowed. Pure: the caller reads AWS.
 */
import type { TRUST_POLICY_CHECKS } from '../../schemas/iam.ts'
import { hasWildcard, isPatternOperator, isSupportedOperator, LITERAL_OPERATORS, parseOperator, type KeyResult } from './conditions.ts'
import {
  audKey, coversAction, federatedPrincipals, IRSA_AUDIENCE, irsaStatement, matchStatement, parseProviderArn, policyAllows,
  serviceAccountSubject, statementLabel, subKey, WEB_IDENTITY_ACTION, type IrsaTarget
} from './irsa.ts'
import { policySize, policyText, renderPolicy, renderStatement, type ConditionBlock, type PolicyDocument, type PolicyStatement } from './policy-document.ts'

export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skipped'

/** In the order a diagnosis reports them. */
export type CheckId = typeof TRUST_POLICY_CHECKS[number]

export interface Check { id: CheckId, status: CheckStatus, reason: string }

/** What the caller read about the provider in the role's account. */
export interface ProviderFacts {
  exists: boolean
  /** Served versus registered thumbprints; `error` when the issuer could not be read. */
  thumbprints?: { matches: boolean, missing: string[] } | { error: string }
}

export interface DiagnosisInput {
  document: PolicyDocument
  target: IrsaTarget
  provider: ProviderFacts
  /** The role's trust-policy quota, in non-white-space characters. */
  sizeLimit: number
  /** Said in the provider-exists reason: how to create it. */
  createProviderHint: string
}

export interface PolicyFix {
  /** The statements added (rendered) and the statements changed, before and after. */
  diff: { added: Array<Record<string, unknown>>, changed: Array<{ index: number, before: Record<string, unknown>, after: Record<string, unknown> }> }
  policy: Record<string, unknown>
  /** The text UpdateAssumeRolePolicy would send. */
  text: string
  size: number
}

export interface Diagnosis {
  /** Whether a pod of this service account can assume the role now. */
  allowed: boolean
  checks: Check[]
  size: number
  sizeLimit: number
  /** The policy change that makes the call allowed, when the trust policy is what fails. */
  fix?: PolicyFix
}

const pass = (id: CheckId, reason: string): Check => ({ id, status: 'pass', reason })
const fail = (id: CheckId, reason: string): Check => ({ id, status: 'fail', reason })
const warn = (id: CheckId, reason: string): Check => ({ id, status: 'warn', reason })
const skipped = (id: CheckId, reason: string): Check => ({ id, status: 'skipped', reason })

const quoted = (values: readonly string[]) => values.map(v => `"${v}"`).join(', ')

export function diagnose (input: DiagnosisInput): Diagnosis {
  const { document, target } = input
  const candidate = trustingStatement(document, target)
  const policyAllowsCall = policyAllows(document, target)
  const deny = denyingStatements(document, target)
  // A statement that may already apply (an operator not evaluated) is not "fixed" by guesswork.
  const uncertain = candidate !== undefined && matchStatement(candidate, target).verdict === 'unsupported'
  const fix = policyAllowsCall || uncertain || deny.length > 0 ? undefined : fixFor(document, target, candidate)
  const size = policySize(policyText(document))

  const checks: Check[] = [
    providerCheck(input),
    principalCheck(document, target, candidate),
    ...statementChecks(document, target, candidate),
    denyCheck(document, target, deny),
    thumbprintCheck(input.provider),
    sizeCheck(size, fix, input.sizeLimit)
  ]
  return { allowed: input.provider.exists && policyAllowsCall, checks, size, sizeLimit: input.sizeLimit, ...(fix ? { fix } : {}) }
}

/** The Allow statement the diagnosis reads: the one naming the provider that applies, or comes closest. */
function trustingStatement (document: PolicyDocument, target: IrsaTarget): PolicyStatement | undefined {
  const trusting = document.Statement.filter(s => s.Effect === 'Allow' && matchStatement(s, target).principal)
  return trusting.find(s => matchStatement(s, target).verdict === 'match') ??
    trusting.find(s => coversAction(s, WEB_IDENTITY_ACTION)) ??
    trusting[0]
}

function denyingStatements (document: PolicyDocument, target: IrsaTarget) {
  return document.Statement.filter(s => s.Effect === 'Deny' && matchStatement(s, target).verdict !== 'no-match')
}

function providerCheck ({ provider, target, createProviderHint }: DiagnosisInput): Check {
  const { account } = parseProviderArn(target.providerArn) ?? { account: '?' }
  return provider.exists
    ? pass('provider-exists', `The IAM OIDC provider ${target.providerArn} exists in the role's account ${account}.`)
    : fail('provider-exists', `The role's account ${account} has no IAM OIDC provider for this cluster's issuer (${target.providerArn}); ${createProviderHint}`)
}

function principalCheck (document: PolicyDocument, target: IrsaTarget, candidate: PolicyStatement | undefined): Check {
  if (candidate) return pass('federated-principal', `${statementLabel(document, candidate)} trusts ${target.providerArn}.`)
  const wanted = parseProviderArn(target.providerArn)
  const named = document.Statement
    .filter(s => s.Effect === 'Allow')
    .flatMap(s => federatedPrincipals(s).map(arn => ({ statement: s, arn, parts: parseProviderArn(arn) })))
    .filter(n => n.parts !== undefined)
  const sameIssuer = named.find(n => n.parts?.issuerKey === wanted?.issuerKey)
  if (sameIssuer) {
    return fail('federated-principal', `${statementLabel(document, sameIssuer.statement)} names this cluster's issuer through the provider in account ${sameIssuer.parts?.account} (${sameIssuer.arn}); a role in account ${wanted?.account} must trust the provider in its own account, ${target.providerArn}.`)
  }
  const other = named[0]
  if (other) {
    return fail('federated-principal', `${statementLabel(document, other.statement)} trusts the OIDC provider of issuer "${other.parts?.issuerKey}", not this cluster's issuer "${target.issuerKey}" (a trust policy copied from another cluster's role?).`)
  }
  return fail('federated-principal', `No Allow statement names the Federated principal ${target.providerArn}.`)
}

function statementChecks (document: PolicyDocument, target: IrsaTarget, candidate: PolicyStatement | undefined): Check[] {
  const ids: CheckId[] = ['action', 'operator-fits-value', 'sub-condition', 'aud-condition', 'other-conditions']
  if (!candidate) return ids.map(id => skipped(id, 'No statement trusts this cluster\'s provider.'))
  const label = statementLabel(document, candidate)
  const { conditions } = matchStatement(candidate, target)
  const subject = serviceAccountSubject(target.namespace, target.serviceAccount)
  const onKey = (key: string) => conditions.filter(r => r.key.toLowerCase() === key.toLowerCase())
  const others = conditions.filter(r => ![subKey(target.issuerKey), audKey(target.issuerKey)].some(k => k.toLowerCase() === r.key.toLowerCase()))
  return [
    coversAction(candidate, WEB_IDENTITY_ACTION)
      ? pass('action', `${label} allows ${WEB_IDENTITY_ACTION}.`)
      : fail('action', `${label} allows ${quoted(candidate.Action ?? [])}${candidate.NotAction ? ` (NotAction ${quoted(candidate.NotAction)})` : ''}, not ${WEB_IDENTITY_ACTION}.`),
    operatorCheck(label, [...onKey(subKey(target.issuerKey)), ...onKey(audKey(target.issuerKey))], conditions),
    claimCheck('sub-condition', label, subKey(target.issuerKey), subject, onKey(subKey(target.issuerKey)), 'every service account of the cluster can assume the role'),
    claimCheck('aud-condition', label, audKey(target.issuerKey), IRSA_AUDIENCE, onKey(audKey(target.issuerKey)), 'a token for any audience is accepted'),
    otherConditionsCheck(label, others)
  ]
}

function operatorCheck (label: string, claimResults: KeyResult[], all: KeyResult[]): Check {
  const literalWildcards = claimResults.filter(r => LITERAL_OPERATORS.has(parseOperator(r.operator).base) && r.values.some(hasWildcard))
  const broken = literalWildcards.find(r => r.verdict === 'no-match')
  if (broken) {
    return fail('operator-fits-value', `${label}: ${broken.operator} compares ${quoted(broken.values.filter(hasWildcard))} literally, so "*" and "?" never match; a pattern needs StringLike.`)
  }
  if (literalWildcards.length > 0) {
    return warn('operator-fits-value', `${label}: ${literalWildcards[0].operator} on "${literalWildcards[0].key}" has a "*" or "?", which it compares literally.`)
  }
  const unsupported = [...new Set(all.filter(r => !isSupportedOperator(r.operator)).map(r => r.operator))]
  if (unsupported.length > 0) return warn('operator-fits-value', `${label}: ${unsupported.join(', ')} not evaluated by this service (only the String operators are).`)
  return pass('operator-fits-value', `${label}: every operator fits its values.`)
}

function claimCheck (id: CheckId, label: string, key: string, claim: string, results: KeyResult[], openEnded: string): Check {
  if (results.length === 0) return warn(id, `${label} has no condition on "${key}": ${openEnded}.`)
  const failing = results.find(r => r.verdict === 'no-match')
  if (failing) return fail(id, `${label}: ${failing.operator} "${key}" is ${quoted(failing.values)}, which the token's "${claim}" does not satisfy.`)
  if (results.some(r => r.verdict === 'unsupported')) return warn(id, `${label}: the condition on "${key}" uses an operator this service does not evaluate.`)
  const how = results.some(r => isPatternOperator(r.operator)) ? 'by pattern' : 'exactly'
  return pass(id, `${label}: "${key}" matches "${claim}" ${how}.`)
}

function otherConditionsCheck (label: string, results: KeyResult[]): Check {
  const failing = results.filter(r => r.verdict === 'no-match')
  if (failing.length > 0) return fail('other-conditions', `${label}: ${failing.map(r => `${r.operator} "${r.key}"`).join(', ')} does not hold for a pod's web identity call.`)
  if (results.some(r => r.verdict === 'unsupported')) return warn('other-conditions', `${label}: some conditions use operators this service does not evaluate.`)
  return pass('other-conditions', results.length === 0 ? `${label} has no other conditions.` : `${label}: the other conditions hold.`)
}

function denyCheck (document: PolicyDocument, target: IrsaTarget, deny: PolicyStatement[]): Check {
  if (deny.length === 0) return pass('no-deny', 'No Deny statement applies to this service account.')
  const labels = (statements: PolicyStatement[]) => statements.map(s => statementLabel(document, s)).join(', ')
  const certain = deny.filter(s => matchStatement(s, target).verdict === 'match')
  if (certain.length === 0) {
    return warn('no-deny', `${labels(deny)} may deny ${WEB_IDENTITY_ACTION} to this service account: its conditions use operators this service does not evaluate.`)
  }
  return fail('no-deny', `${labels(certain)} denies ${WEB_IDENTITY_ACTION} to this service account, and a Deny overrides every Allow; it must be changed by hand.`)
}

function thumbprintCheck (provider: ProviderFacts): Check {
  const facts = provider.thumbprints
  if (!provider.exists || facts === undefined) return skipped('thumbprint', 'There is no provider to compare thumbprints with.')
  if ('error' in facts) return warn('thumbprint', `The issuer's certificate chain could not be read: ${facts.error}.`)
  return facts.matches
    ? pass('thumbprint', 'The provider\'s thumbprints include every thumbprint the issuer serves.')
    : fail('thumbprint', `The issuer serves thumbprints the provider lacks (${quoted(facts.missing)}); PUT …/oidc-provider?computeThumbprints=true repairs it.`)
}

function sizeCheck (size: number, fix: PolicyFix | undefined, limit: number): Check {
  if (size > limit) return fail('size', `The trust policy has ${size} characters (white space not counted), over the limit of ${limit}.`)
  if (fix && fix.size > limit) return fail('size', `The policy has ${size} of ${limit} characters, but the fix would make it ${fix.size}, over the limit.`)
  return pass('size', `The trust policy has ${size} of ${limit} characters${fix ? ` (${fix.size} after the fix)` : ''}.`)
}

/** Fix the statement that names the provider when that is enough; otherwise add a rendered statement. */
function fixFor (document: PolicyDocument, target: IrsaTarget, candidate: PolicyStatement | undefined): PolicyFix | undefined {
  const repaired = candidate && repairedStatement(candidate, target)
  if (candidate && repaired) {
    const index = document.Statement.indexOf(candidate)
    const fixed = { ...document, Statement: document.Statement.map(s => s === candidate ? repaired : s) }
    if (policyAllows(fixed, target)) {
      return fixOf(fixed, new Set([repaired]), { added: [], changed: [{ index, before: candidate.source ?? renderStatement(candidate), after: renderStatement(repaired) }] })
    }
  }
  const added = irsaStatement(target)
  const fixed = { ...document, Statement: [...document.Statement, added] }
  return policyAllows(fixed, target) ? fixOf(fixed, new Set(), { added: [renderStatement(added)], changed: [] }) : undefined
}

function fixOf (document: PolicyDocument, changed: Set<PolicyStatement>, diff: PolicyFix['diff']): PolicyFix {
  const text = policyText(document, changed)
  return { diff, policy: renderPolicy(document, changed), text, size: policySize(text) }
}

/**
 * The statement with the action added and its sub and aud conditions made to admit the claim:
 * a pattern under a literal operator moves to StringLike, and the claim joins the values of a
 * plain positive operator. Undefined when a condition cannot be mended so (negated, set-qualified).
 */
function repairedStatement (statement: PolicyStatement, target: IrsaTarget): PolicyStatement | undefined {
  const claims: Array<[string, string]> = [
    [subKey(target.issuerKey), serviceAccountSubject(target.namespace, target.serviceAccount)],
    [audKey(target.issuerKey), IRSA_AUDIENCE]
  ]
  const conditions: ConditionBlock = structuredClone(statement.Condition ?? {})
  const failing = matchStatement(statement, target).conditions.filter(r => r.verdict === 'no-match')
  for (const result of failing) {
    const claim = claims.find(([key]) => key.toLowerCase() === result.key.toLowerCase())?.[1]
    const parsed = parseOperator(result.operator)
    if (claim === undefined || parsed.qualifier !== undefined || !isSupportedOperator(result.operator) || /Not/.test(parsed.base)) return undefined
    if (LITERAL_OPERATORS.has(parsed.base) && result.values.some(hasWildcard)) {
      moveToStringLike(conditions, result)
    } else {
      conditions[result.operator][result.key] = [...result.values, claim]
    }
  }
  const action = coversAction(statement, WEB_IDENTITY_ACTION) ? statement.Action : [...(statement.Action ?? []), WEB_IDENTITY_ACTION]
  if (statement.NotAction !== undefined && action !== statement.Action) return undefined
  return { ...statement, ...(action ? { Action: action } : {}), Condition: conditions }
}

function moveToStringLike (conditions: ConditionBlock, result: KeyResult) {
  const like = result.operator.replace(/StringEquals(IgnoreCase)?/, 'StringLike')
  delete conditions[result.operator][result.key]
  if (Object.keys(conditions[result.operator]).length === 0) delete conditions[result.operator]
  conditions[like] = { ...conditions[like], [result.key]: [...new Set([...(conditions[like]?.[result.key] ?? []), ...result.values])] }
}
