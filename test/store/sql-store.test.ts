/** The SQL store's claim loop against a client whose rows keep vanishing (concurrent deletes that never stop). */
import t from 'tap'
import { createSqlStore, type SqlClient } from '../../src/store/sql-store.ts'
import { sqliteDialect } from '../../src/store/sqlite-sql.ts'

t.test('a claim that cannot settle gives up after five rounds', async t => {
  const statements: string[] = []
  const vanishing: SqlClient = {
    async query (text) { statements.push(text); return [] },
    async exec () {},
    async transaction (fn) { return fn(vanishing) },
    async close () {}
  }
  const store = createSqlStore(sqliteDialect, vanishing)
  const now = new Date('2030-01-01T00:00:00Z')
  await t.rejects(store.idempotency.claim({
    scope: 'ci',
    method: 'POST',
    route: '/r',
    key: 'k'.repeat(16),
    fingerprint: 'fp',
    leaseOwner: 'me',
    now,
    leaseUntil: new Date(now.getTime() + 60_000),
    expiresAt: new Date(now.getTime() + 3_600_000),
    operationId: '8e03978e-40d5-43e8-bc93-6894a57f9324',
    operation: { principal: 'ci', action: 'associate', cluster: 'demo', clientRequestToken: 'token' }
  }), new Error('idempotency claim did not settle after 5 rounds'))
  t.equal(statements.filter(text => text === sqliteDialect.idempotency.select).length, 5, 'five rounds, each looking for the record again')
})
