/**
 * `npm start` runs the build with node flags that bound the service's memory (docs/operations.md,
 * "Node flags and memory"). The container image must run the same command, and the service must
 * work under those flags with the default embedded store, whose PostgreSQL-in-WASM lives in the
 * same process.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import { startAwsEmulator } from '../../emulator/aws-emulator.ts'
import { associate, CLUSTER, idempotencyKey, embeddedStoreEnv, send, startServiceProcess } from '../idempotency/processes.ts'
import { parseStartScript, PROJECT_ROOT, startCommand } from '../support/start-command.ts'

/** The JSON (exec) form of the Dockerfile's last CMD, the one the image runs. */
async function dockerfileCommand (): Promise<string[]> {
  const dockerfile = await readFile(join(PROJECT_ROOT, 'Dockerfile'), 'utf8')
  const commands = [...dockerfile.matchAll(/^CMD\s+(\[.*\])\s*$/gm)]
  if (commands.length === 0) throw new Error('the Dockerfile has no CMD in exec form')
  return JSON.parse(commands.at(-1)![1]) as string[]
}

t.test('the container image runs exactly what npm start runs', async t => {
  const start = await startCommand()
  t.same(await dockerfileCommand(), ['node', ...start.nodeFlags, start.entry])
  t.ok(start.nodeFlags.includes('--max-old-space-size=128'), 'the start script caps the old generation')
})

t.test('the start script runs the build of src/server.ts', async t => {
  const build = JSON.parse(await readFile(join(PROJECT_ROOT, 'tsconfig.build.json'), 'utf8')) as { compilerOptions: { outDir: string, rootDir: string } }
  t.equal(build.compilerOptions.rootDir, '.')
  t.equal((await startCommand()).entry, `${build.compilerOptions.outDir}/src/server.js`)
})

t.test('a start script other than node, flags and an entry is refused with what it must read', async t => {
  for (const script of ['tsx src/server.ts', 'node', 'node --flag', 'node -r x dist/src/server.js', 'node dist/src/server.js extra']) {
    t.throws(() => parseStartScript(script), /must read "node \[--flag \.\.\.\] <entry>"/, script)
  }
  t.same(parseStartScript('node --a=1  --b dist/x.js'), { nodeFlags: ['--a=1', '--b'], entry: 'dist/x.js' })
})

t.test('under the start flags, the service serves reads and idempotent writes on the embedded store', async t => {
  const emulator = await startAwsEmulator({ port: 0, seed: { clusters: [{ name: CLUSTER }] } })
  t.teardown(() => emulator.close())
  const { nodeFlags } = await startCommand()
  const service = await startServiceProcess(t, emulator.url, embeddedStoreEnv(t), nodeFlags)

  const cluster = await send(service.url, 'GET', `/clusters/${CLUSTER}`)
  t.equal(cluster.status, 200, 'DescribeCluster through the service')
  const key = idempotencyKey()
  const first = await associate(service.url, key)
  const replay = await associate(service.url, key)
  t.equal(first.status, 202, 'associate accepted')
  t.equal(replay.headers.get('idempotent-replayed'), 'true', 'the retry is answered from the store')
  t.equal(emulator.calls['eks:AssociateIdentityProviderConfig'], 1, 'one call reached EKS')
})
