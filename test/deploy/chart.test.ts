/**
 * The Helm chart without a cluster: `helm lint` and `helm template` of the default values and of the
 * production example, every rendered object valid against the Kubernetes schemas, and what
 * production relies on (security contexts, probes, labels, the PDB, the optional objects).
 */
import { rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { findObject, getObject, helmLint, helmNotes, helmTemplate, PRODUCTION_VALUES, RELEASE, requireHelm, validateObject } from './chart.ts'
import type { K8sObject } from './chart.ts'

const STANDARD_LABELS = ['app.kubernetes.io/name', 'app.kubernetes.io/instance', 'app.kubernetes.io/version', 'app.kubernetes.io/managed-by', 'helm.sh/chart']

const helm = requireHelm(t)

const container = (deployment: K8sObject) => deployment.spec.template.spec.containers[0]
const envNames = (deployment: K8sObject): string[] => container(deployment).env.map((e: { name: string }) => e.name)

if (helm !== undefined) {
  for (const [label, valueFiles] of [['default values', []], ['the production example', [PRODUCTION_VALUES]]] as const) {
    t.test(`${label}: lint, template, and every object valid`, async (t) => {
      t.match(await helmLint(helm, [...valueFiles]), /1 chart\(s\) linted, 0 chart\(s\) failed/)
      const objects = await helmTemplate(helm, [...valueFiles])
      t.ok(objects.length >= 5, `${objects.length} objects rendered`)
      for (const object of objects) {
        await t.resolves(validateObject(object), `${object.kind} ${object.metadata.name} is valid`)
        for (const key of STANDARD_LABELS) t.ok(object.metadata.labels?.[key], `${object.kind} carries the label ${key}`)
      }
    })
  }

  t.test('the Deployment: replicas, rolling update, spread, security, probes, resources', async (t) => {
    const deployment = getObject(await helmTemplate(helm), 'Deployment')
    const { spec } = deployment
    t.equal(spec.replicas, 2, 'two replicas by default')
    t.same(spec.strategy.rollingUpdate, { maxUnavailable: 0, maxSurge: 1 })
    t.same(spec.template.spec.topologySpreadConstraints.map((c: { topologyKey: string }) => c.topologyKey), ['topology.kubernetes.io/zone', 'kubernetes.io/hostname'])
    t.same(spec.selector.matchLabels, { 'app.kubernetes.io/name': 'eks-oidc-api', 'app.kubernetes.io/instance': RELEASE })
    for (const c of spec.template.spec.topologySpreadConstraints) t.same(c.labelSelector.matchLabels, spec.selector.matchLabels)

    const pod = spec.template.spec
    t.match(pod.securityContext, { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } })
    t.equal(pod.automountServiceAccountToken, false)
    const main = container(deployment)
    t.same(main.securityContext, { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } })
    t.same(main.volumeMounts, [{ name: 'tmp', mountPath: '/tmp' }], 'the one writable place is an emptyDir on /tmp')
    t.match(pod.volumes, [{ name: 'tmp', emptyDir: {} }])

    t.match(main.livenessProbe, { httpGet: { path: '/healthz', port: 'http' } })
    t.match(main.readinessProbe, { httpGet: { path: '/readyz', port: 'http' } })
    t.match(main.startupProbe, { httpGet: { path: '/healthz', port: 'http' } })
    const startupBudget = main.startupProbe.periodSeconds * main.startupProbe.failureThreshold
    t.ok(startupBudget >= 20, `the startup probe allows ${startupBudget} s (measured start: 3.0-4.6 s to ready)`)
    t.ok(pod.terminationGracePeriodSeconds > 5 + 10, 'the grace period covers the preStop sleep and SHUTDOWN_DELAY_MS')

    t.same(main.resources, { requests: { cpu: '100m', memory: '160Mi' }, limits: { memory: '256Mi' } })
    t.same(main.ports, [{ name: 'http', containerPort: 3000, protocol: 'TCP' }])
    t.same(envNames(deployment).slice(0, 7), ['HOST', 'PORT', 'DATABASE_URL', 'PGUSER', 'PGPASSWORD', 'AUTH_API_TOKENS', 'AUTH_GRANTS'])
    t.equal(main.env.find((e: { name: string }) => e.name === 'DATABASE_URL').value, 'postgres://postgresql:5432/eks_oidc_api?sslmode=verify-full')
  })

  t.test('the PodDisruptionBudget selects the pods and keeps all but one', async (t) => {
    const objects = await helmTemplate(helm)
    const pdb = getObject(objects, 'PodDisruptionBudget')
    t.equal(pdb.spec.maxUnavailable, 1)
    t.same(pdb.spec.selector.matchLabels, getObject(objects, 'Deployment').spec.selector.matchLabels)
  })

  t.test('NetworkPolicy and ServiceMonitor appear only when enabled', async (t) => {
    const defaults = await helmTemplate(helm)
    t.notOk(findObject(defaults, 'NetworkPolicy'), 'no NetworkPolicy by default')
    t.notOk(findObject(defaults, 'ServiceMonitor'), 'no ServiceMonitor by default')

    const production = await helmTemplate(helm, [PRODUCTION_VALUES])
    const policy = getObject(production, 'NetworkPolicy')
    t.same(policy.spec.policyTypes, ['Ingress', 'Egress'])
    t.same(policy.spec.ingress[0].ports, [{ port: 'http', protocol: 'TCP' }], 'ingress on the service port only')
    const egressPorts = policy.spec.egress.map((rule: { ports: Array<{ port: number }> }) => rule.ports.map((p) => p.port))
    t.same(egressPorts, [[53, 53], [5432], [6379], [443]], 'DNS, PostgreSQL, Redis, and AWS and issuers on 443')
    t.same(policy.spec.egress[2].to, [{ ipBlock: { cidr: '10.0.0.0/16' } }], 'Redis only where networkPolicy.redisTo says')
    const monitor = getObject(production, 'ServiceMonitor')
    t.match(monitor.spec.endpoints, [{ port: 'http', path: '/metrics' }])
    t.equal(monitor.metadata.labels?.release, 'kube-prometheus-stack')
    t.equal(getObject(production, 'Deployment').spec.replicas, 3)
  })

  t.test('the NetworkPolicy follows EGRESS_ALLOWED_PORTS and opens the Pod Identity agent on request', async (t) => {
    const objects = await helmTemplate(helm, [], ['networkPolicy.enabled=true', 'networkPolicy.podIdentityAgent=true', 'config.EGRESS_ALLOWED_PORTS=443\\,8443'])
    const egress = getObject(objects, 'NetworkPolicy').spec.egress
    t.same(egress[2].ports.map((p: { port: number }) => p.port), [443, 8443])
    t.same(egress[3], { ports: [{ port: 80, protocol: 'TCP' }], to: [{ ipBlock: { cidr: '169.254.170.23/32' } }] })
  })

  t.test('the ServiceAccount carries the IRSA role; the auth Secret holds what the values give', async (t) => {
    const token = `ci:sha256:${'a'.repeat(64)}`
    const objects = await helmTemplate(helm, [], [
      'serviceAccount.roleArn=arn:aws:iam::111122223333:role/eks-oidc-api', `auth.apiTokens[0]=${token}`,
      'auth.grants.grants[0].principal=ci', 'auth.grants.grants[0].clusters[0]=*', 'auth.grants.grants[0].actions[0]=read'
    ])
    t.same(getObject(objects, 'ServiceAccount').metadata.annotations, { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::111122223333:role/eks-oidc-api' })
    const { stringData } = getObject(objects, 'Secret')
    t.equal(stringData.AUTH_API_TOKENS, token)
    t.same(JSON.parse(stringData.AUTH_GRANTS), { grants: [{ principal: 'ci', clusters: ['*'], actions: ['read'] }] })
    t.notOk(getObject(await helmTemplate(helm), 'ServiceAccount').metadata.annotations, 'no annotation without a role (Pod Identity)')

    const existing = await helmTemplate(helm, [], ['auth.existingSecret=mine'])
    t.notOk(findObject(existing, 'Secret'), 'no Secret of the chart with an existing one')
    const ref = container(getObject(existing, 'Deployment')).env.find((e: { name: string }) => e.name === 'AUTH_GRANTS').valueFrom.secretKeyRef
    t.same(ref, { name: 'mine', key: 'AUTH_GRANTS', optional: true })
  })

  t.test('the account registry: a ConfigMap read as ACCOUNTS, only when given, refused when malformed', async (t) => {
    const registry = {
      accounts: [
        { accountId: '111122223333', regions: ['eu-west-1'] },
        { accountId: '444455556666', roleArn: 'arn:aws:iam::444455556666:role/eks-oidc-api', externalId: 'ext-1', regions: ['eu-west-1', 'us-east-1'] }
      ]
    }
    const values = join(tmpdir(), `accounts-values-${process.pid}.json`)
    writeFileSync(values, JSON.stringify({ accounts: registry }))
    t.teardown(() => rmSync(values, { force: true }))
    const objects = await helmTemplate(helm, [values])
    t.same(JSON.parse(getObject(objects, 'ConfigMap').data.ACCOUNTS), registry, 'the registry as the service reads it')
    const env = container(getObject(objects, 'Deployment')).env.find((e: { name: string }) => e.name === 'ACCOUNTS')
    t.same(env.valueFrom.configMapKeyRef, { name: `${RELEASE}-accounts`, key: 'ACCOUNTS' })
    t.ok(getObject(objects, 'Deployment').spec.template.metadata.annotations['checksum/accounts'], 'a change of the registry rolls the pods')

    const plain = await helmTemplate(helm)
    t.notOk(findObject(plain, 'ConfigMap'), 'no ConfigMap without a registry')
    t.notOk(container(getObject(plain, 'Deployment')).env.some((e: { name: string }) => e.name === 'ACCOUNTS'), 'nor ACCOUNTS')

    const refused = await helmTemplate(helm, [], ['accounts.accounts[0].accountId=1234', 'accounts.accounts[0].regions[0]=eu-west-1']).then(() => undefined, (error: Error) => error)
    t.match(refused?.message, /accountId/, 'a malformed account id is refused at render time, naming the value')
  })

  t.test('PostgreSQL: credentials from the existing Secret, the CA bundle mounted as sslrootcert', async (t) => {
    const deployment = getObject(await helmTemplate(helm, [PRODUCTION_VALUES]), 'Deployment')
    const env = Object.fromEntries(container(deployment).env.map((e: { name: string }) => [e.name, e]))
    t.equal(env.DATABASE_URL.value,
      'postgres://eks-oidc-api.cluster-abcdefghijkl.eu-west-1.rds.amazonaws.com:5432/eks_oidc_api?sslmode=verify-full&sslrootcert=/etc/eks-oidc-api/postgresql-ca/ca.pem')
    t.same(env.PGPASSWORD.valueFrom, { secretKeyRef: { name: 'eks-oidc-api-postgresql', key: 'password' } })
    t.same(env.PGUSER.valueFrom, { secretKeyRef: { name: 'eks-oidc-api-postgresql', key: 'username' } })
    t.match(container(deployment).volumeMounts, [{ name: 'tmp' }, { name: 'postgresql-ca', mountPath: '/etc/eks-oidc-api/postgresql-ca', readOnly: true }])
    t.match(deployment.spec.template.spec.volumes, [{ name: 'tmp' }, { name: 'postgresql-ca', configMap: { name: 'rds-ca' } }])
    t.equal(env.MAX_RSS_BYTES.value, '234881024', 'large numbers of the values stay integers')
  })

  t.test('Redis: the URL only from its Secret, the key prefix per release, the egress rule, only when enabled', async (t) => {
    const envOf = (deployment: K8sObject): Record<string, any> => Object.fromEntries(container(deployment).env.map((e: { name: string }) => [e.name, e]))
    const disabled = await helmTemplate(helm, [], ['networkPolicy.enabled=true'])
    const without = envOf(getObject(disabled, 'Deployment'))
    t.notOk('REDIS_URL' in without || 'REDIS_KEY_PREFIX' in without, 'no Redis variables by default')
    t.same(getObject(disabled, 'NetworkPolicy').spec.egress.map((rule: { ports: Array<{ port: number }> }) => rule.ports[0].port), [53, 5432, 443], 'and no egress to Redis')

    const enabled = await helmTemplate(helm, [], ['redis.enabled=true', 'redis.existingSecret=cache', 'redis.urlKey=endpoint', 'redis.port=6380', 'networkPolicy.enabled=true'])
    const env = envOf(getObject(enabled, 'Deployment'))
    t.same(env.REDIS_URL, { name: 'REDIS_URL', valueFrom: { secretKeyRef: { name: 'cache', key: 'endpoint' } } }, 'REDIS_URL from the Secret, never as a value')
    t.equal(env.REDIS_KEY_PREFIX.value, `${RELEASE}:`, 'the key prefix defaults to the release\'s full name')
    t.same(getObject(enabled, 'NetworkPolicy').spec.egress[2], { ports: [{ port: 6380, protocol: 'TCP' }] }, 'egress to redis.port, any address without redisTo')

    const other = envOf(getObject(await helmTemplate(helm, [], ['redis.enabled=true', 'redis.existingSecret=cache', 'fullnameOverride=tenant-b']), 'Deployment'))
    t.equal(other.REDIS_KEY_PREFIX.value, 'tenant-b:', 'another release sharing the Redis writes other keys')
    const chosen = envOf(getObject(await helmTemplate(helm, [], ['redis.enabled=true', 'redis.existingSecret=cache', 'redis.keyPrefix=team.a:']), 'Deployment'))
    t.equal(chosen.REDIS_KEY_PREFIX.value, 'team.a:')
  })

  t.test('NOTES.txt warns when several replicas run without Redis', async (t) => {
    const warning = /WARNING: 2 replicas without Redis .* a caller\s+gets 2 times RATE_LIMIT_MAX/s
    t.match(await helmNotes(helm), warning, 'the defaults: two replicas, no Redis')
    t.notMatch(await helmNotes(helm, [], ['replicaCount=1']), /without Redis/, 'one replica needs no Redis')
    const shared = await helmNotes(helm, [PRODUCTION_VALUES])
    t.notMatch(shared, /without Redis/, 'the production example shares its limits through Redis')
    t.match(shared, /The Secret eks-oidc-api-redis must exist in platform with the Redis URL under the key url/)
  })

  t.test('values the service would refuse are refused at render time, naming the value', async (t) => {
    const refused = async (set: string, message: RegExp) => t.rejects(helmTemplate(helm, [], [set]), message, set)
    await refused('config.AWS_MAX_ATTEMPTS=11', /config\/AWS_MAX_ATTEMPTS.*maximum/)
    await refused('config.LOG_LEVEL=loud', /config\/LOG_LEVEL/)
    await refused('config.DATABASE_URL=postgres://x/y', /additional properties 'DATABASE_URL' not allowed/)
    await refused('config.REDIS_URL=redis://:secret@cache:6379', /additional properties 'REDIS_URL' not allowed/)
    await refused('config.REDIS_KEY_PREFIX=mine:', /additional properties 'REDIS_KEY_PREFIX' not allowed/)
    await refused('redis.enabled=true', /redis\/existingSecret/)
    await refused('redis.keyPrefix=two words', /redis\/keyPrefix/)
    await refused('auth.apiTokens[0]=plaintext-token', /auth\/apiTokens\/0/)
    await refused('postgresql.sslmode=prefer', /postgresql\/sslmode/)
    await refused('replicaCount=0', /replicaCount/)
  })
}

t.test('the Kubernetes schemas do refuse a malformed object', async (t) => {
  const broken = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'broken' }, spec: { selector: {}, template: { spec: { containers: [{ name: 'a', ports: [{ containerPort: 'http' }] }] } } } }
  await t.rejects(validateObject(broken), /Deployment broken: .*containerPort must be integer/)
})
