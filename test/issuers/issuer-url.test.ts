import t from 'tap'
import { discoveryUrl, issuerUrlProblems, normaliseIssuer, sameIssuer } from '../../src/issuers/issuer-url.ts'

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

t.test('issuerUrlProblems: what the WHATWG parser refuses, and strings it reads as another URL', async t => {
  const rules = (url: string) => issuerUrlProblems(url).map(p => p.rule)
  // given strings that once passed the schema's pattern and then made associate answer 500
  t.same(rules('https://[fe80::1%25lo]'), ['url'], 'an IPv6 zone id')
  t.same(rules('https://127.0.0.1%00.example.com'), ['url'], 'a percent-encoded NUL in the host')
  t.same(rules('https://exa mple.com'), ['url'], 'a space in the host')
  t.same(rules('https://issuer.example:99999'), ['url'], 'a port out of range')
  t.same(rules('https://0x100000000'), ['url'], 'an IPv4 number out of range')
  t.same(rules('https://'), ['url'], 'no host')
  // given strings the parser accepts but reads as something else
  t.same(rules('https:issuer.example'), ['https'], 'no // after the scheme')
  t.same(rules('HTTPS://issuer.example'), ['https'], 'an upper-case scheme')
  t.same(rules('https:\\\\issuer.example'), ['https'], 'backslashes for slashes')
  t.same(rules('https://@issuer.example'), ['no-userinfo'], 'an empty userinfo')
  t.same(rules('https://issuer.example/\tid'), ['no-whitespace'], 'a tab, which the parser drops')
  t.same(rules(' https://issuer.example'), ['no-whitespace', 'https'], 'a leading space, which the parser strips')
  t.same(rules('https://issuer.example/a b'), ['no-whitespace'], 'a space in the path, which the parser encodes')
  t.same(rules('https://issuer.example/\ud800'), ['well-formed'], 'a lone surrogate, which the parser replaces')
  t.same(rules('https://issuer.example/?'), ['no-query'], 'an empty query')
  t.same(rules('https://issuer.example/#'), ['no-fragment'], 'an empty fragment')
  t.same(rules('https://issuer.example/' + 'a'.repeat(2048)), ['length'])
  t.same(rules('https://issuer.example/id/' + 'a'.repeat(2048 - 26)), [], 'exactly 2048 characters')
  t.same(rules('https://issuer.example/a@b'), [], 'an @ in the path is no userinfo')
})

t.test('sameIssuer ignores the scheme, a default port and a trailing slash', async t => {
  t.ok(sameIssuer('https://h.example.com/id/1/', 'h.example.com/id/1'))
  t.ok(sameIssuer('https://h.example.com:443/id/1', 'https://H.example.com/id/1'))
  t.notOk(sameIssuer('https://h.example.com/id/1', 'https://h.example.com/id/2'))
  t.notOk(sameIssuer('https://h.example.com:8443/id/1', 'https://h.example.com/id/1'))
  t.notOk(sameIssuer('https://[fe80::1%25lo]', 'https://h.example.com'), 'an unparsable issuer compares as text, never throws')
})

t.test('discoveryUrl', async t => {
  t.equal(discoveryUrl('https://issuer.example'), 'https://issuer.example/.well-known/openid-configuration')
  t.equal(discoveryUrl('https://issuer.example/'), 'https://issuer.example/.well-known/openid-configuration')
  t.equal(discoveryUrl('https://issuer.example/id/1'), 'https://issuer.example/id/1/.well-known/openid-configuration')
})
