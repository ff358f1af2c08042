/** Builds audit records from the facts of a finished request (framework-free). */
import { AuditOutcome } from '../store/audit-contract.ts'
import type { AuditRecord } from '../store/audit-contract.ts'

const MUTATING_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/** Response header set by the idempotency layer on replays. */
export const IDEMPOTENT_REPLAYED_HEADER = 'idempotent-replayed'
/** Response header a route may set to report the AWS request id (the `reply.awsRequestId` decoration is preferred). */
export const AWS_REQUEST_ID_HEADER = 'x-amzn-requestid'

export function isMutatingMethod (method: string): boolean {
  return MUTATING_METHODS.has(method.toUpperCase())
}

export function auditOutcome (status: number, replayed: boolean): AuditOutcome {
  if (status === 401 || status === 403) return AuditOutcome.DENIED
  if (status >= 400) return AuditOutcome.FAILED
  return replayed ? AuditOutcome.REPLAYED : AuditOutcome.SUCCEEDED
}

export interface AuditFacts {
  id: string
  time: Date
  principal: string
  action: string
  cluster?: string
  resource?: string
  status: number
  replayed: boolean
  requestId: string
  clientRequestToken?: string
  awsRequestId?: string
}

export function buildAuditRecord (facts: AuditFacts): AuditRecord {
  const record: AuditRecord = {
    id: facts.id,
    time: facts.time,
    principal: facts.principal,
    action: facts.action,
    outcome: auditOutcome(facts.status, facts.replayed),
    status: facts.status,
    requestId: facts.requestId
  }
  if (facts.cluster !== undefined) record.cluster = facts.cluster
  if (facts.resource !== undefined) record.resource = facts.resource
  if (facts.clientRequestToken !== undefined) record.clientRequestToken = facts.clientRequestToken
  if (facts.awsRequestId !== undefined) record.awsRequestId = facts.awsRequestId
  return record
}
