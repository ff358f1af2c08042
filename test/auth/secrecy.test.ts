import t from 'tap'
import { generateToken, hashToken } from '../../src/auth/static-tokens.ts'
import { Writable } from 'node:stream'
import { LOG_REDACT_CENSOR, LOG_REDACT_PATHS } from '../../src/auth/redact.ts'
import { build, testStore } from '../support/build.ts'
import { startOidcIssuer } from './helpers/oidc-issuer.ts'

t.test('tokens and JWTs never reach the logs or the audit trail', async t => {
  const issuer = await startOidcIssuer('eks-oidc-api')
  t.teardown(() => issuer.close())
  const dir = t.testdir({ 'ca.pem': issuer.caPem })
  const staticToken = generateToken()
  const wrongToken = generateToken()
  const jwt = await issuer.sign({ sub: 'deployer' })
  const expiredJwt = await issuer.sign({ sub: 'deployer' }, { expiresIn: Math.floor(Date.now() / 1000) - 600 })

  const logs: string[] = []
  const stream = new Writable({ write (chunk, _encoding, done) { logs.push(String(chunk)); done() } })
  const logger = {
    level: 'trace',
    stream,
    redact: { paths: [...LOG_REDACT_PATHS], censor: LOG_REDACT_CENSOR },
    // Logs request headers too, as a careless custom serializer would (exercises redaction).
    serializers: { req: (req: { method: string, url: string, headers: unknown }) => ({ method: req.method, url: req.url, headers: req.headers }) }
  }
  const { app } = await build(t, {
    clusters: [{ name: 'staging', issuer: 'https://oidc.eks.us-east-1.amazonaws.com/id/STAGING' }, { name: 'prod-eu' }],
    deps: { logger },
    env: {
      LOG_LEVEL: 'trace',
      AUTH_MODE: 'tokens,jwt',
      AUTH_API_TOKENS: `ci:${hashToken(staticToken)}`,
      AUTH_JWT_ISSUER: issuer.issuer,
      AUTH_JWT_AUDIENCE: 'eks-oidc-api',
      AUTH_JWT_CA_FILE: `${dir}/ca.pem`,
      AUTH_GRANTS: JSON.stringify({
        grants: [
          { principal: 'ci', clusters: ['staging'], actions: ['write'] },
          { principal: 'jwt:deployer', clusters: ['staging'], actions: ['write'] }
        ]
      })
    }
  })

  const statuses: number[] = []
  const requestIds: string[] = []
  for (const [token, cluster] of [[staticToken, 'staging'], [jwt, 'staging'], [staticToken, 'prod-eu'], [jwt, 'prod-eu'], [wrongToken, 'staging'], [expiredJwt, 'staging']]) {
    const response = await app.inject({
      method: 'PUT',
      url: `/clusters/${cluster}/oidc-provider`,
      headers: { authorization: `Bearer ${token}`, cookie: `session=${token}`, 'idempotency-key': `secrecy-${requestIds.length}-0123456789` },
      payload: {}
    })
    statuses.push(response.statusCode)
    requestIds.push(String(response.headers['x-request-id']))
  }
  t.same(statuses, [201, 200, 403, 403, 401, 401], 'both kinds of credential were really used')
  const records = (await (await testStore()).listAudit({ limit: 100 })).items.filter(record => requestIds.includes(record.requestId)).reverse()
  t.same(records.map(record => record.principal), ['ci', 'jwt:deployer', 'ci', 'jwt:deployer', '(unauthenticated)', '(unauthenticated)'])

  const logText = logs.join('')
  const auditText = JSON.stringify(records)
  t.ok(logText.includes(`"authorization":"${LOG_REDACT_CENSOR}"`), 'request headers were logged, and redacted (the check below can fail)')
  t.ok(logText.includes('"component":"audit"'))

  const secrets: Array<[string, string]> = [
    ['static token', staticToken],
    ['wrong static token', wrongToken],
    ['JWT', jwt],
    ['JWT signature', jwt.split('.')[2]],
    ['JWT payload', jwt.split('.')[1]],
    ['expired JWT signature', expiredJwt.split('.')[2]],
    ['static token hash', hashToken(staticToken).slice('sha256:'.length)]
  ]
  for (const [what, secret] of secrets) {
    t.notOk(logText.includes(secret), `no ${what} in the logs`)
    t.notOk(auditText.includes(secret), `no ${what} in the audit records`)
  }
})
