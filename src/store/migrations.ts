/**
 * Versioned schema migrations, shared by PGlite and PostgreSQL. Append new versions; never edit
 * one that has shipped. Each runs inside the migration transaction (see sql-store.ts).
 */
export interface Migration {
  version: number
  name: string
  sql: string
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

export const migrations: readonly Migration[] = [
  { version: 1, name: 'init', sql: init },
  { version: 2, name: 'operations_awaiting_update_index', sql: operationsAwaitingUpdateIndex },
  { version: 3, name: 'change_records', sql: changeRecords }
]
