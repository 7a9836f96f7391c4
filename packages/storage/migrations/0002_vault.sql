-- Vault: envelope encryption of numbers and bodies, and the audit log.

-- Per-tenant keys, stored wrapped by a key-encryption key (KEK) of the key provider.
--  purpose 'data':  AES-256-GCM data keys that seal numbers and bodies (rotated by version)
--  purpose 'index': HMAC key of the blind index and tokens
-- A version is used for sealing from activates_at on; every process loads versions before
-- that moment, so no process meets a value sealed under a key it has not loaded yet.
-- Destroying a key (crypto-shredding) clears wrapped_key: what it sealed is unreadable.
CREATE TABLE tenant_keys (
  tenant_id     uuid NOT NULL,
  purpose       text NOT NULL CHECK (purpose IN ('data', 'index')),
  version       integer NOT NULL CHECK (version > 0),
  kek_id        text NOT NULL,
  wrapped_key   bytea,
  activates_at  timestamptz NOT NULL DEFAULT now(),
  created_at    timestamptz NOT NULL DEFAULT now(),
  destroyed_at  timestamptz,
  PRIMARY KEY (tenant_id, purpose, version),
  CHECK ((destroyed_at IS NULL) = (wrapped_key IS NOT NULL))
);

-- Messages: sealed columns replace the clear ones. The clear columns stay (nullable, never
-- written) only until `npm run vault -- reencrypt` has sealed rows written before this
-- migration; a later migration drops them.
ALTER TABLE messages
  ALTER COLUMN to_number DROP NOT NULL,
  ALTER COLUMN from_number DROP NOT NULL,
  ALTER COLUMN body DROP NOT NULL,
  ADD COLUMN to_sealed bytea,
  ADD COLUMN from_sealed bytea,
  ADD COLUMN body_sealed bytea,
  ADD COLUMN key_version integer,
  -- Display forms (e.g. +86138****5678), so the API never decrypts to show a message.
  ADD COLUMN to_masked text,
  ADD COLUMN from_masked text;
CREATE INDEX messages_key_version ON messages (tenant_id, key_version);

-- Inbound messages are sealed under the system scope (tenant 00000000-…): the owning
-- tenant is known only after routing. to_number is Maskline's own number and stays clear.
ALTER TABLE inbound_messages
  ALTER COLUMN from_number DROP NOT NULL,
  ALTER COLUMN body DROP NOT NULL,
  ADD COLUMN from_sealed bytea,
  ADD COLUMN body_sealed bytea,
  ADD COLUMN key_version integer,
  ADD COLUMN from_masked text;

-- Append-only, hash-chained audit log. Each entry's hash covers the previous entry's hash
-- and its own canonical content (see packages/vault/src/audit/audit-chain.ts), so an
-- altered, inserted or deleted row breaks the chain; `npm run audit -- verify` finds it.
CREATE TABLE audit_log (
  seq        bigint PRIMARY KEY,
  at         timestamptz NOT NULL,
  tenant_id  uuid,
  actor      text NOT NULL,
  action     text NOT NULL,
  subject    text,
  details    jsonb NOT NULL DEFAULT '{}',
  prev_hash  bytea NOT NULL,
  hash       bytea NOT NULL
);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- The applications' role: full use of the operational tables, but only SELECT and INSERT
-- on the audit log. The apps connect as a login role that is a member of maskline_app;
-- migrations run as the owner.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'maskline_app') THEN
    CREATE ROLE maskline_app NOLOGIN;
  END IF;
END $$;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO maskline_app;
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM maskline_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO maskline_app;
