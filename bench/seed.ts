/** Seed files for the emulator process (JSON, which its seed loader reads as YAML too). */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { TempDir } from './temp-dir.ts'

export const READ_CLUSTER = 'bench-read'
export const PUT_CLUSTER = 'bench-put'
export const CONFIG_NAME = 'corp'
/** Never contacted: the emulator stores issuer URLs of configs without fetching them. */
const EXTERNAL_ISSUER = 'https://idp.example.com'

const identityProviderConfig = () => ({
  identityProviderConfigName: CONFIG_NAME,
  issuerUrl: EXTERNAL_ISSUER,
  clientId: 'kubernetes',
  usernameClaim: 'email',
  groupsClaim: 'groups',
  groupsPrefix: 'oidc:'
})

/** Scenarios 1 to 3: one cluster with a config to read, one with an IAM OIDC provider to converge. */
export function requestSeed () {
  return {
    clusters: [
      { name: READ_CLUSTER, identityProviderConfig: identityProviderConfig() },
      { name: PUT_CLUSTER }
    ],
    iamOidcProviders: [{ cluster: PUT_CLUSTER, clientIds: ['sts.amazonaws.com'] }]
  }
}

export interface FleetShape {
  clusters: number
  withConfig: number
  withIamProvider: number
}

/**
 * Scenario 4: `count` clusters; every second one has a config, one in six an IAM OIDC provider
 * (IAM allows 100 providers per account, and scenario 3 uses one).
 */
export function fleetSeed (count: number) {
  const names = Array.from({ length: count }, (_, i) => `fleet-${String(i).padStart(4, '0')}`)
  const clusters = names.map((name, i) => ({ name, ...(i % 2 === 0 ? { identityProviderConfig: identityProviderConfig() } : {}) }))
  const iamOidcProviders = names.filter((_, i) => i % 6 === 1).map(cluster => ({ cluster }))
  const shape: FleetShape = { clusters: count, withConfig: clusters.filter(c => 'identityProviderConfig' in c).length, withIamProvider: iamOidcProviders.length }
  return { seed: { clusters, iamOidcProviders }, shape }
}

export async function writeSeed (dir: TempDir, name: string, seed: unknown): Promise<string> {
  const file = join(dir.path, `${name}.json`)
  await writeFile(file, JSON.stringify(seed))
  return file
}
