import t from 'tap'
import { generateToken, hashToken } from '../../src/auth/static-tokens.ts'
import { LOG_REDACT_CENSOR } from '../../src/auth/redact.ts'
import { startOidcIssuer } from './helpers/oidc-issuer.ts'
import { buildSampleApp } from './helpers/sample-app.ts'

t.test('tokens and JWTs never reach the logs or the audit trail', async t => {
  const issuer = await startOidcIssuer('eks-oidc-api')
  t.teardown(() => issuer.close())
  const dir = t.testdir({ 'ca.pem': issuer.caPem })
  const staticToken = generateToken()
  const wrongToken = generateToken()
  const jwt = await issuer.sign({ sub: 'deployer' })
  const expiredJwt = await issuer.sign({ sub: 'deployer' }, { expiresIn: Math.floor(Date.now() / 1000) - 600 })

  const { app, logs, store } = await buildSampleApp(t, {
    logHeaders: true,
    env: {
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
  for (const [token, cluster] of [[staticToken, 'staging'], [jwt, 'staging'], [staticToken, 'prod-eu'], [jwt, 'prod-eu'], [wrongToken, 'staging'], [expiredJwt, 'staging']]) {
    const response = await app.inject({
      method: 'POST',
      url: `/clusters/${cluster}/identity-provider-configs`,
      headers: { authorization: `Bearer ${token}`, cookie: `session=${token}` },
      payload: { name: 'cfg', clientRequestToken: 'crt-1' }
    })
    statuses.push(response.statusCode)
  }
  t.same(statuses, [202, 202, 403, 403, 401, 401], 'both kinds of credential were really used')
  t.same(store.records.map(record => record.principal), ['ci', 'jwt:deployer', 'ci', 'jwt:deployer', '(unauthenticated)', '(unauthenticated)'])

  const logText = logs.join('')
  const auditText = JSON.stringify(store.records)
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
