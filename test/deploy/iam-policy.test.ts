/**
 * deploy/iam/service-policy.json grants exactly the AWS actions the service's ports can call: the
 * methods of EksPort and IamPort (read from src/aws/ports.ts, and the instrumented lists of
 * src/aws/wrap-port.ts), each named as AWS names it. A new port method without its permission fails
 * here, and so does a permission no port method uses. The trust policies are checked for their shape.
 */
import { readFileSync } from 'node:fs'
import t from 'tap'
import { awsOperationName, EKS_OPERATIONS, IAM_OPERATIONS } from '../../src/aws/wrap-port.ts'

const IAM_DIR = new URL('../../deploy/iam/', import.meta.url)
const readPolicy = (name: string) => JSON.parse(readFileSync(new URL(name, IAM_DIR), 'utf8'))

interface Statement { Sid: string, Effect: string, Action: string | string[], Resource?: string | string[], Principal?: Record<string, string> }

/** A `${NAME}` placeholder of the templates, to fill in. */
const slot = (name: string) => '$' + `{${name}}`

const asList = (value: string | string[] | undefined) => value === undefined ? [] : Array.isArray(value) ? value : [value]

/** The method names of one interface of src/aws/ports.ts, read from its source. */
function portMethods (port: 'EksPort' | 'IamPort'): string[] {
  const source = readFileSync(new URL('../../src/aws/ports.ts', import.meta.url), 'utf8')
  const body = new RegExp(`export interface ${port} \\{([\\s\\S]*?)\\n\\}`).exec(source)?.[1]
  if (body === undefined) throw new Error(`no interface ${port} in src/aws/ports.ts`)
  return [...body.matchAll(/^\s+(\w+) \(/gm)].map((match) => match[1])
}

/**
 * Permissions AWS checks on the caller of an action besides the action itself: creating or
 * updating a Pod Identity association passes its role to EKS (EKS API reference,
 * CreatePodIdentityAssociation: "iam:PassRole").
 */
const IMPLIED_ACTIONS: Record<string, string> = {
  'eks:CreatePodIdentityAssociation': 'iam:PassRole'
}

const calledActions = () => {
  const called = [
    ...portMethods('EksPort').map((method) => `eks:${awsOperationName(method)}`),
    ...portMethods('IamPort').map((method) => `iam:${awsOperationName(method)}`)
  ]
  return [...called, ...called.flatMap((action) => IMPLIED_ACTIONS[action] ?? [])].sort()
}

t.test('the ports read from source are the operations the AWS adapter instruments', async (t) => {
  t.same(portMethods('EksPort').sort(), Object.keys(EKS_OPERATIONS).sort())
  t.same(portMethods('IamPort').sort(), Object.keys(IAM_OPERATIONS).sort())
})

t.test('the service policy allows every action the ports call, and nothing else', async (t) => {
  const policy = readPolicy('service-policy.json')
  const statements = policy.Statement as Statement[]
  const granted = statements.flatMap((s) => asList(s.Action))
  t.same([...granted].sort(), calledActions(), 'granted = called')
  t.equal(new Set(granted).size, granted.length, 'each action granted once')
  t.ok(statements.every((s) => s.Effect === 'Allow'))
  t.notOk(granted.some((action) => action.includes('*')), 'no wildcard action')
})

t.test('resources are scoped where IAM allows it', async (t) => {
  const statements = readPolicy('service-policy.json').Statement as Statement[]
  const resourceOf = (action: string) => statements.find((s) => asList(s.Action).includes(action))?.Resource
  t.equal(resourceOf('eks:ListClusters'), '*', 'ListClusters has no resource type')
  t.equal(resourceOf('iam:ListOpenIDConnectProviders'), '*', 'ListOpenIDConnectProviders has no resource type')
  t.equal(resourceOf('iam:ListRoles'), '*', 'ListRoles has no resource type')
  t.equal(resourceOf('eks:ListAccessPolicies'), '*', 'ListAccessPolicies has no resource type')
  for (const action of [
    'eks:DescribeCluster', 'eks:AssociateIdentityProviderConfig', 'eks:ListIdentityProviderConfigs', 'eks:DescribeUpdate', 'eks:ListUpdates',
    'eks:CreateAccessEntry', 'eks:ListAccessEntries', 'eks:UpdateClusterConfig'
  ]) {
    t.equal(resourceOf(action), 'arn:aws:eks:*:*:cluster/*', action)
  }
  for (const action of ['eks:DescribeIdentityProviderConfig', 'eks:DisassociateIdentityProviderConfig']) {
    t.equal(resourceOf(action), 'arn:aws:eks:*:*:identityproviderconfig/*/*/*/*', action)
  }
  for (const action of ['eks:CreatePodIdentityAssociation', 'eks:ListPodIdentityAssociations']) t.equal(resourceOf(action), 'arn:aws:eks:*:*:cluster/*', action)
  for (const action of ['eks:DescribePodIdentityAssociation', 'eks:UpdatePodIdentityAssociation', 'eks:DeletePodIdentityAssociation']) {
    t.equal(resourceOf(action), 'arn:aws:eks:*:*:podidentityassociation/*/*', action)
  }
  t.equal(resourceOf('eks:DescribeAddon'), 'arn:aws:eks:*:*:addon/*/eks-pod-identity-agent/*', 'only the Pod Identity agent add-on')
  for (const action of ['eks:DescribeAccessEntry', 'eks:UpdateAccessEntry', 'eks:DeleteAccessEntry', 'eks:AssociateAccessPolicy', 'eks:ListAssociatedAccessPolicies', 'eks:DisassociateAccessPolicy']) {
    t.equal(resourceOf(action), 'arn:aws:eks:*:*:access-entry/*/*/*/*/*', action)
  }
  const roleActions = ['iam:GetRole', 'iam:UpdateAssumeRolePolicy', 'iam:PassRole']
  for (const action of roleActions) t.equal(resourceOf(action), 'arn:aws:iam::*:role/*', action)
  const accountWide = ['iam:ListOpenIDConnectProviders', 'iam:ListRoles', ...roleActions]
  for (const action of calledActions().filter((a) => a.startsWith('iam:') && !accountWide.includes(a))) t.equal(resourceOf(action), 'arn:aws:iam::*:oidc-provider/*', action)
})

t.test('trust policies: IRSA, Pod Identity, and the role in another account', async (t) => {
  const [irsa] = readPolicy('trust-irsa.json').Statement as Array<Statement & { Condition: any }>
  t.equal(irsa.Action, 'sts:AssumeRoleWithWebIdentity')
  t.match(irsa.Principal, { Federated: /:oidc-provider\/\$\{OIDC_PROVIDER\}$/ })
  t.same(irsa.Condition.StringEquals, {
    [`${slot('OIDC_PROVIDER')}:sub`]: `system:serviceaccount:${slot('NAMESPACE')}:${slot('SERVICE_ACCOUNT')}`,
    [`${slot('OIDC_PROVIDER')}:aud`]: 'sts.amazonaws.com'
  }, 'only the chart\'s service account, for STS')

  const [podIdentity] = readPolicy('trust-pod-identity.json').Statement as Statement[]
  t.same(podIdentity.Principal, { Service: 'pods.eks.amazonaws.com' })
  t.same(asList(podIdentity.Action).sort(), ['sts:AssumeRole', 'sts:TagSession'])

  const [crossTrust] = readPolicy('cross-account-trust.json').Statement as Array<Statement & { Condition: any }>
  t.match(crossTrust.Principal, { AWS: /^arn:aws:iam::\$\{HOME_ACCOUNT_ID\}:role\// })
  t.same(asList(crossTrust.Action).sort(), ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'], 'the session names its caller (SourceIdentity, src/accounts/session-identity.ts)')
  t.same(crossTrust.Condition, { StringEquals: { 'sts:ExternalId': slot('EXTERNAL_ID') } }, 'only with the registry\'s ExternalId')
  const [assume] = readPolicy('cross-account-assume.json').Statement as Statement[]
  t.same(asList(assume.Action).sort(), ['sts:AssumeRole', 'sts:SetSourceIdentity'])
  t.match(assume.Resource, /^arn:aws:iam::\*:role\/\$\{TARGET_ROLE_NAME\}$/, 'one role name, not any role')
})
