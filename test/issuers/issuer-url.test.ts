import t from 'tap'
import { discoveryUrl, issuerUrlProblems, normaliseIssuer } from '../../src/issuers/issuer-url.ts'

t.test('normaliseIssuer', async t => {
  const table: Array<[string, string]> = [
    ['https://oidc.eks.us-east-1.amazonaws.com/id/ABC', 'oidc.eks.us-east-1.amazonaws.com/id/ABC'],
    ['https://OIDC.EKS.us-east-1.amazonaws.com/id/ABC/', 'oidc.eks.us-east-1.amazonaws.com/id/ABC'],
    ['https://oidc.eks.us-east-1.amazonaws.com:443/id/ABC', 'oidc.eks.us-east-1.amazonaws.com/id/ABC'],
    ['oidc.eks.us-east-1.amazonaws.com/id/ABC', 'oidc.eks.us-east-1.amazonaws.com/id/ABC'],
    ['http://issuer.example:443/', 'issuer.example'],
    ['https://issuer.example:8443/x', 'issuer.example:8443/x'],
    ['https://issuer.example', 'issuer.example'],
    ['https://issuer.example/?q=1#f', 'issuer.example']
  ]
  for (const [input, expected] of table) t.equal(normaliseIssuer(input), expected, input)
  t.not(normaliseIssuer('https://issuer.example/ID/abc'), normaliseIssuer('https://issuer.example/id/abc'), 'paths stay case-sensitive')
})

t.test('issuerUrlProblems names each broken rule', async t => {
  const rules = (url: string, allowedPorts?: number[]) => issuerUrlProblems(url, { allowedPorts }).map(p => p.rule)
  t.same(rules('https://issuer.example/id/1'), [])
  t.same(rules('https://issuer.example:8443/', [8443]), [])
  t.same(rules('nonsense'), ['url'])
  t.same(rules('http://issuer.example/'), ['https'])
  t.same(rules('https://issuer.example:8443/'), ['port'])
  t.same(rules('https://u:p@issuer.example/'), ['no-userinfo'])
  t.same(rules('https://issuer.example/?a=b'), ['no-query'])
  t.same(rules('https://issuer.example/#x'), ['no-fragment'])
  t.same(rules('https://issuer.example/.well-known/openid-configuration'), ['issuer-not-discovery-document'])
  t.same(rules('http://u@issuer.example:80/?a#b'), ['https', 'no-userinfo', 'no-query', 'no-fragment'])
})

t.test('discoveryUrl', async t => {
  t.equal(discoveryUrl('https://issuer.example'), 'https://issuer.example/.well-known/openid-configuration')
  t.equal(discoveryUrl('https://issuer.example/'), 'https://issuer.example/.well-known/openid-configuration')
  t.equal(discoveryUrl('https://issuer.example/id/1'), 'https://issuer.example/id/1/.well-known/openid-configuration')
})
