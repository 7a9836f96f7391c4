-- Verifications (docs/verifications.md): one-time codes Maskline generates, sends through the
-- normal message pipeline and checks. The code itself is never stored: only its keyed hash
-- (HMAC-SHA256 under VERIFICATION_CODE_SECRET, bound to the verification id). The
-- destination and the sender are sealed by the vault as a message's numbers are (bound to
-- the verification id, fields to_number / from_number), beside the masked display form.
CREATE TABLE verifications (
  id            uuid PRIMARY KEY DEFAULT maskline_uuidv7(),
  tenant_id     uuid NOT NULL REFERENCES tenants (id),
  to_sealed     bytea NOT NULL,
  from_sealed   bytea NOT NULL,
  key_version   integer,
  to_masked     text NOT NULL,
  -- What a resend needs to render the message again (no code in any of them).
  brand         text NOT NULL,
  locale        text NOT NULL,
  template      text,
  code_length   integer NOT NULL CHECK (code_length BETWEEN 4 AND 10),
  ttl_seconds   integer NOT NULL CHECK (ttl_seconds BETWEEN 60 AND 3600),
  code_hash     bytea NOT NULL,
  attempts      integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  max_attempts  integer NOT NULL DEFAULT 5 CHECK (max_attempts > 0),
  -- The attempt cap holds under concurrency: a check counts its attempt with one
  -- UPDATE ... WHERE attempts < max_attempts, and this constraint backs it.
  CHECK (attempts <= max_attempts),
  status        text NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'approved', 'expired', 'locked', 'canceled')),
  expires_at    timestamptz NOT NULL,
  last_sent_at  timestamptz NOT NULL DEFAULT now(),
  send_count    integer NOT NULL DEFAULT 1 CHECK (send_count >= 0),
  message_id    uuid,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX verifications_tenant ON verifications (tenant_id, id);

GRANT SELECT, INSERT, UPDATE, DELETE ON verifications TO maskline_app;
