/**
 * The audit trail's contract, shared by the store (which persists records) and the auth and
 * audit plugins (which write and list them). One record per mutating request.
 */
import { AuditOutcome } from '../../schemas/audit.ts'

export { AuditOutcome }

/** One AWS call a request made, as recorded with its operation and audit records. */
export interface AwsCall {
  service: 'eks' | 'iam' | 'sts'
  operation: string
  outcome: 'success' | 'error' | 'throttled'
  /** The AWS exception name of a failed call. */
  error?: string
  awsRequestId?: string
}

export interface AuditRecord {
  id: string
  time: Date
  /** Authenticated principal name, or `anonymous` when authentication is disabled. */
  principal: string
  /** operationId of the route, e.g. `associateIdentityProviderConfig`. */
  action: string
  cluster?: string
  /** The account and region the request acted in (absent: the implicit account, or a request about no scope). */
  accountId?: string
  region?: string
  /** ARN or name of the resource acted on (config name, provider ARN). */
  resource?: string
  outcome: AuditOutcome
  /** HTTP status answered. */
  status: number
  requestId: string
  clientRequestToken?: string
  awsRequestId?: string
  /** The operation the request started or replayed. */
  operationId?: string
  /** A dry run: nothing was changed. */
  dryRun: boolean
  /** The AWS calls the request made, in order. */
  awsCalls: AwsCall[]
}

export interface AuditFilter {
  principal?: string
  cluster?: string
  accountId?: string
  region?: string
  action?: string
  outcome?: AuditOutcome
  since?: Date
  until?: Date
  /** 1..100, default 50. */
  limit?: number
  /** Opaque cursor returned by the previous page. */
  nextToken?: string
}

export interface AuditPage { items: AuditRecord[], nextToken?: string }

export interface AuditStore {
  appendAudit (record: AuditRecord): Promise<void>
  listAudit (filter: AuditFilter): Promise<AuditPage>
}
