/**
 * The service's account registry (`ACCOUNTS_FILE`, docs/many-accounts.md) for what the emulator
 * holds, so a service started against it reaches every seeded account: the default account with
 * its own credentials, every other account through its `eks-oidc-api` role, with the ExternalId
 * that role's trust policy asks for. Regions are those holding clusters, minus disabled ones.
 */
import type { EmulatorAccounts } from './accounts.ts'

/** The role the service assumes in every account but its own (docs/many-accounts.md). */
export const SERVICE_ROLE_NAME = 'eks-oidc-api'

export interface RegistryEntry {
  accountId: string
  partition: 'aws'
  roleArn?: string
  externalId?: string
  regions: string[]
  defaultRegion: string
}

/** The first `sts:ExternalId` a trust policy's StringEquals conditions ask for. */
function externalIdOf (trustPolicy: string): string | undefined {
  const statements = [JSON.parse(trustPolicy).Statement].flat() as Array<{ Condition?: Record<string, Record<string, unknown>> }>
  for (const statement of statements) {
    const value = Object.entries(statement.Condition?.StringEquals ?? {}).find(([key]) => key.toLowerCase() === 'sts:externalid')?.[1]
    if (value !== undefined) return [value].flat()[0] as string
  }
  return undefined
}

export function accountRegistryOf (accounts: EmulatorAccounts): { accounts: RegistryEntry[] } {
  const entries: RegistryEntry[] = []
  for (const accountId of accounts.accountIds()) {
    const isDefault = accountId === accounts.defaultAccountId
    const role = accounts.scope(accountId, accounts.defaultRegion).roles.get(SERVICE_ROLE_NAME)
    if (!isDefault && !role) continue
    const regions = accounts.regionsOf(accountId)
      .filter(region => accounts.isRegionEnabled(accountId, region) && accounts.scope(accountId, region).clusters.size > 0)
      .sort((a, b) => Number(b === accounts.defaultRegion) - Number(a === accounts.defaultRegion) || a.localeCompare(b))
    if (regions.length === 0) regions.push(accounts.defaultRegion)
    const externalId = role && !isDefault ? externalIdOf(role.assumeRolePolicyDocument) : undefined
    entries.push({
      accountId,
      partition: 'aws',
      ...(isDefault ? {} : { roleArn: role?.arn }),
      ...(externalId === undefined ? {} : { externalId }),
      regions,
      defaultRegion: regions[0]
    })
  }
  return { accounts: entries }
}
