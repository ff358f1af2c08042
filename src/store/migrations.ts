/**
 * Versioned schema migrations, each written for PostgreSQL and for the embedded SQLite store, side
 * by side so that both stores always stand at the same version. Append new versions; never edit
 * one that has shipped. Each runs inside the migration transaction (see sql-store.ts).
 *
 * SQLite keeps timestamps as ISO-8601 text in UTC (`Date#toISOString`, which sorts as it should),
 * JSON as text and booleans as 0/1; sqlite-store.ts converts them at the edge.
 */
export interface Migration {
  version: number
  name: string
  postgres: string
  sqlite: string
}

const init = `
CREATE TABLE idempotency_records (
  scope            text        NOT NULL,
  method           text        NOT NULL,
  route            text        NOT NULL,
  idempotency_key  text        NOT NULL,
  fingerprint      text        NOT NULL,
  state            text        NOT NULL CHECK (state IN ('in_progress', 'completed')),
  lease_owner      text,
  lease_until      timestamptz,
  recovery_point   text        NOT NULL DEFAULT 'started'
                               CHECK (recovery_point IN ('started', 'aws_call_issued', 'finished')),
  operation_id     uuid        NOT NULL,
  response_status  integer,
  response_headers jsonb,
  response_body    text,
  created_at       timestamptz NOT NULL,
  expires_at       timestamptz NOT NULL,
  PRIMARY KEY (scope, method, route, idempotency_key)
);
CREATE INDEX idempotency_records_expires_at ON idempotency_records (expires_at);

CREATE TABLE operations (
  id                   uuid        PRIMARY KEY,
  principal            text        NOT NULL,
  action               text        NOT NULL,
  cluster              text        NOT NULL,
  resource             text,
  client_request_token text,
  update_id            text,
  status               text        NOT NULL CHECK (status IN ('pending', 'in_progress', 'succeeded', 'failed')),
  error                jsonb,
  details              jsonb       NOT NULL DEFAULT '{}'::jsonb,
  created_at           timestamptz NOT NULL,
  updated_at           timestamptz NOT NULL
);
CREATE INDEX operations_cluster_created ON operations (cluster, created_at DESC, id DESC);

CREATE TABLE audit_records (
  id                   text        PRIMARY KEY,
  time                 timestamptz NOT NULL,
  principal            text        NOT NULL,
  action               text        NOT NULL,
  cluster              text,
  resource             text,
  outcome              text        NOT NULL CHECK (outcome IN ('succeeded', 'failed', 'denied', 'replayed')),
  status               integer     NOT NULL,
  request_id           text        NOT NULL,
  client_request_token text,
  aws_request_id       text
);
CREATE INDEX audit_records_time ON audit_records (time DESC, id DESC);
CREATE INDEX audit_records_cluster_time ON audit_records (cluster, time DESC, id DESC);
`

/** PostgreSQL's uuid type ignores case; COLLATE NOCASE gives SQLite's uuid columns the same equality. */
const sqliteInit = `
CREATE TABLE idempotency_records (
  scope            TEXT    NOT NULL,
  method           TEXT    NOT NULL,
  route            TEXT    NOT NULL,
  idempotency_key  TEXT    NOT NULL,
  fingerprint      TEXT    NOT NULL,
  state            TEXT    NOT NULL CHECK (state IN ('in_progress', 'completed')),
  lease_owner      TEXT,
  lease_until      TEXT,
  recovery_point   TEXT    NOT NULL DEFAULT 'started'
                           CHECK (recovery_point IN ('started', 'aws_call_issued', 'finished')),
  operation_id     TEXT    NOT NULL COLLATE NOCASE,
  response_status  INTEGER,
  response_headers TEXT,
  response_body    TEXT,
  created_at       TEXT    NOT NULL,
  expires_at       TEXT    NOT NULL,
  PRIMARY KEY (scope, method, route, idempotency_key)
) STRICT;
CREATE INDEX idempotency_records_expires_at ON idempotency_records (expires_at);

CREATE TABLE operations (
  id                   TEXT    PRIMARY KEY COLLATE NOCASE,
  principal            TEXT    NOT NULL,
  action               TEXT    NOT NULL,
  cluster              TEXT    NOT NULL,
  resource             TEXT,
  client_request_token TEXT,
  update_id            TEXT,
  status               TEXT    NOT NULL CHECK (status IN ('pending', 'in_progress', 'succeeded', 'failed')),
  error                TEXT,
  details              TEXT    NOT NULL DEFAULT '{}',
  created_at           TEXT    NOT NULL,
  updated_at           TEXT    NOT NULL
) STRICT;
CREATE INDEX operations_cluster_created ON operations (cluster, created_at DESC, id DESC);

CREATE TABLE audit_records (
  id                   TEXT    PRIMARY KEY,
  time                 TEXT    NOT NULL,
  principal            TEXT    NOT NULL,
  action               TEXT    NOT NULL,
  cluster              TEXT,
  resource             TEXT,
  outcome              TEXT    NOT NULL CHECK (outcome IN ('succeeded', 'failed', 'denied', 'replayed')),
  status               INTEGER NOT NULL,
  request_id           TEXT    NOT NULL,
  client_request_token TEXT,
  aws_request_id       TEXT
) STRICT;
CREATE INDEX audit_records_time ON audit_records (time DESC, id DESC);
CREATE INDEX audit_records_cluster_time ON audit_records (cluster, time DESC, id DESC);
`

/** Keeps the follower's sweep (listAwaitingUpdate) off the whole, ever-growing operations table. */
const operationsAwaitingUpdateIndex = `
CREATE INDEX operations_awaiting_update ON operations (created_at, id)
  WHERE status = 'in_progress' AND update_id IS NOT NULL AND details -> 'steps' IS NULL;
`

/** Records say which AWS calls a change made; audit records also name its operation and whether it was a dry run. */
const changeRecords = `
ALTER TABLE operations ADD COLUMN aws_calls jsonb NOT NULL DEFAULT '[]'::jsonb;
ALTER TABLE audit_records ADD COLUMN operation_id uuid;
ALTER TABLE audit_records ADD COLUMN dry_run boolean NOT NULL DEFAULT false;
ALTER TABLE audit_records ADD COLUMN aws_calls jsonb NOT NULL DEFAULT '[]'::jsonb;
`

const sqliteChangeRecords = `
ALTER TABLE operations ADD COLUMN aws_calls TEXT NOT NULL DEFAULT '[]';
ALTER TABLE audit_records ADD COLUMN operation_id TEXT COLLATE NOCASE;
ALTER TABLE audit_records ADD COLUMN dry_run INTEGER NOT NULL DEFAULT 0;
ALTER TABLE audit_records ADD COLUMN aws_calls TEXT NOT NULL DEFAULT '[]';
`

/**
 * Operations and audit records name the account and region they acted in (src/accounts); NULL on
 * records written before, which were all in the one account and region of their time.
 */
const accountScope = `
ALTER TABLE operations ADD COLUMN account_id text;
ALTER TABLE operations ADD COLUMN region text;
ALTER TABLE audit_records ADD COLUMN account_id text;
ALTER TABLE audit_records ADD COLUMN region text;
`

const sqliteAccountScope = `
ALTER TABLE operations ADD COLUMN account_id TEXT;
ALTER TABLE operations ADD COLUMN region TEXT;
ALTER TABLE audit_records ADD COLUMN account_id TEXT;
ALTER TABLE audit_records ADD COLUMN region TEXT;
`

export const migrations: readonly Migration[] = [
  { version: 1, name: 'init', postgres: init, sqlite: sqliteInit },
  { version: 2, name: 'operations_awaiting_update_index', postgres: operationsAwaitingUpdateIndex, sqlite: operationsAwaitingUpdateIndex },
  { version: 3, name: 'change_records', postgres: changeRecords, sqlite: sqliteChangeRecords },
  { version: 4, name: 'account_scope', postgres: accountScope, sqlite: sqliteAccountScope }
]
