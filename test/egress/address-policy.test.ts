import t from 'tap'
import { classifyAddress, createAddressPolicy, isIpLiteral, isLoopbackName, stripBrackets } from '../../src/egress/address-policy.ts'

t.test('classifies addresses; only public unicast is allowed', async t => {
  const table: Array<[string, string]> = [
    ['8.8.8.8', 'unicast'],
    ['2606:4700::1111', 'unicast'],
    ['::ffff:8.8.8.8', 'unicast'],
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['[::ffff:7f00:1]', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'carrier-grade-nat'],
    ['169.254.10.1', 'link-local'],
    ['169.254.169.254', 'cloud-metadata'],
    ['fd00:ec2::254', 'cloud-metadata'],
    ['fe80::1', 'link-local'],
    ['fc00::1', 'unique-local'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['192.0.2.1', 'reserved'],
    ['::7f00:1', 'ipv4-compatible'],
    ['64:ff9b::a9fe:a9fe', 'nat64 embedding cloud-metadata'],
    ['64:ff9b::7f00:1', 'nat64 embedding loopback'],
    ['64:ff9b::808:808', 'unicast'],
    ['64:ff9b:1::808:808', 'nat64'],
    ['2002:7f00:1::', '6to4 embedding loopback'],
    ['2002:a00:1::', '6to4 embedding private'],
    ['2002:808:808::1', 'unicast'],
    // Teredo: server 65.54.227.120, client 127.0.0.1 stored inverted (80ff:fffe).
    ['2001:0:4136:e378:8000:63bf:80ff:fffe', 'teredo embedding loopback'],
    ['2001:0:4136:e378:8000:63bf:f7f7:f7f7', 'unicast'],
    // Teredo with the server part on loopback and a public client (8.8.8.8 inverted: f7f7:f7f7).
    ['2001:0:7f00:1:8000:63bf:f7f7:f7f7', 'teredo embedding loopback'],
    ['::ffff:0:7f00:1', 'ipv4-translated']
  ]
  for (const [address, expected] of table) {
    const verdict = classifyAddress(address)
    t.equal(verdict.addressClass, expected, `${address} is ${expected}`)
    t.equal(verdict.allowed, expected === 'unicast', `${address} allowed=${expected === 'unicast'}`)
  }
})

t.test('the allow-list exempts CIDRs, single addresses and exact host names only', async t => {
  const policy = createAddressPolicy(['127.0.0.1/32', '10.1.0.0/16', 'fd00::5', 'Issuer.Test.'])
  t.ok(policy.judge('127.0.0.1').allowed, 'CIDR /32')
  t.ok(policy.judge('::ffff:127.0.0.1').allowed, 'v4-mapped form of an allow-listed v4 address')
  t.notOk(policy.judge('127.0.0.2').allowed, 'next address is outside the CIDR')
  t.ok(policy.judge('10.1.200.3').allowed, 'CIDR /16')
  t.notOk(policy.judge('10.2.0.1').allowed)
  t.ok(policy.judge('fd00::5').allowed, 'single IPv6 address')
  t.notOk(policy.judge('fd00::6').allowed)
  t.ok(policy.judge('192.168.0.1', 'issuer.test').allowed, 'host name entries exempt every answer for that name')
  t.notOk(policy.judge('192.168.0.1', 'other.test').allowed)
  t.ok(policy.isHostAllowListed('ISSUER.test'))
  t.same(createAddressPolicy().judge('127.0.0.1'), { address: '127.0.0.1', allowed: false, addressClass: 'loopback' }, 'empty by default')
  t.throws(() => createAddressPolicy(['http://x']), /neither a CIDR, an address nor a host name: http:\/\/x$/)
  t.throws(() => createAddressPolicy(['issuer.test/keys']), /neither a CIDR/)
  t.throws(() => createAddressPolicy(['-x issuer.test']), /neither a CIDR/)

  const spelled = createAddressPolicy([' 10.9.9.9 ', '', '  ', '[fd00::7]', ' Other.Test '])
  t.ok(spelled.judge('10.9.9.9').allowed, 'entries are trimmed; a single IPv4 address')
  t.notOk(spelled.judge('10.9.9.8').allowed, 'a single IPv4 address covers only itself')
  t.ok(spelled.judge('fd00::7').allowed, 'a bracketed IPv6 entry')
  t.ok(spelled.isHostAllowListed('other.test'), 'a trimmed host name')
  t.ok(spelled.isHostAllowListed('[OTHER.test.]'), 'the host is compared without brackets, case or trailing dot')
  t.notOk(spelled.isHostAllowListed('sub.other.test'), 'host names are exact')
  t.same(spelled.judge('::1'), { address: '::1', allowed: false, addressClass: 'loopback' }, 'IPv4 entries never match an IPv6 address')
  t.same(createAddressPolicy(['fd00::/8']).judge('10.0.0.1'), { address: '10.0.0.1', allowed: false, addressClass: 'private' }, 'IPv6 entries never match an IPv4 address')
  t.same(policy.judge('192.168.0.1', 'issuer.test'), { address: '192.168.0.1', allowed: true, addressClass: 'private' }, 'an exempted verdict keeps its class')
  t.same(policy.judge('8.8.8.8', 'other.test'), { address: '8.8.8.8', allowed: true, addressClass: 'unicast' })
})

t.test('localhost names are loopback by definition', async t => {
  t.ok(isLoopbackName('localhost'))
  t.ok(isLoopbackName('LOCALHOST.'))
  t.ok(isLoopbackName('a.b.localhost'))
  t.notOk(isLoopbackName('localhost.example.com'))
})

t.test('IP literals, with or without brackets', async t => {
  t.equal(isIpLiteral('192.0.2.1'), true)
  t.equal(isIpLiteral('[2001:db8::1]'), true)
  t.equal(isIpLiteral('2001:db8::1'), true)
  t.equal(isIpLiteral('issuer.example.com'), false)
  t.equal(isIpLiteral('[::1'), false, 'an unclosed bracket is no literal')
  t.equal(isIpLiteral('::1]'), false)
  t.equal(stripBrackets('[::1]'), '::1')
  t.equal(stripBrackets('[::1'), '[::1')
  t.equal(stripBrackets('::1]'), '::1]')
})
