/**
 * The account registry: which AWS accounts the service manages, how it reaches each (the role to
 * assume, its ExternalId, the session length) and in which regions. Read once at start from
 * ACCOUNTS (JSON) or ACCOUNTS_FILE (YAML or JSON); every broken rule is reported with the member
 * that breaks it. Without either, one implicit account stands for the service's own credentials in
 * AWS_REGION, as before the registry existed; its id is learned when first needed.
 */
import { readFileSync } from 'node:fs'
import { Type, type Static } from 'typebox'
import { parse as parseYaml } from 'yaml'
import { ACCOUNT_ID_PATTERN, REGION_PATTERN } from '../../schemas/common.ts'
import { describeSchemaErrors } from '../auth/schema-errors.ts'

export const PARTITIONS = ['aws', 'aws-cn', 'aws-us-gov'] as const
export type Partition = typeof PARTITIONS[number]

/** STS AssumeRole's limits (DurationSeconds): a role chained from another role's session is capped at one hour. */
export const MIN_SESSION_SECONDS = 900
export const MAX_SESSION_SECONDS = 3600
export const DEFAULT_SESSION_SECONDS = 3600

export { ACCOUNT_ID_PATTERN, REGION_PATTERN }
/** STS AssumeRole's ExternalId: 2 to 1224 characters of `[\w+=,.@:/-]`. */
const EXTERNAL_ID_PATTERN = '^[\\w+=,.@:\\/-]*$'
const ROLE_ARN = /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/

const Region = Type.String({ pattern: REGION_PATTERN, description: 'An AWS region such as `eu-west-1`.' })

export const AccountEntry = Type.Object({
  accountId: Type.String({ pattern: ACCOUNT_ID_PATTERN, description: 'The 12-digit AWS account id.' }),
  partition: Type.Optional(Type.Enum([...PARTITIONS], { description: 'The account\'s partition (default `aws`); every region must belong to it.' })),
  roleArn: Type.Optional(Type.String({ minLength: 20, maxLength: 2048, description: 'The role the service assumes in this account; absent for the service\'s own account.' })),
  externalId: Type.Optional(Type.String({ minLength: 2, maxLength: 1224, pattern: EXTERNAL_ID_PATTERN, description: 'The ExternalId the role\'s trust policy requires (a secret: never shown).' })),
  regions: Type.Array(Region, { minItems: 1, uniqueItems: true, description: 'The regions the service may reach in this account.' }),
  defaultRegion: Type.Optional(Type.String({ pattern: REGION_PATTERN, description: 'The region of this account\'s routes when none is named; one of `regions` (default: the first).' })),
  sessionDurationSeconds: Type.Optional(Type.Integer({ minimum: MIN_SESSION_SECONDS, maximum: MAX_SESSION_SECONDS, description: 'Length of the assumed-role sessions, 900 to 3600 seconds (default 3600).' })),
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  description: Type.Optional(Type.String({ maxLength: 256 })),
  default: Type.Optional(Type.Boolean({ description: 'The account of `/clusters/...`; by default the service\'s own account (the one without roleArn).' }))
}, { additionalProperties: false })
export type AccountEntry = Static<typeof AccountEntry>

export const AccountsDocument = Type.Object({
  accounts: Type.Array(AccountEntry, { minItems: 1 })
}, { additionalProperties: false })

export interface Account {
  /** Undefined only for the implicit account before its id is learned. */
  accountId?: string
  partition: Partition
  roleArn?: string
  externalId?: string
  regions: readonly string[]
  defaultRegion: string
  sessionDurationSeconds: number
  name?: string
  description?: string
  isDefault: boolean
}

export interface AccountRegistry {
  /** True when no registry is configured: one account, the service's own credentials, in AWS_REGION. */
  readonly implicit: boolean
  readonly accounts: readonly Account[]
  readonly defaultAccount: Account
  /** The registered account of this id; the implicit registry knows none by id. */
  find (accountId: string): Account | undefined
}

export class AccountRegistryError extends Error {
  readonly problems: string[]
  constructor (problems: string[]) {
    super(`Invalid account registry:\n  - ${problems.join('\n  - ')}`)
    this.name = 'AccountRegistryError'
    this.problems = problems
  }
}

/** The partition a region belongs to, by its name. */
export function partitionOfRegion (region: string): Partition {
  if (region.startsWith('cn-')) return 'aws-cn'
  if (region.startsWith('us-gov-')) return 'aws-us-gov'
  return 'aws'
}

function registryOf (accounts: Account[], implicit: boolean): AccountRegistry {
  const byId = new Map(accounts.filter(a => a.accountId !== undefined).map(a => [a.accountId!, a]))
  const defaultAccount = accounts.find(a => a.isDefault)!
  return Object.freeze({ implicit, accounts: Object.freeze(accounts), defaultAccount, find: (id: string) => byId.get(id) })
}

export function implicitRegistry (region: string): AccountRegistry {
  return registryOf([Object.freeze({
    partition: partitionOfRegion(region),
    regions: Object.freeze([region]),
    defaultRegion: region,
    sessionDurationSeconds: DEFAULT_SESSION_SECONDS,
    isDefault: true
  })], true)
}

/** The rules a schema cannot say: one member against another, one account against the rest. */
function crossChecks (entries: AccountEntry[], label: string): string[] {
  const problems: string[] = []
  const at = (index: number, member?: string) => `${label} at /accounts/${index}${member ? '/' + member : ''}`
  const seen = new Map<string, number>()
  entries.forEach((entry, index) => {
    const partition = entry.partition ?? 'aws'
    const earlier = seen.get(entry.accountId)
    if (earlier !== undefined) problems.push(`${at(index, 'accountId')}: account ${entry.accountId} is already listed at /accounts/${earlier}`)
    seen.set(entry.accountId, index)
    entry.regions.forEach((region, r) => {
      if (partitionOfRegion(region) !== partition) problems.push(`${at(index, `regions/${r}`)}: region ${region} is not in partition ${partition}`)
    })
    if (entry.defaultRegion !== undefined && !entry.regions.includes(entry.defaultRegion)) {
      problems.push(`${at(index, 'defaultRegion')}: must be one of the account's regions (${entry.regions.join(', ')}), got ${entry.defaultRegion}`)
    }
    if (entry.roleArn === undefined) {
      if (entry.externalId !== undefined) problems.push(`${at(index, 'externalId')}: only an account with a roleArn can have an externalId`)
      if (entry.sessionDurationSeconds !== undefined) problems.push(`${at(index, 'sessionDurationSeconds')}: only an account with a roleArn has sessions`)
      return
    }
    const arn = ROLE_ARN.exec(entry.roleArn)
    if (arn === null) problems.push(`${at(index, 'roleArn')}: must be an IAM role ARN, arn:<partition>:iam::<account id>:role/<path and name>`)
    else if (arn[1] !== partition) problems.push(`${at(index, 'roleArn')}: must be in partition ${partition}, got ${arn[1]}`)
    else if (arn[2] !== entry.accountId) problems.push(`${at(index, 'roleArn')}: must be a role of account ${entry.accountId}, got one of account ${arn[2]}`)
  })
  const own = entries.flatMap((entry, index) => entry.roleArn === undefined ? [index] : [])
  if (own.length > 1) problems.push(`${at(own[1], 'roleArn')}: only the service's own account may go without a roleArn, and /accounts/${own[0]} already does`)
  const marked = entries.flatMap((entry, index) => entry.default === true ? [index] : [])
  if (marked.length > 1) problems.push(`${at(marked[1], 'default')}: only one account may be the default, and /accounts/${marked[0]} already is`)
  if (marked.length === 0 && own.length === 0) problems.push(`${label}: no default account: mark one account "default": true, or list the service's own account (without roleArn)`)
  return problems
}

function accountOf (entry: AccountEntry, isDefault: boolean): Account {
  return Object.freeze({
    accountId: entry.accountId,
    partition: entry.partition ?? 'aws',
    ...(entry.roleArn !== undefined ? { roleArn: entry.roleArn } : {}),
    ...(entry.externalId !== undefined ? { externalId: entry.externalId } : {}),
    regions: Object.freeze([...entry.regions]),
    defaultRegion: entry.defaultRegion ?? entry.regions[0],
    sessionDurationSeconds: entry.sessionDurationSeconds ?? DEFAULT_SESSION_SECONDS,
    ...(entry.name !== undefined ? { name: entry.name } : {}),
    ...(entry.description !== undefined ? { description: entry.description } : {}),
    isDefault
  })
}

/** Validates a parsed registry document; throws AccountRegistryError listing every broken rule. */
export function parseAccountRegistry (document: unknown, label: string): AccountRegistry {
  const schemaProblems = describeSchemaErrors(AccountsDocument, document, label)
  if (schemaProblems.length > 0) throw new AccountRegistryError(schemaProblems)
  const entries = (document as Static<typeof AccountsDocument>).accounts
  const problems = crossChecks(entries, label)
  if (problems.length > 0) throw new AccountRegistryError(problems)
  const marked = entries.findIndex(entry => entry.default === true)
  const defaultIndex = marked >= 0 ? marked : entries.findIndex(entry => entry.roleArn === undefined)
  return registryOf(entries.map((entry, index) => accountOf(entry, index === defaultIndex)), false)
}

type Env = Record<string, string | undefined>
const present = (value: string | undefined): value is string => value !== undefined && value.trim() !== ''

/** The registry of ACCOUNTS or ACCOUNTS_FILE, or the implicit one in `region` when neither is set. */
export function accountRegistryFromEnv (env: Env, region: string, readFile: (path: string) => string = (path) => readFileSync(path, 'utf8')): AccountRegistry {
  if (present(env.ACCOUNTS) && present(env.ACCOUNTS_FILE)) throw new AccountRegistryError(['set either ACCOUNTS or ACCOUNTS_FILE, not both'])
  if (present(env.ACCOUNTS_FILE)) {
    const label = `ACCOUNTS_FILE ${env.ACCOUNTS_FILE.trim()}`
    let document: unknown
    try {
      // YAML 1.2 is a superset of JSON, so one parser reads both kinds of file.
      document = parseYaml(readFile(env.ACCOUNTS_FILE.trim()))
    } catch (error) {
      throw new AccountRegistryError([`${label} cannot be read as YAML or JSON: ${(error as Error).message}`])
    }
    return parseAccountRegistry(document, label)
  }
  if (present(env.ACCOUNTS)) {
    let document: unknown
    try {
      document = JSON.parse(env.ACCOUNTS)
    } catch (error) {
      throw new AccountRegistryError([`ACCOUNTS is not valid JSON: ${(error as Error).message}`])
    }
    return parseAccountRegistry(document, 'ACCOUNTS')
  }
  return implicitRegistry(region)
}
