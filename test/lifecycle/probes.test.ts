/**
 * Probes and metrics are never rate-limited: over real HTTP, a flood of bad-token requests from
 * one address uses up its bucket, and /healthz, /readyz and /metrics still answer 200.
 */
import t from 'tap'
import { generateToken, hashToken } from '../../src/auth/static-tokens.ts'
import { build } from '../support/build.ts'

t.test('bad-token requests exhaust the per-IP bucket, but not the probes', async t => {
  const { app } = await build(t, {
    env: { AUTH_MODE: 'tokens', AUTH_API_TOKENS: `ci:${hashToken(generateToken())}`, RATE_LIMIT_MAX: '20', RATE_LIMIT_WINDOW: '1m' }
  })
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  const statuses = new Map<number, number>()
  for (let i = 0; i < 30; i++) {
    const response = await fetch(`${base}/clusters/demo/oidc-provider`, { headers: { authorization: `Bearer ${generateToken()}` } })
    await response.arrayBuffer()
    statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1)
  }
  t.equal(statuses.get(429), 10, 'the bucket of 20 is used up: the rest are 429')
  for (const path of ['/healthz', '/readyz', '/metrics']) {
    for (let i = 0; i < 25; i++) {
      const response = await fetch(base + path)
      await response.arrayBuffer()
      if (response.status !== 200) {
        t.fail(`${path} answered ${response.status} on call ${i + 1}`)
        return
      }
    }
    t.pass(`${path} answers 200 after the bucket ran out, 25 times over`)
  }
  const limited = await fetch(`${base}/clusters`, { headers: { authorization: `Bearer ${generateToken()}` } })
  t.equal(limited.status, 429, 'while the API itself stays limited')
})
