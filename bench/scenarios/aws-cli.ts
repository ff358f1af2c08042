/**
 * Scenario 2: what a user would run otherwise. Debian's AWS CLI v2 against the same emulator, one
 * process per call as in a shell script, timed wall to wall; versus the service's per-request
 * latency (p50 over one keep-alive connection).
 */
import { execFile } from 'node:child_process'
import { access } from 'node:fs/promises'
import { promisify } from 'node:util'
import type { LoadResult } from '../load.ts'
import { median } from '../stats.ts'
import type { EmulatorProcess } from '../processes.ts'
import { CONFIG_NAME, READ_CLUSTER } from '../seed.ts'
import { tempDir } from '../temp-dir.ts'

const run = promisify(execFile)
export const AWS_CLI = '/usr/bin/aws'

export interface CliOperation {
  operation: string
  command: string
  cliSamplesMs: number[]
  cliMedianMs: number
  serviceP50Ms: number
  /** How many times longer one CLI call takes than one service request. */
  cliToServiceRatio: number
}

const OPERATIONS = [
  { operation: 'DescribeIdentityProviderConfig', args: ['eks', 'describe-identity-provider-config', '--cluster-name', READ_CLUSTER, '--identity-provider-config', `type=oidc,name=${CONFIG_NAME}`] },
  { operation: 'ListIdentityProviderConfigs', args: ['eks', 'list-identity-provider-configs', '--cluster-name', READ_CLUSTER] }
] as const

export type CliOperationName = typeof OPERATIONS[number]['operation']

export async function awsCliAvailable (): Promise<boolean> {
  return access(AWS_CLI).then(() => true, () => false)
}

/** Runs each operation `calls` times; `service` gives the service's figure for the same operation. */
export async function measureAwsCli (emulator: EmulatorProcess, calls: number, service: Record<CliOperationName, LoadResult>): Promise<CliOperation[]> {
  const home = await tempDir('bench-aws-home-')
  const env = {
    PATH: '/usr/bin:/bin',
    HOME: home.path,
    AWS_PAGER: '',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: 'us-east-1'
  }
  try {
    const results: CliOperation[] = []
    for (const { operation, args } of OPERATIONS) {
      const argv = [...args, '--endpoint-url', emulator.url, '--output', 'json']
      const samples: number[] = []
      for (let i = 0; i < calls; i++) {
        const started = performance.now()
        const { stdout } = await run(AWS_CLI, argv, { env, timeout: 60_000 })
        samples.push(performance.now() - started)
        if (!stdout.includes(CONFIG_NAME)) throw new Error(`aws ${args.slice(0, 2).join(' ')} answered without the config: ${stdout}`)
      }
      const cliMedianMs = median(samples)
      const serviceP50Ms = service[operation].p50Ms
      results.push({ operation, command: `aws ${argv.join(' ')}`, cliSamplesMs: samples, cliMedianMs, serviceP50Ms, cliToServiceRatio: cliMedianMs / serviceP50Ms })
    }
    return results
  } finally {
    await home.remove()
  }
}
