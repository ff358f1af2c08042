/**
 * Debian's AWS CLI 2.9.19 predates newer EKS operations (access entries, Pod Identity). The CLI
 * loads a newer service model with `aws configure add-model` into `$HOME/.aws/models`; the model
 * comes from the botocore 1.43 that pyenv's Python carries (gzip-compressed, as botocore ships it).
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'

export const NEWER_BOTOCORE_DATA = '/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages/botocore/data'

/** Where the newer EKS model is, or undefined when this machine lacks it. */
export function newerEksModel (): string | undefined {
  const path = join(NEWER_BOTOCORE_DATA, 'eks/2017-11-01/service-2.json.gz')
  return existsSync(path) ? path : undefined
}

/** Installs the newer EKS model for the CLI run with `HOME=home`. */
export function addNewerEksModel (cli: string, home: string, env: NodeJS.ProcessEnv): void {
  const model = newerEksModel()
  if (!model) throw new Error('no newer EKS model on this machine')
  const file = join(home, 'eks-service-2.json')
  writeFileSync(file, gunzipSync(readFileSync(model)))
  execFileSync(cli, ['configure', 'add-model', '--service-model', `file://${file}`, '--service-name', 'eks'], { env: { ...env, HOME: home }, timeout: 30_000 })
}
