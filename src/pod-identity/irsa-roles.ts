/**
 * Which service accounts a role trusts through IRSA: the subjects (`system:serviceaccount:NS:SA`)
 * its trust policy allows to call `sts:AssumeRoleWithWebIdentity` as a given IAM OIDC provider,
 * read from `StringEquals` or `StringLike` conditions on `<provider>:sub`. A subject with a
 * wildcard cannot become an association (one per service account) and is reported as such.
 * Policies are read with src/trust (the IRSA trust-policy module).
 */
import { hasWildcard, parseOperator } from '../trust/conditions.ts'
import { coversAction, coversProvider, parseProviderArn, subKey, WEB_IDENTITY_ACTION } from '../trust/irsa.ts'
import { parsePolicyDocument, PolicyDocumentError, type PolicyDocument } from '../trust/policy-document.ts'

export interface IrsaSubjects {
  /** Exact `namespace`/`serviceAccount` pairs. */
  serviceAccounts: Array<{ namespace: string, serviceAccount: string }>
  /** Subjects with `*` or `?` under StringLike, which name no single service account. */
  wildcards: string[]
}

const SUBJECT = /^system:serviceaccount:([^:]+):([^:]+)$/
const SUBJECT_OPERATORS = new Set(['StringEquals', 'StringLike'])

/** The trust policy as GetRole and ListRoles answer it (URL-encoded JSON), or plain JSON; undefined when unreadable. */
export function readPolicyDocument (text: string | undefined): PolicyDocument | undefined {
  if (text === undefined) return undefined
  try {
    return parsePolicyDocument(text)
  } catch (error) {
    if (error instanceof PolicyDocumentError) return undefined
    throw error
  }
}

export function irsaSubjects (document: PolicyDocument | undefined, providerArn: string): IrsaSubjects {
  const result: IrsaSubjects = { serviceAccounts: [], wildcards: [] }
  const issuerKey = parseProviderArn(providerArn)?.issuerKey
  if (!document || issuerKey === undefined) return result
  const trusting = document.Statement.filter(s => s.Effect === 'Allow' && coversProvider(s, providerArn) && coversAction(s, WEB_IDENTITY_ACTION))
  for (const statement of trusting) {
    for (const [operator, keys] of Object.entries(statement.Condition ?? {})) {
      const { base, qualifier } = parseOperator(operator)
      if (!SUBJECT_OPERATORS.has(base) || qualifier !== undefined) continue
      for (const subject of keys[subKey(issuerKey)] ?? []) {
        const match = SUBJECT.exec(subject)
        if (base === 'StringLike' && hasWildcard(subject)) result.wildcards.push(subject)
        else if (match) result.serviceAccounts.push({ namespace: match[1], serviceAccount: match[2] })
      }
    }
  }
  return result
}
