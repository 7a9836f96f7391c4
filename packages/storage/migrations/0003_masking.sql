-- Number masking: the virtual number pool, masking sessions and their participants.
-- See docs/guides/number-masking.md.

-- Virtual numbers are Maskline's own inventory (stored in clear E.164). Each belongs to one
-- tenant's pool. A quarantined number becomes allocatable again once quarantined_until has
-- passed (allocation checks it, so no job has to move it back first).
CREATE TABLE virtual_numbers (
  id                 uuid PRIMARY KEY,
  tenant_id          uuid NOT NULL REFERENCES tenants (id),
  e164               text NOT NULL UNIQUE,
  country            text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
  carrier_id         text NOT NULL,
  capabilities       text[] NOT NULL DEFAULT ARRAY['sms-mt', 'sms-mo'],
  region             text,
  state              text NOT NULL DEFAULT 'available'
                       CHECK (state IN ('available', 'reserved', 'quarantined', 'retired')),
  quarantined_until  timestamptz,
  created_at         timestamptz NOT NULL DEFAULT now(),
  state_changed_at   timestamptz NOT NULL DEFAULT now(),
  CHECK ((state = 'quarantined') = (quarantined_until IS NOT NULL))
);
-- Allocation walks a tenant's free numbers longest-rested first and stops at the first
-- match it can lock (a number's cool-off starts at its state change, so this order also
-- puts numbers still in quarantine last).
CREATE INDEX virtual_numbers_allocatable
  ON virtual_numbers (tenant_id, state_changed_at) WHERE state IN ('available', 'quarantined');
CREATE INDEX virtual_numbers_tenant_state ON virtual_numbers (tenant_id, state);

-- A masking session binds real participant numbers to one virtual number for a time.
-- Sharing rule: a virtual number serves at most one active session at a time (enforced by
-- the unique partial index below), so an inbound message to it always has one route.
CREATE TABLE masking_sessions (
  id                      uuid PRIMARY KEY,
  tenant_id               uuid NOT NULL REFERENCES tenants (id),
  mode                    text NOT NULL CHECK (mode IN ('pair', 'inbox', 'verification')),
  state                   text NOT NULL CHECK (state IN ('active', 'released', 'expired')),
  virtual_number_id       uuid NOT NULL REFERENCES virtual_numbers (id),
  -- The constraints the number was chosen by; rotation picks a new one by the same.
  country                 text,
  carrier_id              text,
  capabilities            text[] NOT NULL,
  non_participant_policy  text NOT NULL CHECK (non_participant_policy IN ('drop', 'webhook', 'auto_reply')),
  auto_reply_text         text,
  inbox_delivery          text NOT NULL DEFAULT 'participant' CHECK (inbox_delivery IN ('participant', 'webhook')),
  idempotency_key         text,
  request_digest          bytea,
  expires_at              timestamptz NOT NULL,
  created_at              timestamptz NOT NULL DEFAULT now(),
  updated_at              timestamptz NOT NULL DEFAULT now(),
  closed_at               timestamptz,
  CHECK ((state = 'active') = (closed_at IS NULL))
);
CREATE UNIQUE INDEX masking_sessions_one_live_per_number
  ON masking_sessions (virtual_number_id) WHERE state = 'active';
CREATE UNIQUE INDEX masking_sessions_idempotency_key
  ON masking_sessions (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX masking_sessions_expiring ON masking_sessions (expires_at) WHERE state = 'active';
CREATE INDEX masking_sessions_tenant_list ON masking_sessions (tenant_id, id DESC);

-- Participants' real numbers are never stored in clear: sealed by the tenant's vault key
-- (bound to the participant id), a keyed blind index for lookup, and a masked display form.
CREATE TABLE masking_participants (
  id             uuid PRIMARY KEY,
  session_id     uuid NOT NULL REFERENCES masking_sessions (id) ON DELETE CASCADE,
  tenant_id      uuid NOT NULL REFERENCES tenants (id),
  position       integer NOT NULL CHECK (position >= 0),
  number_sealed  bytea NOT NULL,
  number_index   bytea NOT NULL,
  number_masked  text NOT NULL,
  key_version    integer,
  created_at     timestamptz NOT NULL DEFAULT now(),
  UNIQUE (session_id, number_index),
  UNIQUE (session_id, position)
);

-- Events for (future) webhooks: session.rotated, inbound.forwarded, pool.low_watermark, ...
-- Payloads carry ids, masked numbers and vault tokens, never a real number or a body.
CREATE TABLE masking_events (
  id          uuid PRIMARY KEY,
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  session_id  uuid REFERENCES masking_sessions (id) ON DELETE SET NULL,
  type        text NOT NULL,
  payload     jsonb NOT NULL DEFAULT '{}',
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX masking_events_tenant ON masking_events (tenant_id, id DESC);

-- Open low-watermark alarms, one per (tenant, country, carrier): the event is recorded when
-- the row is created, and the row is removed when the pool is refilled above the threshold.
CREATE TABLE virtual_number_watermarks (
  tenant_id    uuid NOT NULL REFERENCES tenants (id),
  country      text NOT NULL,
  carrier_id   text NOT NULL,
  below_since  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, country, carrier_id)
);

DO $$
BEGIN
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'maskline_app') THEN
    GRANT SELECT, INSERT, UPDATE, DELETE ON virtual_numbers, masking_sessions, masking_participants,
      masking_events, virtual_number_watermarks TO maskline_app;
  END IF;
END $$;
