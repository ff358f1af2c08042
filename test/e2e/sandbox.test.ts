/**
 * `npm run sandbox` end to end: start it as a user would, run the curl commands it prints exactly
 * as printed, then stop it with Ctrl-C (SIGINT to its process group) or SIGTERM. The walkthrough
 * of README.md runs against a sandbox started the same way.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import t, { type Test } from 'tap'
import { codeBlockUnder, shellCommands } from '../docs/markdown.ts'
import { freePort } from '../support/free-port.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const START_TIMEOUT_MS = 40_000
const STOP_TIMEOUT_MS = 8000

interface Sandbox {
  child: ChildProcess
  output: () => string
  serviceUrl: string
  emulatorUrl: string
  corpIssuerUrl: string
  curls: string[]
}

/** Starts the sandbox in its own process group and waits for its banner. */
async function startSandbox (t: Test, command: string, args: string[]): Promise<Sandbox> {
  const port = await freePort()
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), EMULATOR_TRANSITION_DELAY_MS: '300', LOG_LEVEL: 'warn' },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  child.stdout?.on('data', chunk => { output += String(chunk) })
  child.stderr?.on('data', chunk => { output += String(chunk) })
  t.teardown(() => {
    // Only if a check failed before the test stopped it.
    if (child.exitCode === null && child.signalCode === null) process.kill(-(child.pid as number), 'SIGKILL')
  })

  const deadline = Date.now() + START_TIMEOUT_MS
  while (!output.includes('Ctrl-C stops everything')) {
    if (child.exitCode !== null) throw new Error(`the sandbox exited early (${child.exitCode}):\n${output}`)
    if (Date.now() > deadline) throw new Error(`no banner within ${START_TIMEOUT_MS} ms:\n${output}`)
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  const field = (label: string) => new RegExp(`^\\s+${label}\\s+(\\S+)`, 'm').exec(output)?.[1] ?? ''
  return {
    child,
    output: () => output,
    serviceUrl: field('service'),
    emulatorUrl: field('AWS emulator'),
    corpIssuerUrl: field('corp IdP'),
    curls: output.split('\n').map(line => line.trim()).filter(line => line.startsWith('curl '))
  }
}

async function waitForExit (child: ChildProcess): Promise<{ code: number | null, signal: string | null, ms: number }> {
  const started = Date.now()
  if (child.exitCode !== null || child.signalCode !== null) return { code: child.exitCode, signal: child.signalCode, ms: 0 }
  const timeout = new Promise<never>((_resolve, reject) => setTimeout(() => reject(new Error('did not exit in time')), STOP_TIMEOUT_MS).unref())
  const [code, signal] = await Promise.race([once(child, 'exit'), timeout]) as [number | null, string | null]
  return { code, signal, ms: Date.now() - started }
}

async function unreachable (url: string) {
  try {
    await fetch(url, { signal: AbortSignal.timeout(2000) })
    return false
  } catch {
    return true
  }
}

/** Nothing of the sandbox is left: no process in its group, neither server answers. */
async function assertAllStopped (t: Test, sandbox: Sandbox) {
  const deadline = Date.now() + STOP_TIMEOUT_MS
  while (groupAlive(sandbox.child.pid as number) && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 50))
  t.notOk(groupAlive(sandbox.child.pid as number), 'no process of the sandbox is left (the service child included)')
  t.ok(await unreachable(`${sandbox.serviceUrl}/healthz`), 'the service no longer answers')
  t.ok(await unreachable(`${sandbox.emulatorUrl}/_emulator/info`), 'the emulator no longer answers')
}

function groupAlive (pgid: number) {
  try {
    process.kill(-pgid, 0)
    return true
  } catch {
    return false
  }
}

const run = promisify(execFile)

t.test('npm run sandbox: banner, the printed curl commands work as printed, Ctrl-C stops everything', async t => {
  const sandbox = await startSandbox(t, 'npx', ['node', 'emulator/sandbox.ts'])
  t.match(sandbox.serviceUrl, /^http:\/\/127\.0\.0\.1:\d+$/, 'prints the service URL')
  t.match(sandbox.emulatorUrl, /^http:\/\/127\.0\.0\.1:\d+$/, 'prints the emulator URL')
  t.match(sandbox.corpIssuerUrl, /^https:\/\/127\.0\.0\.1:\d+\/idp\/corp$/, 'prints the corp issuer URL')
  t.ok(sandbox.output().includes(`${sandbox.serviceUrl}/docs`), 'prints the docs URL')
  t.equal(sandbox.curls.length, 10, 'prints ten curl commands')
  const accountsFile = /^\s+ACCOUNTS_FILE=(\S+)$/m.exec(sandbox.output())?.[1] ?? ''
  const registry = JSON.parse(await readFile(accountsFile, 'utf8'))
  t.same(registry, {
    accounts: [
      { accountId: '111122223333', partition: 'aws', regions: ['us-east-1', 'eu-west-1'], defaultRegion: 'us-east-1' },
      { accountId: '444455556666', partition: 'aws', roleArn: 'arn:aws:iam::444455556666:role/eks-oidc-api', externalId: 'sandbox-external-id', regions: ['us-east-1', 'eu-west-1'], defaultRegion: 'us-east-1' }
    ]
  }, 'ACCOUNTS_FILE holds the registry of both seeded accounts')
  t.match(sandbox.output(), /^\s+account 444455556666 eu-west-1\s+orders-eu\s+\(via arn:aws:iam::444455556666:role\/eks-oidc-api\)$/m, 'prints where each account\'s clusters are')

  const docs = await fetch(`${sandbox.serviceUrl}/docs`, { signal: AbortSignal.timeout(5000) })
  t.equal(docs.status, 200, 'the docs URL answers')
  const info = await (await fetch(`${sandbox.emulatorUrl}/_emulator/info`, { signal: AbortSignal.timeout(5000) })).json() as { transitionDelayMs: number }
  t.equal(info.transitionDelayMs, 300, 'EMULATOR_TRANSITION_DELAY_MS reaches the emulator')

  const answers = []
  for (const curl of sandbox.curls) {
    const { stdout } = await run('sh', ['-c', curl], { timeout: 15_000 })
    answers.push(JSON.parse(stdout))
  }
  const [clusters, provider, associate, crossAccount, accounts, fleet, accountClusters, trustPolicy, preflight, accessEntries] = answers
  t.same(clusters, { clusters: ['analytics-dev', 'demo', 'payments-prod'] }, 'lists the seeded clusters')
  t.match(provider, { clusterName: 'demo', exists: true, changes: [{ operation: 'CreateOpenIDConnectProvider' }] }, 'creates the IRSA provider')
  t.match(associate, { update: { type: 'AssociateIdentityProviderConfig', status: 'InProgress' }, issuerChecks: 'passed' }, 'associates corp after the issuer checks passed')
  t.match(crossAccount, { clusterName: 'demo', exists: true, OpenIDConnectProviderArn: /^arn:aws:iam::444455556666:oidc-provider\// }, 'creates demo\'s provider in the registry account')
  t.match(accounts, { accounts: [{ accountId: '111122223333', check: { reachable: true } }, { accountId: '444455556666', check: { reachable: true, callerAccount: '444455556666' } }] }, 'reaches both accounts, the second through its role')
  t.match(fleet, { failedScopes: 0, failedClusters: 0 }, 'sweeps every account and region without a failure')
  t.same(fleet.scopes.map((s: { accountId: string, region: string }) => `${s.accountId}/${s.region}`).sort(), ['111122223333/eu-west-1', '111122223333/us-east-1', '444455556666/eu-west-1', '444455556666/us-east-1'], 'the fleet covers both accounts in both regions')
  t.same(accountClusters, { clusters: ['orders-eu'] }, 'lists the clusters of the second account in eu-west-1')
  t.match(trustPolicy, { clusterName: 'demo', exists: true, policy: { Statement: [{ Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: {} } }] } }, 'renders the IRSA trust policy for the provider just created')
  t.match(preflight, { passed: true, checks: [{ name: 'trust-policy', status: 'passed' }, { name: 'agent-addon', status: 'passed' }, { name: 'platform', status: 'passed' }] }, 'the Pod Identity pre-flight passes for demo-cart')
  t.ok(accessEntries.accessEntries.includes('arn:aws:iam::111122223333:role/payments-nodes'), 'lists the access entries of payments-prod')

  const emulatorClusters = await (await fetch(`${sandbox.emulatorUrl}/_emulator/clusters`, { signal: AbortSignal.timeout(5000) })).json() as { clusters: Array<{ name: string, identityProviderConfigs: unknown[] }> }
  t.equal(emulatorClusters.clusters.find(c => c.name === 'demo')?.identityProviderConfigs.length, 1, 'the association reached the emulator')

  // Ctrl-C in a terminal signals the whole foreground process group: npm, sh, the sandbox and the service.
  process.kill(-(sandbox.child.pid as number), 'SIGINT')
  const exit = await waitForExit(sandbox.child)
  // npm re-raises the SIGINT its child saw, so npx itself ends by that signal; what counts is the sandbox's own clean stop.
  t.ok(exit.code === 0 || exit.signal === 'SIGINT', `npx ends within ${STOP_TIMEOUT_MS} ms (${exit.code ?? exit.signal}, in ${exit.ms} ms)`)
  t.match(sandbox.output(), /sandbox: stopped/, 'the sandbox closed the service and the emulator')
  await assertAllStopped(t, sandbox)
  await t.rejects(readFile(accountsFile, 'utf8'), { code: 'ENOENT' }, 'the registry file is removed on stop')
})

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  t.test(`${signal} to the sandbox process alone stops its service child and the emulator, exit status 0`, async t => {
    const sandbox = await startSandbox(t, process.execPath, ['emulator/sandbox.ts'])
    const health = await fetch(`${sandbox.serviceUrl}/healthz`, { signal: AbortSignal.timeout(5000) })
    t.equal(health.status, 200, 'the service is up')

    sandbox.child.kill(signal)
    const exit = await waitForExit(sandbox.child)
    t.equal(exit.code, 0, `exits with status 0 (in ${exit.ms} ms)`)
    await assertAllStopped(t, sandbox)
  })
}

/** The `export NAME=value …` line the banner prints for the walkthroughs, as an environment. */
function bannerExports (output: string): Record<string, string> {
  const line = /^\s+export (.+)$/m.exec(output)?.[1] ?? ''
  return Object.fromEntries(line.split(/\s+/).filter(Boolean).map(pair => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]))
}

t.test('README walkthrough: its curl commands work as written against a fresh sandbox', async t => {
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8')
  const commands = shellCommands(codeBlockUnder(readme, 'Walkthrough') ?? '')
  t.equal(commands.length, 5, 'the walkthrough has five commands: list, plan, create, associate, follow')

  const sandbox = await startSandbox(t, process.execPath, ['emulator/sandbox.ts'])
  const exported = bannerExports(sandbox.output())
  t.same(exported, { EMU: sandbox.emulatorUrl, CORP: sandbox.corpIssuerUrl }, 'the banner prints the export line the walkthrough starts with')

  const hostPort = new URL(sandbox.serviceUrl).host
  /** Runs one command as written, against this sandbox's port, and returns its HTTP status and JSON body. */
  const curl = async (command: string) => {
    // -w appends the status on its own line; the command itself is the README's, port aside.
    const { stdout } = await run('sh', ['-c', `${command.replaceAll('localhost:3000', hostPort)} -w '\\n%{http_code}'`], {
      timeout: 15_000,
      env: { ...process.env, ...exported }
    })
    const cut = stdout.lastIndexOf('\n')
    return { status: Number(stdout.slice(cut + 1)), body: JSON.parse(stdout.slice(0, cut)) }
  }
  const [list, plan, create, associate, follow] = commands as [string, string, string, string, string]

  t.same(await curl(list), { status: 200, body: { clusters: ['analytics-dev', 'demo', 'payments-prod'] } }, 'lists the seeded clusters')
  t.match(await curl(plan), { status: 200, body: { clusterName: 'demo', exists: false, dryRun: true, changes: [{ operation: 'CreateOpenIDConnectProvider' }] } }, 'dryRun plans the provider')
  t.match(await curl(create), { status: 201, body: { exists: true, dryRun: false, changes: [{ operation: 'CreateOpenIDConnectProvider' }] } }, 'then creates it')

  const associated = await curl(associate)
  t.match(associated, { status: 202, body: { update: { type: 'AssociateIdentityProviderConfig', status: 'InProgress' }, issuerChecks: 'passed', operationId: String } }, 'associates corp after the issuer checks passed')
  t.match(await curl(associate), { status: 202, body: { operationId: associated.body.operationId, update: { id: associated.body.update.id } } }, 'the same request with the same Idempotency-Key answers the same, with the same update')

  t.match(follow, /<operationId>/, 'the last command follows the operation of the association')
  const operation = await curl(follow.replace('<operationId>', associated.body.operationId))
  t.match(operation, { status: 200, body: { id: associated.body.operationId, action: 'associateIdentityProviderConfig', cluster: 'demo', updateId: associated.body.update.id } }, 'the operation of the association can be followed')
  // As the walkthrough says: in_progress while EKS works (5 s in the sandbox), then succeeded.
  const deadline = Date.now() + 30_000
  let latest = operation
  while (latest.body.status === 'in_progress' && Date.now() < deadline) {
    await new Promise(resolve => setTimeout(resolve, 500))
    latest = await curl(follow.replace('<operationId>', associated.body.operationId))
  }
  t.match(latest, { status: 200, body: { status: 'succeeded', details: { update: { status: 'Successful' } } } }, 'the operation reaches succeeded once the EKS update is Successful')

  sandbox.child.kill('SIGTERM')
  t.equal((await waitForExit(sandbox.child)).code, 0, 'the sandbox stops')
})

t.test('with its port taken, the sandbox fails at once naming the port, before any banner', async t => {
  const port = await freePort()
  const holder = createServer(() => {}).listen({ port, host: '127.0.0.1' })
  await once(holder, 'listening')
  t.teardown(() => { holder.close() })
  const started = Date.now()
  const outcome = await run(process.execPath, ['emulator/sandbox.ts'], { env: { ...process.env, PORT: String(port) }, timeout: 20_000 })
    .then(() => ({ code: 0, stdout: '', stderr: '' }), (error: { code: number, stdout: string, stderr: string }) => error)
  t.equal(outcome.code, 1, 'exit status 1')
  t.match(outcome.stderr, new RegExp(`sandbox: port ${port} on 127\\.0\\.0\\.1 is already in use`), 'names the port')
  t.notMatch(outcome.stdout, /eks-oidc-api sandbox/, 'no banner')
  t.ok(Date.now() - started < 10_000, `fails at once (${Date.now() - started} ms), not after a readiness timeout`)
})
