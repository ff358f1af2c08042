/**
 * The one-command sandbox (`npm run sandbox`): the emulator seeded from emulator/seed.yaml, and
 * the service started as a child process (`node src/server.ts`) configured only through its
 * environment, exactly as in production, pointed at the emulator and trusting its CA.
 *
 * The service gets an account registry (ACCOUNTS_FILE) for every account the seed holds.
 *
 * Env: PORT (service, default 3000), EMULATOR_PORT (default 0: any free port),
 * EMULATOR_SEED (default emulator/seed.yaml), EMULATOR_TRANSITION_DELAY_MS (default 5000),
 * LOG_LEVEL (service, default warn).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { accountRegistryOf } from './account-registry.ts'
import { startAwsEmulator, type AwsEmulator } from './aws-emulator.ts'
import { loadSeedFile } from './seed.ts'
import { stopChild } from './stop-child.ts'

const SERVER_ENTRY = fileURLToPath(new URL('../src/server.ts', import.meta.url))
const DEFAULT_SEED = fileURLToPath(new URL('./seed.yaml', import.meta.url))
// Generous: on a busy 2-core machine the embedded store alone can take several seconds to start.
const READY_TIMEOUT_MS = 120_000

/** Ambient AWS settings that must not leak into the sandboxed service (it only ever talks to the emulator). */
const AWS_AMBIENT = ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_ROLE_ARN', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE']

/** The service's environment for talking to this emulator: endpoints, dummy credentials, egress to its issuers. */
export function sandboxServiceEnv (emulator: AwsEmulator): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_EKS: emulator.url,
    AWS_ENDPOINT_URL_IAM: emulator.url,
    AWS_ENDPOINT_URL_STS: emulator.url,
    AWS_REGION: emulator.region,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    EGRESS_ALLOW_LIST: '127.0.0.1',
    EGRESS_ALLOWED_PORTS: `443,${new URL(emulator.issuerBaseUrl).port}`,
    EGRESS_CA_FILE: emulator.caFile,
    // Authentication is off on loopback only; the service refuses AUTH_MODE=none on any other address.
    AUTH_MODE: 'none',
    // The emulator forgets everything on exit, so the store must too: a replayed answer would
    // otherwise name updates the next emulator never made.
    DATA_DIR: 'memory://',
    HOST: '127.0.0.1'
  }
}

function intFromEnv (name: string, fallback: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw new Error(`${name} must be an integer from 0 to 65535, got ${raw}`)
  return value
}

function childEnv (emulator: AwsEmulator, port: number, accountsFile: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env }
  for (const name of AWS_AMBIENT) delete env[name]
  return { ...env, LOG_LEVEL: process.env.LOG_LEVEL || 'warn', ...sandboxServiceEnv(emulator), ACCOUNTS_FILE: accountsFile, PORT: String(port) }
}

/** Writes the account registry of what the emulator holds; the caller removes `dir` on exit. */
function writeAccountsFile (emulator: AwsEmulator): { dir: string, file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'eks-oidc-api-sandbox-'))
  const file = join(dir, 'accounts.json')
  writeFileSync(file, JSON.stringify(accountRegistryOf(emulator.accounts), null, 2) + '\n')
  return { dir, file }
}

/** One line per (account, region) with clusters: where they are and how the service reaches them. */
function accountLines (emulator: AwsEmulator): string[] {
  return accountRegistryOf(emulator.accounts).accounts.flatMap(entry => entry.regions.map(region => {
    const clusters = [...emulator.scope({ accountId: entry.accountId, region }).clusters.keys()].join(', ')
    const how = entry.roleArn ? `via ${entry.roleArn}` : 'own credentials'
    return `  account ${entry.accountId} ${region.padEnd(12)} ${clusters}   (${how})`
  }))
}

async function waitUntilReady (serviceUrl: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the service exited during start (${child.exitCode ?? child.signalCode})`)
    try {
      const response = await fetch(`${serviceUrl}/readyz`, { signal: AbortSignal.timeout(1000) })
      if (response.ok) return
    } catch {
      // not listening yet
    }
    await new Promise(resolve => setTimeout(resolve, 200))
  }
  throw new Error(`the service was not ready within ${READY_TIMEOUT_MS / 1000} s`)
}

/** What the sandbox prints once both are up; every command works as printed. */
export function banner (serviceUrl: string, emulator: AwsEmulator, corpIssuerUrl: string | undefined, accountsFile?: string): string {
  const associate = JSON.stringify({
    oidc: { identityProviderConfigName: 'corp', issuerUrl: corpIssuerUrl, clientId: 'kubernetes', usernameClaim: 'email', groupsClaim: 'groups', groupsPrefix: 'oidc:' }
  })
  const registryAccount = accountRegistryOf(emulator.accounts).accounts.find(entry => entry.roleArn)?.accountId
  return [
    '',
    'eks-oidc-api sandbox (no AWS account involved)',
    `  service        ${serviceUrl}`,
    `  API docs       ${serviceUrl}/docs`,
    `  AWS emulator   ${emulator.url}   (EKS, IAM, STS; admin API under /_emulator/)`,
    `  corp IdP       ${corpIssuerUrl ?? '(not seeded)'}   (an OIDC identity provider to use as issuerUrl)`,
    `  clusters       ${[...emulator.state.clusters.keys()].join(', ')}`,
    '',
    'Accounts and regions (the service reaches each one through this registry):',
    ...accountLines(emulator),
    ...(accountsFile ? [`  ACCOUNTS_FILE=${accountsFile}`] : []),
    '',
    'Try:',
    `  curl -s ${serviceUrl}/clusters`,
    `  curl -s -X PUT ${serviceUrl}/clusters/demo/oidc-provider -H 'content-type: application/json' -d '{}'`,
    `  curl -s -X POST ${serviceUrl}/clusters/demo/identity-provider-configs -H 'content-type: application/json' -H 'Idempotency-Key: sandbox-associate-corp-0001' -d '${associate}'`,
    ...(registryAccount ? [`  curl -s -X PUT ${serviceUrl}/clusters/demo/oidc-provider/accounts/${registryAccount} -H 'content-type: application/json' -d '{}'`] : []),
    `  curl -s ${serviceUrl}/accounts`,
    `  curl -s ${serviceUrl}/fleet`,
    ...(registryAccount ? [`  curl -s ${serviceUrl}/accounts/${registryAccount}/regions/eu-west-1/clusters`] : []),
    `  curl -s '${serviceUrl}/clusters/demo/oidc-provider/trust-policy?namespace=shop&serviceAccount=cart'`,
    `  curl -s '${serviceUrl}/clusters/demo/service-accounts/shop/cart/pod-identity/preflight?roleArn=arn:aws:iam::111122223333:role/demo-cart'`,
    `  curl -s ${serviceUrl}/clusters/payments-prod/access-entries`,
    '',
    'For the walkthroughs in README.md and docs/api-guide.md:',
    `  export EMU=${emulator.url} CORP=${corpIssuerUrl ?? ''}`,
    '',
    'Ctrl-C stops everything.',
    ''
  ].join('\n')
}

/** Fails at once when another process holds the service's port, before anything starts. */
async function assertPortFree (port: number): Promise<void> {
  const probe = createServer()
  try {
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject)
      probe.listen({ port, host: '127.0.0.1', exclusive: true }, resolve)
    })
  } catch (error) {
    const taken = (error as NodeJS.ErrnoException).code === 'EADDRINUSE'
    throw new Error(taken
      ? `port ${port} on 127.0.0.1 is already in use (another sandbox or service?); stop it, or choose another port with PORT=…`
      : `cannot listen on 127.0.0.1:${port}: ${(error as Error).message}`)
  } finally {
    await new Promise(resolve => probe.close(resolve))
  }
}

async function main () {
  const port = intFromEnv('PORT', 3000)
  try {
    await assertPortFree(port)
  } catch (error) {
    console.error(`sandbox: ${(error as Error).message}`)
    process.exit(1)
  }
  const emulator = await startAwsEmulator({
    port: intFromEnv('EMULATOR_PORT', 0),
    transitionDelayMs: intFromEnv('EMULATOR_TRANSITION_DELAY_MS', 5000),
    seed: await loadSeedFile(process.env.EMULATOR_SEED || DEFAULT_SEED)
  })
  const serviceUrl = `http://127.0.0.1:${port}`
  const accounts = writeAccountsFile(emulator)
  const child = spawn(process.execPath, [SERVER_ENTRY], { env: childEnv(emulator, port, accounts.file), stdio: ['ignore', 'inherit', 'inherit'] })

  let stopping = false
  const stop = async (exitCode: number) => {
    if (stopping) return
    stopping = true
    await stopChild(child)
    await emulator.close()
    rmSync(accounts.dir, { recursive: true, force: true })
    if (exitCode === 0) console.log('sandbox: stopped (service and emulator closed)')
    process.exit(exitCode)
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => { stop(0).catch(() => process.exit(1)) })
  child.once('exit', (code, signal) => {
    if (stopping) return
    // Status 0: the service was told to stop (Ctrl-C reaches the whole process group), so stop too.
    if (code !== 0) console.error(`sandbox: the service stopped unexpectedly (${code ?? signal}); stopping the emulator`)
    stop(code === 0 ? 0 : 1).catch(() => process.exit(1))
  })

  try {
    await waitUntilReady(serviceUrl, child)
  } catch (error) {
    console.error(`sandbox: ${(error as Error).message}`)
    await stop(1)
    return
  }
  console.log(banner(serviceUrl, emulator, emulator.state.identityProviders.get('corp')?.issuerUrl, accounts.file))
}

if (import.meta.main) await main()
