/**
 * Secrets never reach the logs or the audit trail of the real app: buildApp with its own logger
 * settings (LOG_LEVEL, redaction) writing to a captured stream, over HTTP, wired to the emulator.
 * Every route of the app is driven with static tokens, JWTs (in the Authorization header, a cookie,
 * X-Api-Key and request bodies) while AWS credentials sit in the environment.
 */
import t, { type Test } from 'tap'
import { generateToken, hashToken } from '../../src/auth/static-tokens.ts'
import { LOG_REDACT_CENSOR } from '../../src/auth/redact.ts'
import { concretePath } from '../support/route-walk.ts'
import { startHarness } from '../e2e/support.ts'
import { capturedLog } from '../support/captured-log.ts'
import { startOidcIssuer } from './helpers/oidc-issuer.ts'

const AWS_SECRET_ACCESS_KEY = `secret${generateToken()}`
const AWS_SESSION_TOKEN = `session${generateToken()}`

async function driveEveryRoute (t: Test, level: 'info' | 'debug') {
  const issuer = await startOidcIssuer('eks-oidc-api')
  t.teardown(() => issuer.close())
  const dir = t.testdir({ 'ca.pem': issuer.caPem })
  const adminToken = generateToken()
  const wrongToken = generateToken()
  const jwt = await issuer.sign({ sub: 'deployer' })
  const expiredJwt = await issuer.sign({ sub: 'deployer' }, { expiresIn: Math.floor(Date.now() / 1000) - 600 })
  const bodyJwt = await issuer.sign({ sub: 'someone-logging-in' })

  const previousSessionToken = process.env.AWS_SESSION_TOKEN
  process.env.AWS_SESSION_TOKEN = AWS_SESSION_TOKEN
  t.teardown(() => {
    if (previousSessionToken === undefined) delete process.env.AWS_SESSION_TOKEN
    else process.env.AWS_SESSION_TOKEN = previousSessionToken
  })

  const log = capturedLog()
  const { app, emulator, call, serviceUrl } = await startHarness(t, {
    emulator: { seed: { clusters: [{ name: 'staging' }] } },
    env: {
      LOG_LEVEL: level,
      AWS_SECRET_ACCESS_KEY,
      AUTH_MODE: 'tokens,jwt',
      AUTH_API_TOKENS: `ops:${hashToken(adminToken)}`,
      AUTH_JWT_ISSUER: issuer.issuer,
      AUTH_JWT_AUDIENCE: 'eks-oidc-api',
      AUTH_JWT_CA_FILE: `${dir}/ca.pem`,
      AUTH_GRANTS: JSON.stringify({
        grants: [
          { principal: 'ops', clusters: ['*'], actions: ['admin'] },
          { principal: 'jwt:deployer', clusters: ['staging'], actions: ['write'] }
        ]
      })
    },
    logStream: log.stream
  })
  emulator.createIdentityProvider({ name: 'corp' })

  const credentials = [adminToken, jwt, wrongToken, expiredJwt]
  const statuses = new Set<number>()
  let refusals = 0
  for (const route of app.routeAccessTable) {
    for (const credential of credentials) {
      const path = concretePath(route.url, route.url.includes(':operationId') ? crypto.randomUUID() : 'staging')
      const body = ['POST', 'PUT', 'PATCH'].includes(route.method) ? { token: bodyJwt } : undefined
      // Not the harness's call: some routes answer HTML or YAML.
      const reply = await fetch(serviceUrl + path, {
        method: route.method,
        body: body === undefined ? undefined : JSON.stringify(body),
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          authorization: `Bearer ${credential}`,
          cookie: `session=${credential}`,
          'x-api-key': credential,
          'idempotency-key': `secrecy-${crypto.randomUUID()}`
        },
        signal: AbortSignal.timeout(15_000)
      })
      await reply.arrayBuffer()
      statuses.add(reply.status)
      if (reply.status === 401 || reply.status === 403) refusals++
    }
  }
  t.ok(app.routeAccessTable.length >= 25, `drove ${app.routeAccessTable.length} routes`)
  t.ok(statuses.has(200) && statuses.has(401) && statuses.has(403), `answers seen: ${[...statuses].sort().join(', ')}`)

  const audit = await call('GET', '/audit?limit=100', { headers: { authorization: `Bearer ${adminToken}` } })
  t.equal(audit.status, 200)
  t.ok(audit.body.items.length > 0, 'requests were audited')
  const logText = log.lines.join('')
  const auditText = JSON.stringify(audit.body)
  t.ok(log.lines.length > 100, `${log.lines.length} log lines at ${level}`)
  t.ok(logText.includes('"component":"audit"'), 'audit lines are logged')
  if (level === 'debug') {
    // The error handler logs a failed request's headers at debug: the credentials sent are redacted.
    const headerLines = log.lines.filter(line => line.includes('"msg":"headers of the failed request"'))
    t.ok(refusals > 0 && headerLines.length >= refusals, `the headers of ${headerLines.length} failed requests were logged (${refusals} refused)`)
    for (const header of ['authorization', 'cookie', 'x-api-key']) {
      t.ok(headerLines.every(line => line.includes(`"${header}":"${LOG_REDACT_CENSOR}"`)), `${header} is redacted in every one`)
    }
  }

  const secrets: Array<[string, string]> = [
    ['admin token', adminToken],
    ['admin token hash', hashToken(adminToken).slice('sha256:'.length)],
    ['wrong token', wrongToken],
    ['JWT signature', jwt.split('.')[2]],
    ['JWT payload', jwt.split('.')[1]],
    ['expired JWT signature', expiredJwt.split('.')[2]],
    ['JWT in a body', bodyJwt.split('.')[2]],
    ['AWS secret access key', AWS_SECRET_ACCESS_KEY],
    ['AWS session token', AWS_SESSION_TOKEN]
  ]
  for (const [what, secret] of secrets) {
    t.notOk(logText.includes(secret), `no ${what} in the logs`)
    t.notOk(auditText.includes(secret), `no ${what} in the audit records`)
  }
}

t.test('at info level', async t => driveEveryRoute(t, 'info'))
t.test('at debug level', async t => driveEveryRoute(t, 'debug'))
