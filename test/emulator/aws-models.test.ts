/**
 * The emulator checked against AWS's own service models (the JSON models the `aws-sdk` v2 package
 * ships): every operation the service calls exists in the model and in the emulator, is reached by
 * a request built from the model (EKS: its HTTP method and requestUri), refuses a request missing
 * a required member with a 400, and answers with exactly the members of the model's output shape.
 *
 * The minified models carry no `errors` lists, so a missing member is expected to be refused with
 * the service's validation code: for EKS `InvalidParameterException`, the error the EKS API
 * reference lists for a missing or invalid parameter on the cluster and identity provider
 * operations, except the tag operations, whose only client errors are `BadRequestException` and
 * `NotFoundException`; for IAM `ValidationError`, the code awsQuery services send for a request
 * that breaks the model ("1 validation error detected"), listed in no model.
 */
import { createRequire } from 'node:module'
import t, { type Test } from 'tap'
import { EKS_OPERATIONS as SERVICE_EKS, IAM_OPERATIONS as SERVICE_IAM, awsOperationName } from '../../src/aws/wrap-port.ts'
import { EKS_OPERATIONS as EMULATOR_EKS } from '../../emulator/eks.ts'
import { IAM_ACTIONS } from '../../emulator/iam.ts'
import { STS_ACTIONS } from '../../emulator/sts.ts'
import { startEmulator } from './helpers.ts'
import { seedRoles } from './roles.ts'

interface Shape {
  type?: string
  shape?: string
  members?: Record<string, Shape>
  required?: string[]
  member?: Shape
  key?: Shape
  value?: Shape
  enum?: string[]
  location?: string
  locationName?: string
  resultWrapper?: string
  flattened?: boolean
  timestampFormat?: string
}
interface Operation { http?: { method?: string, requestUri?: string }, input?: Shape, output?: Shape }
interface Model { metadata: { apiVersion: string }, operations: Record<string, Operation>, shapes: Record<string, Shape> }

const require = createRequire(import.meta.url)
const EKS: Model = require('aws-sdk/apis/eks-2017-11-01.min.json')
const IAM: Model = require('aws-sdk/apis/iam-2010-05-08.min.json')
const STS: Model = require('aws-sdk/apis/sts-2011-06-15.min.json')

/** A member reference resolved to its shape; a bare `{}` is a string in these models. */
const resolve = (model: Model, ref: Shape): Shape => {
  const { shape, ...rest } = ref
  return shape ? { ...model.shapes[shape], ...rest } : { type: 'string', ...rest }
}

const serviceEks = Object.keys(SERVICE_EKS).map(awsOperationName)
const serviceIam = Object.keys(SERVICE_IAM).map(awsOperationName)

// ── Validation of answers against output shapes ────────────────────────────────────────────────

type Problems = string[]

/**
 * Known deviations, each an answer member the emulator sends that the model lacks. The aws-sdk v2
 * models are frozen (the package is in maintenance mode); these members are newer than them and are
 * in the models of @aws-sdk/client-eks (v3), which the service itself uses.
 */
const NEWER_THAN_V2_MODEL = new Set([
  // Added with EKS Auto Mode (KubernetesNetworkConfigResponse.elasticLoadBalancing).
  'DescribeCluster.cluster.kubernetesNetworkConfig.elasticLoadBalancing',
  // Added with Pod Identity cross-account roles (June 2025), on every answer carrying an association.
  ...['Create', 'Describe', 'Update', 'Delete'].map(verb => `${verb}PodIdentityAssociation.association.disableSessionTags`)
])

function checkJson (model: Model, ref: Shape, value: unknown, path: string, problems: Problems): void {
  const shape = resolve(model, ref)
  const fail = (rule: string) => { problems.push(`${path}: ${rule}, got ${JSON.stringify(value)}`) }
  switch (shape.type) {
    case 'structure': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('expected an object')
      const members = shape.members ?? {}
      for (const name of shape.required ?? []) if (!(name in value)) problems.push(`${path}.${name}: required member missing`)
      for (const [name, member] of Object.entries(value)) {
        if (NEWER_THAN_V2_MODEL.has(`${path}.${name}`)) continue
        if (!Object.hasOwn(members, name)) problems.push(`${path}.${name}: not a member of the output shape`)
        else checkJson(model, members[name], member, `${path}.${name}`, problems)
      }
      return
    }
    case 'list':
      if (!Array.isArray(value)) return fail('expected a list')
      value.forEach((item, index) => checkJson(model, shape.member ?? {}, item, `${path}[${index}]`, problems))
      return
    case 'map':
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('expected a map')
      for (const [key, item] of Object.entries(value)) {
        checkJson(model, shape.key ?? {}, key, `${path} key`, problems)
        checkJson(model, shape.value ?? {}, item, `${path}.${key}`, problems)
      }
      return
    case 'string':
      if (typeof value !== 'string') return fail('expected a string')
      if (shape.enum && !shape.enum.includes(value)) fail(`expected one of ${shape.enum.join(', ')}`)
      return
    case 'integer': case 'long':
      if (!Number.isInteger(value)) fail('expected an integer')
      return
    case 'double': case 'float':
      if (typeof value !== 'number') fail('expected a number')
      return
    case 'boolean':
      if (typeof value !== 'boolean') fail('expected a boolean')
      return
    case 'timestamp':
      // restJson1 sends epoch seconds unless the member says otherwise.
      if (shape.timestampFormat ? typeof value !== 'string' : typeof value !== 'number') fail('expected a timestamp')
      return
    default:
      problems.push(`${path}: shape type ${String(shape.type)} not handled by this check`)
  }
}

interface XmlElement { name: string, children: XmlElement[], text: string }

/** Parses the emulator's XML (elements and text, no CDATA or comments); throws on a malformed document. */
function parseXml (xml: string): XmlElement {
  const root: XmlElement = { name: '#document', children: [], text: '' }
  const stack = [root]
  const token = /<\?[^>]*\?>|<(\/?)([A-Za-z_][\w.-]*)[^>]*?(\/?)>|([^<]+)/g
  for (const [, closing, name, selfClosing, text] of xml.matchAll(token)) {
    const top = stack[stack.length - 1]
    if (text !== undefined) {
      top.text += text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&')
    } else if (name === undefined) {
      continue
    } else if (closing) {
      if (top.name !== name) throw new Error(`</${name}> closes <${top.name}>`)
      stack.pop()
    } else {
      const element = { name, children: [], text: '' }
      top.children.push(element)
      if (!selfClosing) stack.push(element)
    }
  }
  if (stack.length !== 1) throw new Error('unclosed elements')
  return root
}

function checkXml (model: Model, ref: Shape, element: XmlElement, path: string, problems: Problems): void {
  const shape = resolve(model, ref)
  const text = element.text.trim()
  const fail = (rule: string) => { problems.push(`${path}: ${rule}, got ${JSON.stringify(text)}`) }
  switch (shape.type) {
    case 'structure': {
      const members = shape.members ?? {}
      const seen = new Set(element.children.map(child => child.name))
      for (const name of shape.required ?? []) if (!seen.has(name)) problems.push(`${path}.${name}: required member missing`)
      for (const child of element.children) {
        if (!Object.hasOwn(members, child.name)) problems.push(`${path}.${child.name}: not a member of the output shape`)
        else checkXml(model, members[child.name], child, `${path}.${child.name}`, problems)
      }
      return
    }
    case 'list':
      element.children.forEach((child, index) => {
        if (child.name !== 'member') problems.push(`${path}[${index}]: list item must be <member>, got <${child.name}>`)
        checkXml(model, shape.member ?? {}, child, `${path}[${index}]`, problems)
      })
      return
    case 'string':
      if (element.children.length > 0) return fail('expected text')
      if (shape.enum && !shape.enum.includes(text)) fail(`expected one of ${shape.enum.join(', ')}`)
      return
    case 'integer': case 'long':
      if (!/^-?\d+$/.test(text)) fail('expected an integer')
      return
    case 'boolean':
      if (text !== 'true' && text !== 'false') fail('expected a boolean')
      return
    case 'timestamp':
      if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(text)) fail('expected an ISO 8601 timestamp')
      return
    default:
      problems.push(`${path}: shape type ${String(shape.type)} not handled by this check`)
  }
}

// ── Requests built from the models ─────────────────────────────────────────────────────────────

type Input = Record<string, unknown>

function eksRequest (operation: string, input: Input) {
  const { http = {}, input: inputShape = {} } = EKS.operations[operation]
  let path = (http.requestUri ?? '/').split('?')[0]
  const query = new URLSearchParams()
  const body: Input = {}
  for (const [name, value] of Object.entries(input)) {
    const member = inputShape.members?.[name]
    if (!member) throw new Error(`${operation} has no input member ${name}`)
    const wireName = member.locationName ?? name
    if (member.location === 'uri') path = path.replace(`{${wireName}}`, encodeURIComponent(String(value)))
    else if (member.location === 'querystring') for (const item of [value].flat()) query.append(wireName, String(item))
    else body[wireName] = value
  }
  const search = query.size > 0 ? `?${query}` : ''
  return { method: http.method ?? 'POST', path: path + search, body: Object.keys(body).length > 0 ? JSON.stringify(body) : undefined }
}

/** awsQuery form encoding: lists as `Name.member.N`, structures as `Name.Member`. */
function formOf (prefix: string, value: unknown, form: URLSearchParams): void {
  if (Array.isArray(value)) {
    if (value.length === 0) form.append(prefix, '')
    value.forEach((item, index) => formOf(`${prefix}.member.${index + 1}`, item, form))
  } else if (typeof value === 'object' && value !== null) {
    for (const [name, member] of Object.entries(value)) formOf(`${prefix}.${name}`, member, form)
  } else {
    form.append(prefix, String(value))
  }
}

function queryForm (model: Model, operation: string, input: Input): string {
  const form = new URLSearchParams({ Action: operation, Version: model.metadata.apiVersion })
  for (const [name, value] of Object.entries(input)) {
    if (!model.operations[operation].input?.members?.[name]) throw new Error(`${operation} has no input member ${name}`)
    formOf(name, value, form)
  }
  return form.toString()
}

/** Every required member reachable through the structures `input` gives, as a path of member names. */
function requiredPaths (model: Model, ref: Shape, input: Input, prefix: string[] = []): string[][] {
  const shape = resolve(model, ref)
  const paths: string[][] = []
  for (const name of shape.required ?? []) paths.push([...prefix, name])
  for (const [name, value] of Object.entries(input)) {
    const member = shape.members?.[name]
    if (member && resolve(model, member).type === 'structure' && typeof value === 'object' && value !== null) {
      paths.push(...requiredPaths(model, member, value as Input, [...prefix, name]))
    }
  }
  return paths
}

function without (input: Input, [name, ...rest]: string[]): Input {
  if (rest.length === 0) return Object.fromEntries(Object.entries(input).filter(([key]) => key !== name))
  return { ...input, [name]: without(input[name] as Input, rest) }
}

// ── The emulator ───────────────────────────────────────────────────────────────────────────────

const emulator = await startEmulator(t, {
  seed: {
    identityProviders: [{ name: 'corp' }],
    roles: seedRoles('dev/deployer'),
    clusters: [
      { name: 'demo', identityProviderConfig: { identityProviderConfigName: 'corp', clientId: 'kubernetes', identityProvider: 'corp' } },
      { name: 'fresh', addons: [{ name: 'eks-pod-identity-agent', status: 'ACTIVE' }] }
    ],
    iamOidcProviders: [{ cluster: 'demo', tags: { team: 'platform' } }]
  }
})
const issuerUrl = `${emulator.url.replace('http://', 'https://')}/idp/corp`

async function callEks (operation: string, input: Input) {
  const { method, path, body } = eksRequest(operation, input)
  const response = await fetch(emulator.url + path, { method, body, headers: body ? { 'content-type': 'application/json' } : {} })
  const text = await response.text()
  return { status: response.status, errorType: response.headers.get('x-amzn-errortype'), text, json: text ? JSON.parse(text) : undefined }
}

async function callQuery (model: Model, operation: string, input: Input) {
  const response = await fetch(emulator.url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: queryForm(model, operation, input)
  })
  return { status: response.status, document: parseXml(await response.text()) }
}

/** The operations the scenarios below have checked. */
const checked = new Set<string>()

const errorCode = (document: XmlElement) =>
  document.children[0]?.children.find(child => child.name === 'Error')?.children.find(child => child.name === 'Code')?.text

t.test('every operation the service calls is in the AWS model and in the emulator', async t => {
  for (const operation of serviceEks) {
    t.ok(EKS.operations[operation], `EKS model has ${operation}`)
    t.ok(EMULATOR_EKS.includes(operation), `emulator implements eks:${operation}`)
  }
  for (const operation of serviceIam) {
    t.ok(IAM.operations[operation], `IAM model has ${operation}`)
    t.ok(Object.hasOwn(IAM_ACTIONS, operation), `emulator implements iam:${operation}`)
  }
})

t.test('every operation the emulator implements is in the AWS model', async t => {
  for (const operation of EMULATOR_EKS) t.ok(EKS.operations[operation], `EKS model has ${operation}`)
  for (const operation of Object.keys(IAM_ACTIONS)) t.ok(IAM.operations[operation], `IAM model has ${operation}`)
  for (const operation of Object.keys(STS_ACTIONS)) t.ok(STS.operations[operation], `STS model has ${operation}`)
})

/**
 * Checks `operation` with a valid `input`: each required member left out is refused with a 400 of
 * the operation's validation code, then the full request succeeds and its answer has the model's output shape.
 * Required members bound to the URI path cannot be left out (the request would address another
 * route), so only body and query members are dropped.
 */
const eksValidationCode = (operation: string) =>
  ['TagResource', 'UntagResource', 'ListTagsForResource'].includes(operation) ? 'BadRequestException' : 'InvalidParameterException'

async function checkEksOperation (t: Test, operation: string, input: Input) {
  checked.add(`eks:${operation}`)
  const model = EKS.operations[operation]
  for (const path of requiredPaths(EKS, model.input ?? {}, input)) {
    if (path.length === 1 && model.input?.members?.[path[0]].location === 'uri') continue
    const refused = await callEks(operation, without(input, path))
    t.same({ status: refused.status, errorType: refused.errorType }, { status: 400, errorType: eksValidationCode(operation) },
      `${operation} without ${path.join('.')} is refused`)
  }
  const answer = await callEks(operation, input)
  t.equal(answer.status, 200, `${operation} answers 200 to ${model.http?.method ?? 'POST'} ${model.http?.requestUri}: ${answer.text}`)
  const problems: Problems = []
  checkJson(EKS, model.output ?? { type: 'structure', members: {} }, answer.json ?? {}, operation, problems)
  t.same(problems, [], `${operation} answers with its output shape`)
  return answer.json
}

async function checkQueryOperation (t: Test, model: Model, operation: string, input: Input) {
  checked.add(`${model === STS ? 'sts' : 'iam'}:${operation}`)
  const shape = model.operations[operation]
  for (const path of requiredPaths(model, shape.input ?? {}, input)) {
    const refused = await callQuery(model, operation, without(input, path))
    t.same({ status: refused.status, code: errorCode(refused.document) }, { status: 400, code: 'ValidationError' },
      `${operation} without ${path.join('.')} is refused`)
  }
  const answer = await callQuery(model, operation, input)
  t.equal(answer.status, 200, `${operation} answers 200`)
  const problems: Problems = []
  const [response] = answer.document.children
  t.equal(response?.name, `${operation}Response`, `${operation} answers in <${operation}Response>`)
  const wrapper = shape.output?.resultWrapper
  const expected = [...(wrapper ? [wrapper] : []), 'ResponseMetadata']
  t.same(response?.children.map(child => child.name), expected, `${operation} answers with ${expected.join(' and ')}`)
  const result = response?.children.find(child => child.name === wrapper)
  if (wrapper && result && shape.output) checkXml(model, shape.output, result, operation, problems)
  t.same(problems, [], `${operation} answers with its output shape`)
  return result
}

t.test('EKS: requests built from the model reach the operation and answers have its output shape', async t => {
  const configRef = { type: 'oidc', name: 'corp' }
  await checkEksOperation(t, 'ListClusters', {})
  const { cluster } = await checkEksOperation(t, 'DescribeCluster', { name: 'demo' }) as { cluster: { arn: string } }
  await checkEksOperation(t, 'ListIdentityProviderConfigs', { clusterName: 'demo' })
  await checkEksOperation(t, 'DescribeIdentityProviderConfig', { clusterName: 'demo', identityProviderConfig: configRef })
  await checkEksOperation(t, 'AssociateIdentityProviderConfig', {
    clusterName: 'fresh',
    oidc: { identityProviderConfigName: 'second', issuerUrl, clientId: 'kubernetes', requiredClaims: { tier: 'gold' } },
    tags: { team: 'platform' }
  })
  const { updateIds } = await checkEksOperation(t, 'ListUpdates', { name: 'fresh' }) as { updateIds: string[] }
  await checkEksOperation(t, 'DescribeUpdate', { name: 'fresh', updateId: updateIds[0] })
  await checkEksOperation(t, 'DisassociateIdentityProviderConfig', { clusterName: 'demo', identityProviderConfig: configRef })
  await checkEksOperation(t, 'TagResource', { resourceArn: cluster.arn, tags: { owner: 'me' } })
  await checkEksOperation(t, 'ListTagsForResource', { resourceArn: cluster.arn })
  await checkEksOperation(t, 'UntagResource', { resourceArn: cluster.arn, tagKeys: ['owner'] })
})

t.test('EKS Pod Identity and add-ons: requests built from the model reach the operation and answers have its output shape', async t => {
  const roleArn = `arn:aws:iam::${emulator.accountId}:role/cart`
  const { association } = await checkEksOperation(t, 'CreatePodIdentityAssociation', {
    clusterName: 'fresh', namespace: 'shop', serviceAccount: 'cart', roleArn, tags: { team: 'shop' }, clientRequestToken: 'model-check-create'
  }) as { association: { associationId: string } }
  await checkEksOperation(t, 'ListPodIdentityAssociations', { clusterName: 'fresh', namespace: 'shop', serviceAccount: 'cart', maxResults: 10 })
  await checkEksOperation(t, 'DescribePodIdentityAssociation', { clusterName: 'fresh', associationId: association.associationId })
  await checkEksOperation(t, 'UpdatePodIdentityAssociation', { clusterName: 'fresh', associationId: association.associationId, roleArn: `${roleArn}-v2` })
  await checkEksOperation(t, 'DeletePodIdentityAssociation', { clusterName: 'fresh', associationId: association.associationId })
  await checkEksOperation(t, 'DescribeAddon', { clusterName: 'fresh', addonName: 'eks-pod-identity-agent' })
  await checkEksOperation(t, 'ListAddons', { clusterName: 'fresh' })
})

t.test('EKS access entries and the authentication mode: requests built from the model, answers in its shape', async t => {
  const principalArn = `arn:aws:iam::${emulator.accountId}:role/dev/deployer`
  const policyArn = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy'
  await checkEksOperation(t, 'ListAccessPolicies', {})
  await checkEksOperation(t, 'CreateAccessEntry', {
    clusterName: 'fresh', principalArn, kubernetesGroups: ['deployers'], username: 'deployer:{{SessionName}}', type: 'STANDARD', tags: { team: 'apps' }
  })
  await checkEksOperation(t, 'DescribeAccessEntry', { clusterName: 'fresh', principalArn })
  await checkEksOperation(t, 'UpdateAccessEntry', { clusterName: 'fresh', principalArn, kubernetesGroups: ['viewers'] })
  await checkEksOperation(t, 'AssociateAccessPolicy', { clusterName: 'fresh', principalArn, policyArn, accessScope: { type: 'namespace', namespaces: ['dev'] } })
  await checkEksOperation(t, 'ListAssociatedAccessPolicies', { clusterName: 'fresh', principalArn })
  await checkEksOperation(t, 'ListAccessEntries', { clusterName: 'fresh', associatedPolicyArn: policyArn })
  await checkEksOperation(t, 'DisassociateAccessPolicy', { clusterName: 'fresh', principalArn, policyArn })
  await checkEksOperation(t, 'DeleteAccessEntry', { clusterName: 'fresh', principalArn })
  await checkEksOperation(t, 'UpdateClusterConfig', { name: 'fresh', accessConfig: { authenticationMode: 'API' } })
})

t.test('IAM and STS: requests built from the model are answered in the model\'s result wrapper and shape', async t => {
  const list = await checkQueryOperation(t, IAM, 'ListOpenIDConnectProviders', {})
  const arn = list?.children[0]?.children[0]?.children.find(child => child.name === 'Arn')?.text ?? ''
  t.match(arn, /^arn:aws:iam::\d{12}:oidc-provider\//, 'the seeded provider is listed')
  const thumbprint = 'a'.repeat(40)
  await checkQueryOperation(t, IAM, 'GetOpenIDConnectProvider', { OpenIDConnectProviderArn: arn })
  await checkQueryOperation(t, IAM, 'ListOpenIDConnectProviderTags', { OpenIDConnectProviderArn: arn })
  await checkQueryOperation(t, IAM, 'AddClientIDToOpenIDConnectProvider', { OpenIDConnectProviderArn: arn, ClientID: 'extra' })
  await checkQueryOperation(t, IAM, 'RemoveClientIDFromOpenIDConnectProvider', { OpenIDConnectProviderArn: arn, ClientID: 'extra' })
  await checkQueryOperation(t, IAM, 'UpdateOpenIDConnectProviderThumbprint', { OpenIDConnectProviderArn: arn, ThumbprintList: [thumbprint] })
  await checkQueryOperation(t, IAM, 'TagOpenIDConnectProvider', { OpenIDConnectProviderArn: arn, Tags: [{ Key: 'owner', Value: 'me' }] })
  await checkQueryOperation(t, IAM, 'UntagOpenIDConnectProvider', { OpenIDConnectProviderArn: arn, TagKeys: ['owner'] })
  await checkQueryOperation(t, IAM, 'CreateOpenIDConnectProvider', {
    Url: 'https://issuer.example.com', ClientIDList: ['kubernetes'], ThumbprintList: [thumbprint], Tags: [{ Key: 'team', Value: 'platform' }]
  })
  await checkQueryOperation(t, IAM, 'DeleteOpenIDConnectProvider', { OpenIDConnectProviderArn: arn })
  await checkQueryOperation(t, STS, 'GetCallerIdentity', {})
})

t.test('IAM roles and STS AssumeRole: requests built from the model, answers in its shape', async t => {
  const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${emulator.accountId}:root` }, Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'] }] })
  const created = await checkQueryOperation(t, IAM, 'CreateRole', {
    RoleName: 'model-role', Path: '/model/', AssumeRolePolicyDocument: trust, Description: 'from the model', MaxSessionDuration: 7200, Tags: [{ Key: 'team', Value: 'platform' }]
  })
  const roleArn = created?.children[0]?.children.find(child => child.name === 'Arn')?.text ?? ''
  t.equal(roleArn, `arn:aws:iam::${emulator.accountId}:role/model/model-role`)
  await checkQueryOperation(t, IAM, 'GetRole', { RoleName: 'model-role' })
  await checkQueryOperation(t, IAM, 'ListRoles', { PathPrefix: '/model/', MaxItems: 10 })
  await checkQueryOperation(t, IAM, 'UpdateAssumeRolePolicy', { RoleName: 'model-role', PolicyDocument: trust })
  await checkQueryOperation(t, STS, 'AssumeRole', {
    RoleArn: roleArn, RoleSessionName: 'model-session', DurationSeconds: 900, SourceIdentity: 'alice', Tags: [{ Key: 'k', Value: 'v' }], TransitiveTagKeys: ['k']
  })
  await checkQueryOperation(t, IAM, 'DeleteRole', { RoleName: 'model-role' })
})

t.test('the scenarios above call every operation the service calls', async t => {
  t.same(serviceEks.filter(operation => !checked.has(`eks:${operation}`)), [], 'every EKS operation is checked')
  t.same(serviceIam.filter(operation => !checked.has(`iam:${operation}`)), [], 'every IAM operation is checked')
})

t.test('the scenarios above call every IAM and STS operation the emulator implements', async t => {
  t.same(Object.keys(IAM_ACTIONS).filter(operation => !checked.has(`iam:${operation}`)), [], 'every emulated IAM operation is checked')
  t.same(Object.keys(STS_ACTIONS).filter(operation => !checked.has(`sts:${operation}`)), [], 'every emulated STS operation is checked')
})
