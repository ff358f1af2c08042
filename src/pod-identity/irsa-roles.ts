/**
 * Which service accounts a role trusts through IRSA: the subjects (`system:serviceaccount:NS:SA`)
 * its trust policy allows to call `sts:AssumeRoleWithWebIdentity` as a given IAM OIDC provider,
 * read from `StringEquals` or `StringLike` conditions on `<provider>:sub`. A subject with a
 * wildcard cannot become an association (one per service account) and is reported as such.
 */
export interface IrsaSubjects {
  /** Exact `namespace`/`serviceAccount` pairs. */
  serviceAccounts: Array<{ namespace: string, serviceAccount: string }>
  /** Subjects with `*` or `?` (StringLike), which name no single service account. */
  wildcards: string[]
}

type Json = Record<string, unknown>
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value)
const list = (value: unknown): unknown[] => Array.isArray(value) ? value : value === undefined ? [] : [value]
const SUBJECT = /^system:serviceaccount:([^:]+):([^:]+)$/

/** The trust policy as GetRole and ListRoles answer it (URL-encoded JSON), or plain JSON; undefined when unreadable. */
export function readPolicyDocument (text: string | undefined): unknown {
  if (text === undefined) return undefined
  const trimmed = text.trim()
  try {
    return JSON.parse(trimmed.startsWith('{') ? trimmed : decodeURIComponent(trimmed))
  } catch {
    return undefined
  }
}

function allowsWebIdentity (statement: Json, providerArn: string): boolean {
  if (statement.Effect !== 'Allow' || !isObject(statement.Principal)) return false
  const actions = list(statement.Action).map(action => String(action).toLowerCase())
  return list(statement.Principal.Federated).includes(providerArn) &&
    actions.some(action => action === 'sts:assumerolewithwebidentity' || action === 'sts:*' || action === '*')
}

export function irsaSubjects (document: unknown, providerArn: string): IrsaSubjects {
  const issuerKey = providerArn.slice(providerArn.indexOf(':oidc-provider/') + ':oidc-provider/'.length)
  const result: IrsaSubjects = { serviceAccounts: [], wildcards: [] }
  const statements = isObject(document) ? list(document.Statement).filter(isObject) : []
  for (const statement of statements.filter(s => allowsWebIdentity(s, providerArn))) {
    const conditions = isObject(statement.Condition) ? statement.Condition : {}
    for (const [operator, keys] of Object.entries(conditions)) {
      if (!/^String(Equals|Like)(IfExists)?$/.test(operator) || !isObject(keys)) continue
      for (const subject of list(keys[`${issuerKey}:sub`]).map(String)) {
        const match = SUBJECT.exec(subject)
        if (operator.startsWith('StringLike') && /[*?]/.test(subject)) result.wildcards.push(subject)
        else if (match) result.serviceAccounts.push({ namespace: match[1], serviceAccount: match[2] })
      }
    }
  }
  return result
}
