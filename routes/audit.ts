import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { AuditRecordPageSchema, ListAuditRecordsQuery } from '../schemas/audit.ts'
import type { AuditRecord } from '../src/store/audit-contract.ts'
import { problems } from './support/problems.ts'

const toWire = (record: AuditRecord) => ({ ...record, time: record.time.toISOString() })

const auditRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { audit } = app.services

  app.get('/audit', {
    config: { auth: { action: 'admin', cluster: 'none' }, audit: false },
    schema: {
      tags: ['audit'],
      operationId: 'listAuditRecords',
      summary: 'List audit records',
      description: 'Lists the audit records of mutating requests, filtered by principal, cluster, action, outcome and time. Needs an `admin` grant on all clusters (`*`).',
      querystring: ListAuditRecordsQuery,
      response: { 200: AuditRecordPageSchema, ...problems(401, 403, 429) }
    }
  }, async (request) => {
    const page = await audit.list(request.query)
    return { items: page.items.map(toWire), nextToken: page.nextToken }
  })
}

export default auditRoutes
