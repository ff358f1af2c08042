/**
 * AWS CLI v2 conformance of the access entry operations and the authentication mode change: the
 * Debian CLI (/usr/bin/aws) with the newer EKS model added (see aws-cli-models.ts), against the
 * emulator, asserting exit codes, parsed JSON and the CLI's error lines.
 */
import t from 'tap'
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { startEmulator } from './helpers.ts'
import { addNewerEksModel, cliHome, newerEksModel } from './aws-cli-support.ts'
import { seedRoles } from './roles.ts'

const AWS_CLI = '/usr/bin/aws'
const CLI_TIMEOUT_MS = 30_000
const ACCOUNT = '111122223333'
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`
const VIEW = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy'

t.setTimeout(300_000)
const problem = !existsSync(AWS_CLI) ? `${AWS_CLI} is not installed` : newerEksModel() ? undefined : 'no newer botocore EKS model on this machine'
if (problem && process.env.CI === 'true') t.fail(`AWS CLI conformance cannot run under CI: ${problem}`)

t.test('AWS CLI v2 with the current EKS model: access entries, policies, authentication mode', { skip: problem ?? false }, async t => {
  const emulator = await startEmulator(t, {
    seed: {
      roles: seedRoles('dev/deployer', 'nodes'),
      clusters: [
        { name: 'demo', accessEntries: [{ principalArn: role('nodes'), type: 'EC2_LINUX' }] },
        { name: 'legacy', authenticationMode: 'CONFIG_MAP' }
      ]
    }
  })
  const { home, env } = cliHome(t)
  addNewerEksModel(AWS_CLI, home, env)

  const aws = (...args: string[]) => new Promise<{ code: number, stdout: string, stderr: string, json: any }>(resolve => {
    execFile(AWS_CLI, ['--endpoint-url', emulator.url, '--output', 'json', 'eks', ...args], { env, timeout: CLI_TIMEOUT_MS }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0
      resolve({ code, stdout, stderr, json: code === 0 && stdout.trim() !== '' ? JSON.parse(stdout) : undefined })
    })
  })
  const ok = async (...args: string[]) => {
    const result = await aws(...args)
    t.equal(result.code, 0, `aws eks ${args[0]} exits 0${result.code === 0 ? '' : ': ' + result.stderr}`)
    return result.json
  }
  const fails = async (code: string, operation: string, message: string, ...args: string[]) => {
    const result = await aws(...args)
    t.equal(result.code, 254, `aws eks ${args[0]} exits 254 on ${code}`)
    t.equal(result.stderr.trim().replace(' (reached max retries: 0)', ''), `An error occurred (${code}) when calling the ${operation} operation: ${message}`)
  }

  const created = await ok('create-access-entry', '--cluster-name', 'demo', '--principal-arn', role('dev/deployer'),
    '--kubernetes-groups', 'deployers', 'viewers', '--tags', 'team=apps')
  t.match(created.accessEntry, {
    principalArn: role('dev/deployer'),
    type: 'STANDARD',
    kubernetesGroups: ['deployers', 'viewers'],
    tags: { team: 'apps' },
    username: `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/{{SessionName}}`
  })
  await fails('ResourceInUseException', 'CreateAccessEntry', 'The specified access entry resource is already in use on this cluster.',
    'create-access-entry', '--cluster-name', 'demo', '--principal-arn', role('nodes'))
  await fails('InvalidRequestException', 'ListAccessEntries',
    'The cluster\'s authentication mode must be set to one of [API, API_AND_CONFIG_MAP] to perform this operation.',
    'list-access-entries', '--cluster-name', 'legacy')

  // The added model brings no paginators, so the CLI pages only when asked to.
  const first = await ok('list-access-entries', '--cluster-name', 'demo', '--max-results', '1')
  t.same(first.accessEntries, [role('dev/deployer')])
  const second = await ok('list-access-entries', '--cluster-name', 'demo', '--max-results', '1', '--next-token', first.nextToken)
  t.same(second, { accessEntries: [role('nodes')] })
  t.equal((await ok('describe-access-entry', '--cluster-name', 'demo', '--principal-arn', role('nodes'))).accessEntry.username,
    'system:node:{{EC2PrivateDNSName}}')
  t.same((await ok('update-access-entry', '--cluster-name', 'demo', '--principal-arn', role('dev/deployer'), '--username', 'deployer:{{SessionName}}')).accessEntry.username,
    'deployer:{{SessionName}}')

  const associated = await ok('associate-access-policy', '--cluster-name', 'demo', '--principal-arn', role('dev/deployer'),
    '--policy-arn', VIEW, '--access-scope', 'type=namespace,namespaces=dev,shared')
  t.same(associated.associatedAccessPolicy.accessScope, { type: 'namespace', namespaces: ['dev', 'shared'] })
  t.same((await ok('list-associated-access-policies', '--cluster-name', 'demo', '--principal-arn', role('dev/deployer'))).associatedAccessPolicies
    .map((policy: { policyArn: string }) => policy.policyArn), [VIEW])
  t.same((await ok('list-access-entries', '--cluster-name', 'demo', '--associated-policy-arn', VIEW)).accessEntries, [role('dev/deployer')])
  t.equal(await ok('disassociate-access-policy', '--cluster-name', 'demo', '--principal-arn', role('dev/deployer'), '--policy-arn', VIEW), undefined)
  const policies = (await ok('list-access-policies')).accessPolicies as Array<{ name: string }>
  t.ok(policies.some(policy => policy.name === 'AmazonEKSClusterAdminPolicy'), 'the first page holds the EKS policies')
  t.equal(await ok('delete-access-entry', '--cluster-name', 'demo', '--principal-arn', role('dev/deployer')), undefined)

  await fails('InvalidParameterException', 'UpdateClusterConfig', 'Unsupported authentication mode update from CONFIG_MAP to API',
    'update-cluster-config', '--name', 'legacy', '--access-config', 'authenticationMode=API')
  const { update } = await ok('update-cluster-config', '--name', 'legacy', '--access-config', 'authenticationMode=API_AND_CONFIG_MAP')
  t.match(update, { type: 'AccessConfigUpdate', status: 'InProgress', params: [{ type: 'AuthenticationMode', value: 'API_AND_CONFIG_MAP' }] })
  t.equal((await ok('describe-update', '--name', 'legacy', '--update-id', update.id)).update.status, 'Successful',
    'with no transition delay the update has ended by the next read')
  t.equal((await ok('describe-cluster', '--name', 'legacy')).cluster.accessConfig.authenticationMode, 'API_AND_CONFIG_MAP')
})
