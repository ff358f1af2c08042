/**
 * The one Store implementation, written against a tiny SQL client port and a dialect: SQLite
 * (sqlite-store.ts) and PostgreSQL (postgres-store.ts) differ only in the client and the
 * statements they hand in (dialect.ts).
 */
import type { AuditFilter, AuditPage, AuditRecord, AuditStore } from './audit-contract.ts'
import { decodeCursor, pageSize, toPage } from './cursor.ts'
import type { SqlDialect } from './dialect.ts'
import { migrations } from './migrations.ts'
import { toAuditRecord, toIdempotencyRecord, toOperationRecord } from './rows.ts'
import type { AuditRow, IdempotencyRow, OperationRow } from './rows.ts'
import { ClaimOutcome, IdempotencyState, OperationStatus } from './store.ts'
import { storableJson, storableText } from './storable-text.ts'
import type {
  ChangeRecordInput, ClaimInput, ClaimResult, IdempotencyRecord, IdempotencyRef, IdempotencyStore, MigrationResult, NewOperation,
  OperationLease, OperationPatch, OperationStore, RecoveryPoint, Store, StoredResponse
} from './store.ts'

export interface SqlRunner {
  /** One statement, with `$n` parameters; resolves to the rows. */
  query<R = Record<string, unknown>> (text: string, params?: unknown[]): Promise<R[]>
  /** Several statements, no parameters. */
  exec (text: string): Promise<void>
}

export interface SqlClient extends SqlRunner {
  transaction<T> (fn: (tx: SqlRunner) => Promise<T>): Promise<T>
  close (): Promise<void>
}

/** Concurrent deletes and takeovers can make one round lose; a few rounds always settle. */
const MAX_CLAIM_ROUNDS = 5
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/

export function assertSchemaName (schema: string): string {
  if (!SCHEMA_NAME.test(schema)) throw new Error(`invalid schema name ${JSON.stringify(schema)}: use [a-z_][a-z0-9_]*`)
  return schema
}

const refParams = (ref: IdempotencyRef) => [storableText(ref.scope), ref.method, ref.route, ref.key]

function isExpired (record: IdempotencyRecord, now: Date): boolean {
  const leaseLive = record.leaseUntil !== null && record.leaseUntil > now
  return record.expiresAt <= now && (record.state === IdempotencyState.COMPLETED || !leaseLive)
}

/** The parameters of the operations' insert. */
function newOperationParams (input: NewOperation): unknown[] {
  return [
    input.id, storableText(input.principal), input.action, storableText(input.cluster), storableText(input.resource ?? null),
    input.clientRequestToken ?? null, input.updateId ?? null, input.status ?? OperationStatus.PENDING,
    storableJson(input.details ?? {}), input.now, input.accountId ?? null, input.region ?? null
  ]
}

/** Inserts a new claim and, with it, its operation record: in one statement where the dialect can, else in one transaction. */
function claimInserter (client: SqlClient, sql: SqlDialect, input: ClaimInput): () => Promise<IdempotencyRow | undefined> {
  const claimParams = [
    ...refParams(input), input.fingerprint, input.leaseOwner, input.leaseUntil, input.operationId, input.now, input.expiresAt
  ]
  const { operation } = input
  if (operation === undefined) return async () => (await client.query<IdempotencyRow>(sql.idempotency.insertClaim, claimParams))[0]
  const { insertClaimWithOperation } = sql
  if (insertClaimWithOperation !== undefined) {
    const params = [
      ...claimParams, storableText(operation.principal), operation.action, storableText(operation.cluster),
      storableText(operation.resource ?? null), operation.clientRequestToken ?? null, operation.accountId ?? null, operation.region ?? null
    ]
    return async () => (await client.query<IdempotencyRow>(insertClaimWithOperation, params))[0]
  }
  const operationParams = newOperationParams({ ...operation, id: input.operationId, now: input.now })
  return () => client.transaction(async (tx) => {
    const [inserted] = await tx.query<IdempotencyRow>(sql.idempotency.insertClaim, claimParams)
    if (inserted !== undefined) await tx.query(sql.operations.insert, operationParams)
    return inserted
  })
}

/** `complete` alone also runs inside recordChange's transaction, on `db`. */
function fencedWrites (db: SqlRunner, sql: SqlDialect) {
  const fenced = async (text: string, ref: IdempotencyRef, leaseOwner: string, ...rest: unknown[]) =>
    (await db.query(text, [...refParams(ref), leaseOwner, ...rest])).length === 1
  return {
    renewLease: (ref: IdempotencyRef, leaseOwner: string, leaseUntil: Date) => fenced(sql.idempotency.renewLease, ref, leaseOwner, leaseUntil),
    setRecoveryPoint: (ref: IdempotencyRef, leaseOwner: string, point: RecoveryPoint) => fenced(sql.idempotency.setRecoveryPoint, ref, leaseOwner, point),
    complete: (ref: IdempotencyRef, leaseOwner: string, response: StoredResponse, expiresAt: Date) =>
      fenced(sql.idempotency.complete, ref, leaseOwner, response.status, storableJson(response.headers), storableText(response.body), expiresAt),
    release: (ref: IdempotencyRef, leaseOwner: string) => fenced(sql.idempotency.release, ref, leaseOwner)
  }
}

function sqlIdempotencyStore (db: SqlClient, sql: SqlDialect): IdempotencyStore {
  return {
    async claim (input: ClaimInput): Promise<ClaimResult> {
      const ref = refParams(input)
      const insert = claimInserter(db, sql, input)
      for (let round = 0; round < MAX_CLAIM_ROUNDS; round++) {
        const inserted = await insert()
        if (inserted !== undefined) return { outcome: ClaimOutcome.CLAIMED, record: toIdempotencyRecord(inserted) }

        const [row] = await db.query<IdempotencyRow>(sql.idempotency.select, ref)
        if (row === undefined) continue
        const existing = toIdempotencyRecord(row)
        if (isExpired(existing, input.now)) {
          await db.query(sql.idempotency.deleteIfExpired, [...ref, input.now])
          continue
        }
        if (existing.fingerprint !== input.fingerprint) return { outcome: ClaimOutcome.MISMATCH, record: existing }
        if (existing.state === IdempotencyState.COMPLETED) return { outcome: ClaimOutcome.COMPLETED, record: existing }
        if (existing.leaseUntil !== null && existing.leaseUntil > input.now) {
          return { outcome: ClaimOutcome.IN_PROGRESS, record: existing }
        }
        const [taken] = await db.query<IdempotencyRow>(sql.idempotency.takeOver, [
          ...ref, input.leaseOwner, input.leaseUntil, input.fingerprint, input.now, existing.leaseOwner
        ])
        if (taken !== undefined) return { outcome: ClaimOutcome.TAKEN_OVER, record: toIdempotencyRecord(taken) }
      }
      throw new Error(`idempotency claim did not settle after ${MAX_CLAIM_ROUNDS} rounds`)
    },

    async get (ref) {
      const [row] = await db.query<IdempotencyRow>(sql.idempotency.select, refParams(ref))
      return row === undefined ? undefined : toIdempotencyRecord(row)
    },

    ...fencedWrites(db, sql),

    async purgeExpired (now) {
      return (await db.query(sql.idempotency.purgeExpired, [now])).length
    }
  }
}

/** The parameters of the operations' update. */
function operationPatchParams (id: string, patch: OperationPatch): unknown[] {
  return [
    id, patch.status ?? null, storableText(patch.resource ?? null), patch.updateId ?? null, 'error' in patch,
    patch.error == null ? null : storableJson(patch.error), storableJson(patch.details ?? {}), patch.now,
    patch.leaseOwner ?? null, storableJson(patch.awsCalls ?? [])
  ]
}

const leaseJson = (lease: OperationLease) => ({ owner: lease.owner, until: lease.until.toISOString() })

function sqlOperationStore (db: SqlClient, sql: SqlDialect): OperationStore {
  const get = async (id: string) => {
    if (!UUID.test(id)) return undefined
    const [row] = await db.query<OperationRow>(sql.operations.select, [id])
    return row === undefined ? undefined : toOperationRecord(row)
  }

  return {
    async create (input) {
      const [inserted] = await db.query<OperationRow>(sql.operations.insert, newOperationParams(input))
      if (inserted !== undefined) return toOperationRecord(inserted)
      const existing = await get(input.id)
      if (existing === undefined) throw new Error(`operation ${input.id} vanished while being created`)
      return existing
    },

    async update (id, patch) {
      if (!UUID.test(id)) return undefined
      const [row] = await db.query<OperationRow>(sql.operations.update, operationPatchParams(id, patch))
      return row === undefined ? undefined : toOperationRecord(row)
    },

    async listUnfinished (query) {
      const exceptId = query.exceptId !== undefined && UUID.test(query.exceptId) ? query.exceptId : null
      const rows = await db.query<OperationRow>(sql.operations.listUnfinished, [
        query.action, query.cluster ?? null, query.resource ?? null, exceptId, pageSize(query.limit)
      ])
      return rows.map(toOperationRecord)
    },

    async listAwaitingUpdate (query) {
      const rows = await db.query<OperationRow>(sql.operations.listAwaitingUpdate, [query.leaseFreeAt ?? null, pageSize(query.limit)])
      return rows.map(toOperationRecord)
    },

    async startExclusive (id, input) {
      if (!UUID.test(id)) throw new Error(`operation id ${id} is not a UUID`)
      return db.transaction(async (tx) => {
        await lock(tx, sql, `eks-oidc-api:operation:${input.action}:${input.cluster}:${input.resource}`)
        const [running] = await tx.query<OperationRow>(sql.operations.listUnfinished, [input.action, input.cluster, input.resource, id, 1])
        if (running !== undefined) return { running: toOperationRecord(running) }
        const [row] = await tx.query<OperationRow>(sql.operations.start, [
          id, JSON.stringify({ ...input.details, lease: leaseJson(input.lease) }), input.lease.now
        ])
        if (row === undefined) throw new Error(`operation ${id} is missing or already finished`)
        return { started: toOperationRecord(row) }
      })
    },

    async acquireLease (id, lease) {
      if (!UUID.test(id)) return undefined
      const { owner, until } = leaseJson(lease)
      const [row] = await db.query<OperationRow>(sql.operations.acquireLease, [id, owner, until, lease.now])
      return row === undefined ? undefined : toOperationRecord(row)
    },

    async releaseLease (id, owner) {
      if (!UUID.test(id)) return false
      return (await db.query(sql.operations.releaseLease, [id, owner])).length === 1
    },

    get,

    async listByCluster (query) {
      const limit = pageSize(query.limit)
      const after = decodeCursor(query.nextToken, UUID)
      const rows = await db.query<OperationRow>(sql.operations.listByCluster, [
        query.cluster, query.principal ?? null, after?.time ?? null, after?.id ?? null, limit + 1, query.accountId ?? null, query.region ?? null
      ])
      return toPage(rows.map(toOperationRecord), limit, (op) => ({ time: op.createdAt, id: op.id }))
    }
  }
}

function auditParams (record: AuditRecord): unknown[] {
  return [
    record.id, record.time, storableText(record.principal), record.action, storableText(record.cluster ?? null),
    storableText(record.resource ?? null), record.outcome, record.status, storableText(record.requestId),
    storableText(record.clientRequestToken ?? null), record.awsRequestId ?? null, record.operationId ?? null,
    record.dryRun, storableJson(record.awsCalls), record.accountId ?? null, record.region ?? null
  ]
}

function sqlAuditStore (db: SqlRunner, sql: SqlDialect): AuditStore {
  return {
    async appendAudit (record: AuditRecord): Promise<void> {
      await db.query(sql.audit.insert, auditParams(record))
    },

    async listAudit (filter: AuditFilter): Promise<AuditPage> {
      const limit = pageSize(filter.limit)
      const after = decodeCursor(filter.nextToken)
      const rows = await db.query<AuditRow>(sql.audit.list, [
        filter.principal ?? null, filter.cluster ?? null, filter.action ?? null, filter.outcome ?? null,
        filter.since ?? null, filter.until ?? null, after?.time ?? null, after?.id ?? null, limit + 1,
        filter.accountId ?? null, filter.region ?? null
      ])
      return toPage(rows.map(toAuditRecord), limit, (record) => ({ time: record.time, id: record.id }))
    }
  }
}

async function lock (tx: SqlRunner, sql: SqlDialect, key: string): Promise<void> {
  if (sql.transactionLock !== undefined) await tx.query(sql.transactionLock, [key])
}

async function runMigrations (client: SqlClient, sql: SqlDialect, schema: string | undefined): Promise<MigrationResult> {
  return client.transaction(async (tx) => {
    await lock(tx, sql, `eks-oidc-api:migrate:${schema ?? 'public'}`)
    if (schema !== undefined) await tx.exec(`CREATE SCHEMA IF NOT EXISTS ${assertSchemaName(schema)}`)
    await tx.exec(sql.migrationTable.create)
    const done = (await tx.query<{ version: number }>(sql.migrationTable.applied)).map((row) => row.version)
    const applied: number[] = []
    for (const migration of migrations) {
      if (done.includes(migration.version)) continue
      await tx.exec(migration[sql.kind])
      await tx.query(sql.migrationTable.record, [migration.version, migration.name])
      applied.push(migration.version)
    }
    return { applied, current: Math.max(0, ...done, ...applied) }
  })
}

/** The completion (fenced), then the operation's outcome unless the lease was lost, then the audit record. */
function recordChange (client: SqlClient, sql: SqlDialect, input: ChangeRecordInput): Promise<{ completed: boolean }> {
  return client.transaction(async (tx) => {
    const { completion, operation } = input
    const completed = completion === undefined ||
      await fencedWrites(tx, sql).complete(completion.ref, completion.leaseOwner, completion.response, completion.expiresAt)
    if (operation && completed && UUID.test(operation.id)) await tx.query(sql.operations.update, operationPatchParams(operation.id, operation.patch))
    await tx.query(sql.audit.insert, auditParams(input.audit))
    return { completed }
  })
}

export function createSqlStore (sql: SqlDialect, client: SqlClient, options: { schema?: string } = {}): Store {
  const audit = sqlAuditStore(client, sql)
  return {
    kind: sql.kind,
    idempotency: sqlIdempotencyStore(client, sql),
    operations: sqlOperationStore(client, sql),
    recordChange: (input) => recordChange(client, sql, input),
    appendAudit: audit.appendAudit,
    listAudit: audit.listAudit,
    migrate: () => runMigrations(client, sql, options.schema),
    async ping () {
      await client.query(sql.ping)
    },
    close: () => client.close()
  }
}
