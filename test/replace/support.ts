/** Shared setup of the replacement tests on fake AWS ports, and helpers to follow an operation. */
import { randomUUID } from 'node:crypto'
import type { Test } from 'tap'
import type { AppDeps } from '../../src/app.ts'
import { build, testStore } from '../support/build.ts'
import { eventually } from '../support/eventually.ts'
import { awsError, type FakeAws } from '../support/fake-aws.ts'

export { eventually }

export const CLUSTER_ISSUER = 'https://oidc.eks.us-east-1.amazonaws.com/id/ABCDEF0123456789ABCDEF0123456789'
export const OLD = { identityProviderConfigName: 'corp', issuerUrl: 'https://idp.example.com', clientId: 'kubernetes', usernameClaim: 'email' }
export const NEW = { ...OLD, clientId: 'kubernetes-v2', groupsClaim: 'groups', groupsPrefix: 'oidc:' }
export const REPLACE_ENV = { REPLACE_POLL_INTERVAL_MS: '5', REPLACE_MAX_POLL_INTERVAL_MS: '20', REPLACE_LEASE_SECONDS: '2' }
export const newKey = () => `key-${randomUUID()}`

/**
 * The app on fake AWS ports. Tests in a file share one store (opening one is slow), and the runner
 * resumes every unfinished replacement of its store: so each test gets a cluster of its own, which
 * the fakes of the other tests do not know (a foreign replacement fails there before any write).
 */
export async function buildReplace (t: Test, options: { deps?: AppDeps, env?: Record<string, string>, cluster?: string } = {}) {
  const cluster = options.cluster ?? `c-${randomUUID().slice(0, 8)}`
  const store = options.deps?.store ?? await testStore()
  const built = await build(t, { clusters: [{ name: cluster, issuer: CLUSTER_ISSUER }], deps: { ...options.deps, store }, env: { ...REPLACE_ENV, ...options.env } })
  refuseSecondConfig(built.aws)
  return { ...built, store, cluster }
}

/**
 * As EKS does: a cluster has at most one OIDC config, so an associate sent while another config is
 * still there (ACTIVE or DELETING) is refused, and a replacement that does not wait fails.
 */
function refuseSecondConfig (aws: FakeAws) {
  const associate = aws.eks.associateIdentityProviderConfig
  aws.eks.associateIdentityProviderConfig = async (input) => {
    const present = [...aws.configs.keys()].find(key => key.startsWith(`${input.clusterName}/`))
    if (present !== undefined) {
      aws.calls.push({ operation: 'AssociateIdentityProviderConfig', input })
      throw awsError('ResourceInUseException', 409, `Cluster ${input.clusterName} already has identity provider config ${present.split('/')[1]}`)
    }
    return associate(input)
  }
}

/** Puts a config in place directly, as if associated long ago. */
export function seedConfig (aws: FakeAws, cluster: string, oidc: Record<string, unknown> = OLD) {
  aws.configs.set(`${cluster}/${String(oidc.identityProviderConfigName)}`, { ...oidc, clusterName: cluster, status: 'ACTIVE' })
}

export const writeCalls = (aws: FakeAws) => aws.operations().filter(op => /^(Associate|Disassociate)/.test(op))

/** The id of the first update of this type the fake started on the cluster, once there is one. */
export function updateIdOf (aws: FakeAws, cluster: string, type: 'AssociateIdentityProviderConfig' | 'DisassociateIdentityProviderConfig') {
  return eventually(() => [...aws.updates.values()].find(u => u.cluster === cluster && u.type === type)?.id)
}

export type Built = Awaited<ReturnType<typeof buildReplace>>

/** PUT the config `corp` (issuer checks skipped: fake ports reach no issuer). */
export const put = ({ app, cluster }: Built, payload: object, options: { query?: string, cluster?: string, key?: string } = {}) => app.inject({
  method: 'PUT',
  url: `/clusters/${options.cluster ?? cluster}/identity-provider-configs/corp?skipIssuerChecks=true${options.query ?? ''}`,
  headers: options.key ? { 'idempotency-key': options.key } : {},
  payload
})

export async function operationOf ({ app, cluster }: Built, operationId: string) {
  const reply = await app.inject({ method: 'GET', url: `/clusters/${cluster}/operations/${operationId}` })
  if (reply.statusCode !== 200) throw new Error(`GET operation answered ${reply.statusCode}`)
  return reply.json()
}

export const stepStatuses = (operation: { details: { steps: Array<{ name: string, status: string }> } }) =>
  operation.details.steps.map(step => `${step.name}:${step.status}`).join(',')
