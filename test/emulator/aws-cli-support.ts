/**
 * What the AWS CLI conformance tests share: a throwaway HOME and the environment that keeps the
 * CLI to it, and a newer EKS model for Debian's CLI 2.9.19, which predates newer EKS operations
 * (access entries, Pod Identity). The CLI loads a newer service model with `aws configure
 * add-model` into `$HOME/.aws/models`; the model comes from the botocore 1.43 that pyenv's Python
 * carries (gzip-compressed, as botocore ships it).
 */
import type { Test } from 'tap'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'

export const NEWER_BOTOCORE_DATA = '/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages/botocore/data'

/** A fresh HOME, removed when the test ends, and an environment that points the CLI at it only. */
export function cliHome (t: Test): { home: string, env: Record<string, string> } {
  const home = mkdtempSync(join(tmpdir(), 'aws-cli-home-'))
  t.teardown(() => rmSync(home, { recursive: true, force: true }))
  const env = {
    PATH: '/usr/bin:/bin',
    HOME: home,
    TZ: 'UTC',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_MAX_ATTEMPTS: '1',
    AWS_PAGER: '',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: join(home, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials')
  }
  return { home, env }
}

/** Where the newer EKS model is, or undefined when this machine lacks it. */
export function newerEksModel (): string | undefined {
  const path = join(NEWER_BOTOCORE_DATA, 'eks/2017-11-01/service-2.json.gz')
  return existsSync(path) ? path : undefined
}

/** Installs the newer EKS model for the CLI run with `HOME=home`. */
export function addNewerEksModel (cli: string, home: string, env: Record<string, string>): void {
  const model = newerEksModel()
  if (!model) throw new Error('no newer EKS model on this machine')
  const file = join(home, 'eks-service-2.json')
  writeFileSync(file, gunzipSync(readFileSync(model)))
  execFileSync(cli, ['configure', 'add-model', '--service-model', `file://${file}`, '--service-name', 'eks'], { env: { ...env, HOME: home }, timeout: 30_000 })
}
