/**
 * AWS CLI v2 conformance of the Pod Identity association and add-on operations: the Debian CLI
 * (/usr/bin/aws 2.9.19, which predates Pod Identity) with the newer EKS model added
 * (aws-cli-support.ts), against the emulator, asserting exit codes, parsed JSON and error lines.
 */
import t from 'tap'
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { startEmulator, token } from './helpers.ts'
import { addNewerEksModel, cliHome, newerEksModel } from './aws-cli-support.ts'

const AWS_CLI = '/usr/bin/aws'
const CLI_TIMEOUT_MS = 30_000
const NOW = Date.parse('2026-01-15T10:00:00.250Z')

t.setTimeout(300_000)
const problem = !existsSync(AWS_CLI) ? `${AWS_CLI} is not installed` : newerEksModel() ? undefined : 'no newer botocore EKS model on this machine'
if (problem && process.env.CI === 'true') t.fail(`AWS CLI conformance cannot run under CI: ${problem}`)

t.test('AWS CLI v2 with the current EKS model: Pod Identity associations and add-ons', { skip: problem ?? false }, async t => {
  const emulator = await startEmulator(t, {
    clock: () => NOW,
    seed: { clusters: [{ name: 'shop', addons: [{ name: 'eks-pod-identity-agent', status: 'ACTIVE' }, { name: 'vpc-cni' }] }, { name: 'bare' }] }
  })
  const { home, env } = cliHome(t)
  addNewerEksModel(AWS_CLI, home, env)

  const aws = (...args: string[]) => new Promise<{ code: number, stdout: string, stderr: string, json: any }>(resolve => {
    execFile(AWS_CLI, ['--endpoint-url', emulator.url, '--output', 'json', ...args], { env, timeout: CLI_TIMEOUT_MS }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0
      resolve({ code, stdout, stderr, json: code === 0 && stdout.trim() !== '' ? JSON.parse(stdout) : undefined })
    })
  })
  const ok = async (...args: string[]) => {
    const result = await aws(...args)
    t.equal(result.code, 0, `aws ${args.slice(0, 2).join(' ')} exits 0${result.code === 0 ? '' : ': ' + result.stderr}`)
    return result.json
  }
  const fails = async (code: string, operation: string, message: string, ...args: string[]) => {
    const result = await aws(...args)
    t.equal(result.code, 254, `aws ${args.slice(0, 2).join(' ')} exits 254 on ${code}`)
    t.equal(result.stderr.trim().replace(' (reached max retries: 0)', ''), `An error occurred (${code}) when calling the ${operation} operation: ${message}`)
  }
  const role = (name: string) => `arn:aws:iam::${emulator.accountId}:role/${name}`

  const created = await ok('eks', 'create-pod-identity-association', '--cluster-name', 'shop', '--namespace', 'shop', '--service-account', 'cart',
    '--role-arn', role('cart'), '--tags', 'team=shop', '--client-request-token', token('cli-pod-identity'))
  const id = created.association.associationId
  t.match(created.association, {
    clusterName: 'shop',
    namespace: 'shop',
    serviceAccount: 'cart',
    roleArn: role('cart'),
    tags: { team: 'shop' },
    disableSessionTags: false,
    associationArn: `arn:aws:eks:us-east-1:${emulator.accountId}:podidentityassociation/shop/${id}`
  })
  t.equal(created.association.createdAt, '2026-01-15T10:00:00.250000+00:00', 'epoch seconds rendered as ISO by the CLI')
  await ok('eks', 'create-pod-identity-association', '--cluster-name', 'shop', '--namespace', 'shop', '--service-account', 'orders', '--role-arn', role('orders'))

  await Promise.all([
    async () => {
      const replay = await ok('eks', 'create-pod-identity-association', '--cluster-name', 'shop', '--namespace', 'shop', '--service-account', 'cart',
        '--role-arn', role('cart'), '--tags', 'team=shop', '--client-request-token', token('cli-pod-identity'))
      t.equal(replay.association.associationId, id, 'the same token answers the same association')
    },
    () => fails('ResourceInUseException', 'CreatePodIdentityAssociation', `Association already exists: ${id} for service account cart in namespace shop.`,
      'eks', 'create-pod-identity-association', '--cluster-name', 'shop', '--namespace', 'shop', '--service-account', 'cart', '--role-arn', role('other')),
    () => fails('InvalidParameterException', 'CreatePodIdentityAssociation',
      `The role ${role('x').replace(emulator.accountId, '444455556666')} must be in the same account as the cluster (${emulator.accountId}); use targetRoleArn for a role in another account.`,
      'eks', 'create-pod-identity-association', '--cluster-name', 'shop', '--namespace', 'shop', '--service-account', 'x', '--role-arn', role('x').replace(emulator.accountId, '444455556666')),
    async () => {
      // Only the operation model is added, not its paginator: pages are followed by hand.
      const first = await ok('eks', 'list-pod-identity-associations', '--cluster-name', 'shop', '--namespace', 'shop', '--max-results', '1')
      t.same(first.associations.map((a: { serviceAccount: string }) => a.serviceAccount), ['cart'])
      const second = await ok('eks', 'list-pod-identity-associations', '--cluster-name', 'shop', '--namespace', 'shop', '--max-results', '1', '--next-token', first.nextToken)
      t.same(second.associations.map((a: { serviceAccount: string }) => a.serviceAccount), ['orders'])
      t.equal(second.nextToken, undefined, 'the last page has no nextToken')
      const filtered = await ok('eks', 'list-pod-identity-associations', '--cluster-name', 'shop', '--service-account', 'orders')
      t.same(filtered.associations.map((a: { serviceAccount: string }) => a.serviceAccount), ['orders'])
    },
    async () => {
      t.same((await ok('eks', 'describe-pod-identity-association', '--cluster-name', 'shop', '--association-id', id)).association, created.association)
    },
    () => fails('ResourceNotFoundException', 'DescribePodIdentityAssociation', 'Association a-nope not found in cluster shop.',
      'eks', 'describe-pod-identity-association', '--cluster-name', 'shop', '--association-id', 'a-nope'),
    async () => {
      const { addon } = await ok('eks', 'describe-addon', '--cluster-name', 'shop', '--addon-name', 'eks-pod-identity-agent')
      t.match(addon, { addonName: 'eks-pod-identity-agent', clusterName: 'shop', status: 'ACTIVE', health: { issues: [] } })
      t.same((await ok('eks', 'list-addons', '--cluster-name', 'shop')).addons, ['eks-pod-identity-agent', 'vpc-cni'])
    },
    () => fails('ResourceNotFoundException', 'DescribeAddon', 'No addon: eks-pod-identity-agent found in cluster: bare',
      'eks', 'describe-addon', '--cluster-name', 'bare', '--addon-name', 'eks-pod-identity-agent')
  ].map(run => run()))

  const updated = await ok('eks', 'update-pod-identity-association', '--cluster-name', 'shop', '--association-id', id,
    '--target-role-arn', 'arn:aws:iam::444455556666:role/reader', '--disable-session-tags')
  t.match(updated.association, { targetRoleArn: 'arn:aws:iam::444455556666:role/reader', externalId: `us-east-1/${emulator.accountId}/shop/shop/cart`, disableSessionTags: true })
  const deleted = await ok('eks', 'delete-pod-identity-association', '--cluster-name', 'shop', '--association-id', id)
  t.equal(deleted.association.associationId, id)
  await fails('ResourceNotFoundException', 'DeletePodIdentityAssociation', `Association ${id} not found in cluster shop.`,
    'eks', 'delete-pod-identity-association', '--cluster-name', 'shop', '--association-id', id)
})
