/**
 * Runs the emulator standalone: `npx node emulator/main.ts`.
 * Env: EMULATOR_PORT (default 4566), EMULATOR_HOST (default 127.0.0.1), EMULATOR_SEED (path of a
 * JSON or YAML seed file), EMULATOR_TRANSITION_DELAY_MS (default 0), EMULATOR_ACCOUNT_ID,
 * EMULATOR_REGION.
 */
import { startAwsEmulator } from './aws-emulator.ts'
import { loadSeedFile } from './seed.ts'

function intFromEnv (name: string, fallback: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got ${raw}`)
  return value
}

const seedPath = process.env.EMULATOR_SEED
const emulator = await startAwsEmulator({
  port: intFromEnv('EMULATOR_PORT', 4566),
  host: process.env.EMULATOR_HOST || '127.0.0.1',
  transitionDelayMs: intFromEnv('EMULATOR_TRANSITION_DELAY_MS', 0),
  accountId: process.env.EMULATOR_ACCOUNT_ID || undefined,
  region: process.env.EMULATOR_REGION || undefined,
  seed: seedPath ? await loadSeedFile(seedPath) : undefined
})

console.log(`AWS emulator (EKS, IAM, STS) listening on ${emulator.url}`)
console.log(`OIDC issuers on ${emulator.issuerBaseUrl} (CA bundle: ${emulator.caFile}, thumbprint ${emulator.issuerThumbprint})`)
for (const state of emulator.accounts.allStates()) {
  for (const cluster of state.clusters.values()) console.log(`  cluster ${cluster.name} (${state.accountId}, ${state.region}): issuer ${cluster.issuer}`)
}
for (const idp of emulator.state.identityProviders.values()) console.log(`  identity provider ${idp.name}: ${idp.issuerUrl}`)

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    emulator.close().then(() => process.exit(0), () => process.exit(1))
  })
}
