/**
 * The emulator and the service as separate child processes on loopback, each started the way an
 * operator would start it: `node emulator/main.ts`, and the service's build as `npm start` runs it
 * (package.json's start script, flags included), configured only through their environment.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { access, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { stopChild } from '../emulator/stop-child.ts'
import { freePort } from '../test/support/free-port.ts'
import { PROJECT_ROOT, type StartCommand, startCommand } from '../test/support/start-command.ts'
export { freePort }

const EMULATOR_ENTRY = fileURLToPath(new URL('../emulator/main.ts', import.meta.url))
const START_TIMEOUT_MS = 120_000

/** Ambient AWS settings that must not reach the children (they only ever talk to the emulator). */
const AWS_AMBIENT = ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_ROLE_ARN', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'DATABASE_URL', 'DATA_DIR', 'PGLITE_DIR']

export interface Child {
  readonly process: ChildProcess
  readonly pid: number
  /** The child's stdout and stderr so far (for error messages). */
  output (): string
  stop (): Promise<void>
}

function cleanEnv (): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env }
  for (const name of AWS_AMBIENT) delete env[name]
  return env
}

function startChild (entry: string, env: NodeJS.ProcessEnv, nodeFlags: string[] = []): Child {
  const child = spawn(process.execPath, [...nodeFlags, entry], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  const keep = (chunk: Buffer) => { output = (output + chunk.toString()).slice(-20_000) }
  child.stdout.on('data', keep)
  child.stderr.on('data', keep)
  if (child.pid === undefined) throw new Error(`could not start ${entry}`)
  return {
    process: child,
    pid: child.pid,
    output: () => output,
    stop: () => stopChild(child)
  }
}

const exitedEarly = (child: Child) => child.process.exitCode !== null || child.process.signalCode !== null

export interface EmulatorProcess extends Child {
  url: string
  /** Base URL of the HTTPS issuers and the CA file that trusts them. */
  issuerBaseUrl: string
  caFile: string
  admin<T = unknown> (method: string, path: string, body?: unknown): Promise<T>
}

/** Starts `emulator/main.ts` on a free port with the given seed file and waits for its URL. */
export async function startEmulator (seedFile: string): Promise<EmulatorProcess> {
  const child = startChild(EMULATOR_ENTRY, { ...cleanEnv(), EMULATOR_PORT: '0', EMULATOR_SEED: seedFile, EMULATOR_TRANSITION_DELAY_MS: '0' })
  const deadline = Date.now() + START_TIMEOUT_MS
  let url: string | undefined
  while (url === undefined) {
    url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(child.output())?.[1]
    if (url) break
    if (exitedEarly(child) || Date.now() > deadline) {
      await child.stop()
      throw new Error(`the emulator did not start:\n${child.output()}`)
    }
    await new Promise(resolve => setTimeout(resolve, 50))
  }
  const admin = async <T> (method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${url}/_emulator/${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body)
    })
    if (!response.ok) throw new Error(`emulator ${method} ${path}: ${response.status} ${await response.text()}`)
    return (response.status === 204 ? undefined : await response.json()) as T
  }
  const info = await admin<{ issuerBaseUrl: string, caFile: string }>('GET', 'info')
  return { ...child, url, issuerBaseUrl: info.issuerBaseUrl, caFile: info.caFile, admin }
}

export interface ServiceProcess extends Child {
  url: string
}

/**
 * Settings the benchmark gives every service process besides the emulator's endpoints.
 * Authentication is off (loopback only) and the per-client rate limit is raised so that the load
 * generator is not answered 429. The overload guard keeps its defaults: a saturating run must not
 * be shed, and any 503 it answered shows in the results' errors column. Logs at `warn` as in the
 * sandbox: at `info` every request writes log lines.
 */
export const BENCH_SERVICE_SETTINGS: Readonly<Record<string, string>> = Object.freeze({
  LOG_LEVEL: 'warn',
  AUTH_MODE: 'none',
  RATE_LIMIT_MAX: '1000000',
  RATE_LIMIT_WINDOW: '1h',
  DATA_DIR: 'memory://'
})

export function serviceEnv (emulator: EmulatorProcess, port: number, extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    ...cleanEnv(),
    ...BENCH_SERVICE_SETTINGS,
    PORT: String(port),
    HOST: '127.0.0.1',
    AWS_ENDPOINT_URL_EKS: emulator.url,
    AWS_ENDPOINT_URL_IAM: emulator.url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    EGRESS_ALLOW_LIST: '127.0.0.1',
    EGRESS_ALLOWED_PORTS: `443,${new URL(emulator.issuerBaseUrl).port}`,
    EGRESS_CA_FILE: emulator.caFile,
    ...extra
  }
}

let startCommandOnce: Promise<StartCommand> | undefined

/** The start script, read once, with its entry as an absolute path that must exist. */
function builtStartCommand (): Promise<StartCommand> {
  startCommandOnce ??= startCommand().then(async ({ nodeFlags, entry }) => {
    const path = join(PROJECT_ROOT, entry)
    await access(path).catch(() => { throw new Error(`${entry} is missing: build the service first (npm run build; npm run bench does)`) })
    return { nodeFlags, entry: path }
  })
  return startCommandOnce
}

/**
 * Starts the built service as `npm start` does and waits until /readyz answers 200. `nodeFlags`
 * replaces the start script's flags (for a comparison run).
 */
export async function startService (emulator: EmulatorProcess, extra: Record<string, string> = {}, nodeFlags?: string[]): Promise<ServiceProcess> {
  const port = await freePort()
  const start = await builtStartCommand()
  const child = startChild(start.entry, serviceEnv(emulator, port, extra), nodeFlags ?? start.nodeFlags)
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + START_TIMEOUT_MS
  for (;;) {
    if (exitedEarly(child) || Date.now() > deadline) {
      await child.stop()
      throw new Error(`the service did not become ready:\n${child.output()}`)
    }
    try {
      const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1000) })
      if (response.ok) return { ...child, url }
    } catch {
      // not listening yet
    }
    await new Promise(resolve => setTimeout(resolve, 25)) // fine enough to time the start (scenario 6)
  }
}

/** Resident set size now and at its peak (VmRSS, VmHWM of /proc/<pid>/status), in bytes. */
export async function memoryOf (pid: number): Promise<{ rss: number, peakRss: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024
  return { rss: kib('VmRSS'), peakRss: kib('VmHWM') }
}

/** Of the resident set now: anonymous memory (heaps, stacks) and file-backed pages (the node binary, libraries), in bytes. */
export async function residentKinds (pid: number): Promise<{ anonymous: number, fileBacked: number }> {
  const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8')
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? NaN) * 1024
  return { anonymous: kib('Anonymous'), fileBacked: kib('Rss') - kib('Anonymous') }
}

export interface SampledMemory {
  /** Highest VmRSS sampled so far. */
  highestSampledRss: number
  /** VmHWM: the highest RSS since the process started. */
  peakRss: number
}

/** Samples VmRSS every `intervalMs` until stopped; answers the highest sample and VmHWM, also midway. */
export function sampleMemory (pid: number, intervalMs = 100) {
  let highest = 0
  const sample = () => memoryOf(pid).then(({ rss }) => { highest = Math.max(highest, rss) }, () => {})
  const timer = setInterval(sample, intervalMs)
  const checkpoint = async (): Promise<SampledMemory> => {
    await sample()
    const { peakRss } = await memoryOf(pid)
    return { highestSampledRss: highest, peakRss }
  }
  return {
    checkpoint,
    async stop () {
      clearInterval(timer)
      return checkpoint()
    }
  }
}
