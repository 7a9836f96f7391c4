-- SMS-pumping blocks (docs/verifications.md#sms-pumping): a tenant's verifications towards a
-- number range (an E.164 number without its last digits) are refused until expires_at or
-- until an admin lifts the block. The prefix of a number is still close to personal data:
-- a row is deleted a day after its block ended (expired or lifted), and the prefix goes
-- nowhere else but the tenant's own security.alert webhook event.
CREATE TABLE verification_blocks (
  id            uuid PRIMARY KEY DEFAULT maskline_uuidv7(),
  tenant_id     uuid NOT NULL REFERENCES tenants (id),
  range_prefix  text NOT NULL CHECK (range_prefix ~ '^\+[0-9]{4,14}$'),
  country       text,
  reason        text NOT NULL CHECK (reason IN ('low_completion_rate')),
  -- What the detector saw when it blocked the range (counts only).
  sends         integer NOT NULL CHECK (sends >= 0),
  approvals     integer NOT NULL CHECK (approvals >= 0),
  created_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL,
  lifted_at     timestamptz,
  lifted_by     text,
  CHECK (expires_at > created_at)
);
-- Every verification send asks whether its range is blocked.
CREATE INDEX verification_blocks_active ON verification_blocks (tenant_id, range_prefix)
  WHERE lifted_at IS NULL;
CREATE INDEX verification_blocks_tenant ON verification_blocks (tenant_id, created_at DESC);

GRANT SELECT, INSERT, UPDATE, DELETE ON verification_blocks TO maskline_app;
