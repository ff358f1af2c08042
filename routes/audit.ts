import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { AuditRecordPageSchema, ListAuditRecordsQuery } from '../schemas/audit.ts'
import type { AuditRecord } from '../src/store/audit-contract.ts'

const toWire = (record: AuditRecord) => ({ ...record, time: record.time.toISOString() })

const auditRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { audit } = app.services

  app.get('/audit', {
    config: { auth: { action: 'admin', cluster: 'none' }, audit: false, problems: ['InvalidParameter'] },
    schema: {
      tags: ['audit'],
      operationId: 'listAuditRecords',
      summary: 'List audit records',
      description: 'Lists the audit records of mutating requests, filtered by principal, cluster, account, region, action, outcome and time. Needs an `admin` grant on all clusters (`*`).',
      querystring: ListAuditRecordsQuery,
      response: { 200: AuditRecordPageSchema }
    }
  }, async (request) => {
    const page = await audit.list(request.query)
    return { items: page.items.map(toWire), nextToken: page.nextToken }
  })
}

export default auditRoutes
