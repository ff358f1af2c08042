import t from 'tap'
import { egressGuardOptionsFromConfig } from '../../src/egress/config.ts'

t.test('defaults: empty allow-list, port 443, no warnings', async t => {
  t.same(egressGuardOptionsFromConfig({}), { options: { allowList: [], allowedPorts: [443] }, warnings: [] })
})

t.test('values are parsed and a non-empty allow-list is flagged', async t => {
  const pem = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'
  const setup = egressGuardOptionsFromConfig({
    EGRESS_ALLOW_LIST: ' 127.0.0.1/32, localhost ,',
    EGRESS_ALLOWED_PORTS: '443, 8443',
    EGRESS_CA_FILE: '/ca.pem',
    EGRESS_TIMEOUT_MS: 2000,
    EGRESS_MAX_BODY_BYTES: 1024
  }, path => path === '/ca.pem' ? pem : '')
  t.same(setup.options, { allowList: ['127.0.0.1/32', 'localhost'], allowedPorts: [443, 8443], extraCaPem: pem, timeoutMs: 2000, maxBodyBytes: 1024 })
  t.equal(setup.warnings.length, 2)
})

t.test('malformed values fail fast', async t => {
  t.throws(() => egressGuardOptionsFromConfig({ EGRESS_ALLOWED_PORTS: '443,https' }), /not a port: https/)
  t.throws(() => egressGuardOptionsFromConfig({ EGRESS_ALLOWED_PORTS: '70000' }), /not a port/)
  t.throws(() => egressGuardOptionsFromConfig({ EGRESS_ALLOW_LIST: 'https://x/' }), /neither a CIDR/)
  t.throws(() => egressGuardOptionsFromConfig({ EGRESS_CA_FILE: '/x' }, () => 'junk'), /holds no PEM/)
})
