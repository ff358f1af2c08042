/** GET /accounts: the account registry (docs/many-accounts.md), with a reachability check per account. */
import { Type } from 'typebox'

export const AccountReachability = Type.Object({
  reachable: Type.Boolean({ description: 'Whether the account\'s credentials work and are in this account.' }),
  callerAccount: Type.Optional(Type.String({ description: 'The account the credentials are in, as STS GetCallerIdentity says.' })),
  callerArn: Type.Optional(Type.String({ description: 'The principal the service acts as there (the assumed-role session).' })),
  problem: Type.Optional(Type.Object({
    code: Type.String({ description: 'AccountAccessDenied, AccountUnreachable, AccountMismatch, or the AWS error name.' }),
    detail: Type.String({ description: 'What went wrong, naming the account and role.' })
  }, { additionalProperties: false }))
}, { $id: 'AccountReachability', additionalProperties: false, description: 'STS GetCallerIdentity through the account\'s credentials, bounded by ACCOUNT_CREDENTIALS_TIMEOUT_MS.' })

export const RegisteredAccount = Type.Object({
  accountId: Type.Optional(Type.String({ description: '12-digit account id; absent for the implicit account of a service without registry (its id is its credentials\', see `check`).' })),
  partition: Type.String({ description: '`aws`, `aws-cn` or `aws-us-gov`.' }),
  roleArn: Type.Optional(Type.String({ description: 'The role the service assumes there; absent for the service\'s own account.' })),
  hasExternalId: Type.Boolean({ description: 'Whether the role is assumed with an ExternalId (never shown).' }),
  regions: Type.Array(Type.String(), { description: 'The regions allowed for this account.' }),
  defaultRegion: Type.String({ description: 'The region of this account when none is named.' }),
  sessionDurationSeconds: Type.Optional(Type.Integer({ description: 'Length of the assumed-role sessions.' })),
  name: Type.Optional(Type.String()),
  description: Type.Optional(Type.String()),
  default: Type.Boolean({ description: 'The account of `/clusters/...`.' }),
  check: Type.Optional(Type.Unsafe({ $ref: 'AccountReachability' }))
}, { $id: 'RegisteredAccount', additionalProperties: false, description: 'An account of the registry, without secrets.' })

export const ListAccountsResponse = Type.Object({
  accounts: Type.Array(Type.Unsafe({ $ref: 'RegisteredAccount' }))
}, { $id: 'ListAccountsResponse', additionalProperties: false })

export const ListAccountsQuery = Type.Object({
  check: Type.Optional(Type.Boolean({ default: true, description: 'Check each account\'s reachability (default true); `false` answers the registry alone, without calling AWS.' }))
}, { additionalProperties: false })
