import { readFile } from 'node:fs/promises'
import t from 'tap'
import { ConfigError } from '../src/config-spec.ts'
import { configVariables, loadConfig } from '../src/config.ts'

t.test('without authentication settings the service refuses to start', async t => {
  const error = t.throws(() => loadConfig({})) as ConfigError
  t.match(error.problems.join('\n'), /no authentication configured/)
})

t.test('defaults give a working local configuration once authentication is explicitly off', async t => {
  const config = loadConfig({ AUTH_MODE: 'none' })
  t.match(config, { PORT: 3000, HOST: '127.0.0.1', AWS_REGION: 'us-east-1', AWS_MAX_ATTEMPTS: 3, auth: { disabled: true } })
  t.ok(Object.isFrozen(config))
})

t.test('every bad value is reported at once, each with its rule', async t => {
  const error = t.throws(() => loadConfig({ AUTH_MODE: 'none', PORT: 'abc', AWS_REGION: 'moon', AWS_ENDPOINT_URL_EKS: 'ftp://x', LOG_LEVEL: 'loud', AWS_MAX_ATTEMPTS: '99', TRUST_PROXY: 'maybe' })) as ConfigError
  t.type(error, ConfigError)
  t.same(error.problems.map(p => p.split(' ')[0]), ['PORT', 'LOG_LEVEL', 'TRUST_PROXY', 'AWS_REGION', 'AWS_ENDPOINT_URL_EKS', 'AWS_MAX_ATTEMPTS'])
  t.match(error.message, /PORT must be an integer, got "abc"/)
  t.match(error.message, /AWS_MAX_ATTEMPTS must be between 1 and 10, got 99/)
})

t.test('the embedded store lives under DATA_DIR; the retired PGLITE_DIR stops the start, naming what replaced it', async t => {
  t.equal(loadConfig({ AUTH_MODE: 'none' }).DATA_DIR, '.data')
  t.equal(loadConfig({ AUTH_MODE: 'none', DATA_DIR: 'memory://' }).DATA_DIR, 'memory://')
  const error = t.throws(() => loadConfig({ AUTH_MODE: 'none', PGLITE_DIR: '/var/lib/eks-oidc-api/pglite' })) as ConfigError
  t.match(error.problems, [/^PGLITE_DIR is no longer read: the embedded store is now SQLite under DATA_DIR/])
})

t.test('every variable is documented in .env.example and the table of docs/configuration.md', async t => {
  const example = await readFile(new URL('../.env.example', import.meta.url), 'utf8')
  const doc = await readFile(new URL('../docs/configuration.md', import.meta.url), 'utf8')
  const table = /<!-- config:start -->\n([\s\S]*?)<!-- config:end -->/.exec(doc)?.[1] ?? ''
  t.ok(table, 'docs/configuration.md has the generated table between its markers')
  for (const name of Object.keys(configVariables)) {
    t.match(example, new RegExp(`^#? ?${name}=`, 'm'), `${name} in .env.example`)
    t.match(table, new RegExp(`^\\| \`${name}\` \\|`, 'm'), `${name} in the configuration table`)
  }
})
