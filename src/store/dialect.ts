/**
 * What differs between the two SQL databases behind the one Store (sql-store.ts): the text of
 * each statement, the migrations' flavour, and two capabilities. Every statement takes the same
 * numbered parameters in both dialects, so the store passes them alike.
 */
export interface SqlDialect {
  /** Also names the text of each migration (migrations.ts) this database runs. */
  readonly kind: 'sqlite' | 'postgres'
  readonly idempotency: {
    readonly insertClaim: string
    readonly select: string
    readonly deleteIfExpired: string
    readonly takeOver: string
    readonly renewLease: string
    readonly setRecoveryPoint: string
    readonly complete: string
    readonly release: string
    /** One row per record deleted. */
    readonly purgeExpired: string
  }
  /**
   * The claim plus its operation record in one statement, with the operation's five columns as
   * parameters 11 to 15. Without it, the store inserts the claim and then the operation in one
   * transaction.
   */
  readonly insertClaimWithOperation?: string
  readonly operations: {
    readonly insert: string
    readonly select: string
    readonly update: string
    readonly listUnfinished: string
    readonly listAwaitingUpdate: string
    readonly start: string
    readonly acquireLease: string
    readonly releaseLease: string
    readonly listByCluster: string
  }
  readonly audit: { readonly insert: string, readonly list: string }
  readonly migrationTable: { readonly create: string, readonly applied: string, readonly record: string }
  /**
   * A lock held until the end of the transaction, keyed by its one text parameter, for work
   * several processes may do at once (migrations, startExclusive). Without it, the database runs
   * one transaction at a time anyway (the embedded store serves a single process).
   */
  readonly transactionLock?: string
  readonly ping: string
}
