-- Maskline initial schema. Postgres is the system of record.

CREATE TABLE tenants (
  id          uuid PRIMARY KEY,
  name        text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- API keys are stored as a keyed digest (HMAC-SHA256 with a server pepper), never in clear.
CREATE TABLE api_keys (
  id          uuid PRIMARY KEY,
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  name        text NOT NULL,
  key_prefix  text NOT NULL,
  key_digest  bytea NOT NULL UNIQUE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);

CREATE TABLE messages (
  id                  uuid PRIMARY KEY,
  tenant_id           uuid NOT NULL REFERENCES tenants (id),
  carrier_id          text NOT NULL,
  status              text NOT NULL CHECK (status IN
                        ('accepted', 'queued', 'submitted', 'delivered', 'undeliverable',
                         'expired', 'rejected', 'failed')),
  -- Clear content is read only by the delivery worker, just in time for the carrier call.
  -- (The vault issue replaces these three columns with envelope-encrypted ones.)
  to_number           text NOT NULL,
  from_number         text NOT NULL,
  body                text NOT NULL,
  segments            integer NOT NULL,
  idempotency_key     text,
  request_digest      bytea,
  carrier_message_id  text,
  error_code          text,
  -- W3C traceparent of the span the next stage continues (ingest, then submit).
  trace_context       text,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  queued_at           timestamptz,
  submitted_at        timestamptz,
  done_at             timestamptz
);

CREATE UNIQUE INDEX messages_idempotency_key
  ON messages (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX messages_carrier_message_id
  ON messages (carrier_id, carrier_message_id) WHERE carrier_message_id IS NOT NULL;
-- The reconciler's scan: messages not yet handed to a carrier.
CREATE INDEX messages_pending ON messages (updated_at) WHERE status IN ('accepted', 'queued');
CREATE INDEX messages_tenant_created ON messages (tenant_id, created_at DESC);

-- Every receipt, made durable before the carrier is acknowledged (so losing Redis loses
-- no receipt); the queue carries only its id. processed_at marks it applied.
CREATE TABLE receipts (
  id                  uuid PRIMARY KEY,
  carrier_id          text NOT NULL,
  carrier_message_id  text NOT NULL,
  message_id          uuid REFERENCES messages (id),
  outcome             text NOT NULL,
  carrier_status      text NOT NULL,
  network_error_code  text,
  done_at             timestamptz,
  received_at         timestamptz NOT NULL DEFAULT now(),
  processed_at        timestamptz
);
CREATE INDEX receipts_unprocessed ON receipts (received_at) WHERE processed_at IS NULL;

-- Inbound (MO) messages. Clear columns are replaced by encrypted ones in the vault issue.
CREATE TABLE inbound_messages (
  id                  uuid PRIMARY KEY,
  carrier_id          text NOT NULL,
  from_number         text NOT NULL,
  to_number           text NOT NULL,
  body                text NOT NULL,
  carrier_message_id  text,
  received_at         timestamptz NOT NULL,
  created_at          timestamptz NOT NULL DEFAULT now(),
  processed_at        timestamptz
);
CREATE INDEX inbound_unprocessed ON inbound_messages (created_at) WHERE processed_at IS NULL;
