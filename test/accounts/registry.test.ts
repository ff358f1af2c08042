/** The account registry: every rule is refused at start with the member and the rule named. */
import t from 'tap'
import { accountRegistryFromEnv, AccountRegistryError, parseAccountRegistry } from '../../src/accounts/registry.ts'
import { loadConfig } from '../../src/config.ts'
import type { ConfigError } from '../../src/config-spec.ts'

const OWN = { accountId: '111122223333', regions: ['eu-west-1', 'us-east-1'] }
const HUB_ROLE = 'arn:aws:iam::444455556666:role/eks-oidc-api'
const OTHER = { accountId: '444455556666', roleArn: HUB_ROLE, regions: ['eu-west-1'] }

function problemsOf (accounts: unknown[]): string[] {
  try {
    parseAccountRegistry({ accounts }, 'ACCOUNTS')
  } catch (error) {
    if (error instanceof AccountRegistryError) return error.problems
    throw error
  }
  return []
}

t.test('without a registry: one implicit account in AWS_REGION, the default', async t => {
  const registry = accountRegistryFromEnv({}, 'eu-central-1')
  t.equal(registry.implicit, true)
  t.equal(registry.accounts.length, 1)
  t.match(registry.defaultAccount, { accountId: undefined, partition: 'aws', regions: ['eu-central-1'], defaultRegion: 'eu-central-1', isDefault: true })
  t.equal(accountRegistryFromEnv({}, 'cn-north-1').defaultAccount.partition, 'aws-cn', 'the partition follows the region')
  t.equal(loadConfig({ AUTH_MODE: 'none' }).accounts.implicit, true, 'the config without ACCOUNTS keeps the old behaviour')
})

t.test('a valid registry: defaults filled in, the own account is the default, lookups by id', async t => {
  const registry = parseAccountRegistry({ accounts: [OWN, { ...OTHER, externalId: 'ext-123', sessionDurationSeconds: 900, name: 'prod' }] }, 'ACCOUNTS')
  t.equal(registry.implicit, false)
  t.equal(registry.defaultAccount.accountId, '111122223333', 'the account without roleArn is the default')
  t.match(registry.find('444455556666'), { partition: 'aws', defaultRegion: 'eu-west-1', sessionDurationSeconds: 900, externalId: 'ext-123', name: 'prod', isDefault: false })
  t.equal(registry.find('111122223333')?.sessionDurationSeconds, 3600, 'default session length: one hour')
  t.equal(registry.find('999999999999'), undefined)
  const marked = parseAccountRegistry({ accounts: [OWN, { ...OTHER, default: true }] }, 'ACCOUNTS')
  t.equal(marked.defaultAccount.accountId, '444455556666', '`default: true` wins over the own account')
  t.equal(parseAccountRegistry({ accounts: [{ ...OTHER, default: true }] }, 'ACCOUNTS').defaultAccount.accountId, '444455556666', 'a registry of assumed roles only, with one marked default')
})

t.test('every rule is named with its member', async t => {
  const cases: Array<[string, unknown[], RegExp]> = [
    ['account id of 12 digits', [{ ...OWN, accountId: '1234' }], /ACCOUNTS at \/accounts\/0\/accountId: .*pattern/],
    ['partition among the three', [{ ...OWN, partition: 'aws-iso' }], /\/accounts\/0\/partition: must be one of "aws", "aws-cn", "aws-us-gov"/],
    ['at least one region', [{ ...OWN, regions: [] }], /\/accounts\/0\/regions: /],
    ['regions look like regions', [{ ...OWN, regions: ['Europe'] }], /\/accounts\/0\/regions\/0: /],
    ['regions belong to the partition', [{ ...OWN, partition: 'aws-cn', regions: ['cn-north-1', 'eu-west-1'] }], /\/accounts\/0\/regions\/1: region eu-west-1 is not in partition aws-cn/],
    ['the default region is one of them', [{ ...OWN, defaultRegion: 'ap-south-1' }], /\/accounts\/0\/defaultRegion: must be one of the account's regions \(eu-west-1, us-east-1\), got ap-south-1/],
    ['the role is an IAM role ARN', [OWN, { ...OTHER, roleArn: 'arn:aws:iam::444455556666:user/someone' }], /\/accounts\/1\/roleArn: must be an IAM role ARN/],
    ['the role is in the account', [OWN, { ...OTHER, roleArn: 'arn:aws:iam::777788889999:role/x' }], /\/accounts\/1\/roleArn: must be a role of account 444455556666, got one of account 777788889999/],
    ['the role is in the partition', [OWN, { ...OTHER, roleArn: 'arn:aws-cn:iam::444455556666:role/x' }], /\/accounts\/1\/roleArn: must be in partition aws, got aws-cn/],
    ['external id of 2 characters at least', [OWN, { ...OTHER, externalId: 'x' }], /\/accounts\/1\/externalId: /],
    ['external id of at most 1224 characters', [OWN, { ...OTHER, externalId: 'x'.repeat(1225) }], /\/accounts\/1\/externalId: /],
    ['external id characters', [OWN, { ...OTHER, externalId: 'has space' }], /\/accounts\/1\/externalId: .*pattern/],
    ['external id only with a role', [{ ...OWN, externalId: 'abc' }], /\/accounts\/0\/externalId: only an account with a roleArn can have an externalId/],
    ['session of 900 s at least', [OWN, { ...OTHER, sessionDurationSeconds: 899 }], /\/accounts\/1\/sessionDurationSeconds: /],
    ['session of one hour at most (chained sessions)', [OWN, { ...OTHER, sessionDurationSeconds: 3601 }], /\/accounts\/1\/sessionDurationSeconds: /],
    ['session length only with a role', [{ ...OWN, sessionDurationSeconds: 900 }], /\/accounts\/0\/sessionDurationSeconds: only an account with a roleArn has sessions/],
    ['each account once', [OWN, { ...OWN, default: true }], /\/accounts\/1\/accountId: account 111122223333 is already listed at \/accounts\/0/],
    ['one own account', [OWN, { ...OWN, accountId: '222233334444' }], /\/accounts\/1\/roleArn: only the service's own account may go without a roleArn/],
    ['one default', [{ ...OTHER, default: true }, { ...OTHER, accountId: '555566667777', roleArn: 'arn:aws:iam::555566667777:role/r', default: true }], /\/accounts\/1\/default: only one account may be the default/],
    ['a default at all', [OTHER], /no default account: mark one account "default": true, or list the service's own account/],
    ['no unknown members', [{ ...OWN, role: 'x' }], /\/accounts\/0: unknown member "role"/],
    ['at least one account', [], /ACCOUNTS at \/accounts: /]
  ]
  for (const [rule, accounts, message] of cases) {
    const problems = problemsOf(accounts)
    t.ok(problems.some(p => message.test(p)), `${rule}: ${problems.join(' | ')}`)
  }
})

t.test('the config refuses a bad registry at start, listing its problems with the others', async t => {
  const error = t.throws(() => loadConfig({ AUTH_MODE: 'none', PORT: 'x', ACCOUNTS: JSON.stringify({ accounts: [{ ...OWN, defaultRegion: 'ap-south-1' }] }) })) as ConfigError
  t.ok(error.problems.some(p => p.startsWith('PORT ')), 'other problems are still reported')
  t.ok(error.problems.some(p => /ACCOUNTS at \/accounts\/0\/defaultRegion/.test(p)), 'and the registry\'s')
  const bad = t.throws(() => loadConfig({ AUTH_MODE: 'none', ACCOUNTS: '{not json' })) as ConfigError
  t.match(bad.problems, [/^ACCOUNTS is not valid JSON/])
  const both = t.throws(() => loadConfig({ AUTH_MODE: 'none', ACCOUNTS: '{}', ACCOUNTS_FILE: '/x.yaml' })) as ConfigError
  t.match(both.problems, ['set either ACCOUNTS or ACCOUNTS_FILE, not both'])
})

t.test('ACCOUNTS_FILE is read as YAML (or JSON)', async t => {
  const yaml = `accounts:\n  - accountId: "111122223333"\n    regions: [eu-west-1]\n  - accountId: "444455556666"\n    roleArn: ${HUB_ROLE}\n    regions: [eu-west-1, us-east-1]\n    defaultRegion: us-east-1\n`
  const registry = accountRegistryFromEnv({ ACCOUNTS_FILE: '/etc/accounts.yaml' }, 'us-east-1', (path) => { t.equal(path, '/etc/accounts.yaml'); return yaml })
  t.equal(registry.find('444455556666')?.defaultRegion, 'us-east-1')
  const unreadable = t.throws(() => accountRegistryFromEnv({ ACCOUNTS_FILE: '/missing' }, 'us-east-1', () => { throw new Error('ENOENT') })) as AccountRegistryError
  t.match(unreadable.problems, [/ACCOUNTS_FILE \/missing cannot be read as YAML or JSON: ENOENT/])
})
