-- Reveal grants requested through the API (docs/guides/reveal-approval.md): an API key or a
-- signed-in user asks for one for itself; under the tenant's four-eyes policy (the default,
-- no row in reveal_policies) it waits `pending` until another person approves or denies it.
-- Grants made by the operator CLI stay as they were: active at once, for an API key.
ALTER TABLE reveal_grants ALTER COLUMN api_key_id DROP NOT NULL;
ALTER TABLE reveal_grants
  ADD COLUMN user_id          uuid REFERENCES users (id),
  ADD COLUMN state            text NOT NULL DEFAULT 'active' CHECK (state IN ('pending', 'active', 'denied')),
  -- Who asked (the holder's principal) and for how long the grant runs once approved.
  ADD COLUMN requested_by     text,
  ADD COLUMN duration_seconds integer CHECK (duration_seconds > 0),
  ADD COLUMN decided_by       text,
  ADD COLUMN decided_at       timestamptz,
  ADD CONSTRAINT reveal_grants_one_holder CHECK ((api_key_id IS NULL) <> (user_id IS NULL));
CREATE INDEX reveal_grants_user_active ON reveal_grants (user_id, expires_at)
  WHERE revoked_at IS NULL AND user_id IS NOT NULL;
CREATE INDEX reveal_grants_tenant_created ON reveal_grants (tenant_id, created_at, id);

-- Per tenant: whether a requested reveal needs a second person (no row: it does).
CREATE TABLE reveal_policies (
  tenant_id   uuid PRIMARY KEY REFERENCES tenants (id),
  four_eyes   boolean NOT NULL,
  updated_by  text NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
GRANT SELECT, INSERT, UPDATE ON reveal_policies TO maskline_app;
