-- Just-in-time reveal of real numbers, and per-tenant retention.

-- A reveal grant lets one API key see real numbers for a short time. Operators create it
-- (`npm run vault -- grant-reveal`); every grant and every reveal is in the audit log.
CREATE TABLE reveal_grants (
  id          uuid PRIMARY KEY,
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  api_key_id  uuid NOT NULL REFERENCES api_keys (id),
  reason      text NOT NULL,
  granted_by  text NOT NULL,
  expires_at  timestamptz NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz
);
CREATE INDEX reveal_grants_active ON reveal_grants (api_key_id, expires_at) WHERE revoked_at IS NULL;

-- How long each kind of data is kept, per tenant (NULL = keep). The purge job anonymises
-- message bodies after body_days, masking mappings after mapping_days, and deletes
-- delivery metadata (the message rows and their receipts) after metadata_days.
CREATE TABLE retention_policies (
  tenant_id      uuid PRIMARY KEY REFERENCES tenants (id),
  body_days      integer CHECK (body_days > 0),
  mapping_days   integer CHECK (mapping_days > 0),
  metadata_days  integer CHECK (metadata_days > 0),
  updated_at     timestamptz NOT NULL DEFAULT now()
);

-- Tables created here get the apps' grants through the default privileges of 0002; say
-- it explicitly in case this migration runs under another role.
GRANT SELECT, INSERT, UPDATE, DELETE ON reveal_grants, retention_policies TO maskline_app;
