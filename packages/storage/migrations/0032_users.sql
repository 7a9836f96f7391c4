-- Human users of the management API (docs/guides/users.md): a role (docs/reference/roles.md),
-- a password (argon2id, PHC string) and a TOTP second factor (RFC 6238) with recovery codes.
-- No email in clear: it is looked up by its keyed digest (HMAC under the API key pepper) and
-- shown masked. The TOTP secret is sealed by the tenant's vault key (bound to the user id).
-- A new user gets a one-time setup token (digest only) to choose a password and enrol TOTP.
CREATE TABLE users (
  id                    uuid PRIMARY KEY DEFAULT maskline_uuidv7(),
  tenant_id             uuid NOT NULL REFERENCES tenants (id),
  email_digest          bytea NOT NULL UNIQUE,
  email_masked          text NOT NULL,
  role                  text NOT NULL CHECK (role IN ('owner', 'admin', 'developer', 'analyst', 'auditor')),
  password_hash         text,
  totp_sealed           bytea,
  totp_key_version      integer,
  totp_confirmed_at     timestamptz,
  -- The last TOTP time step accepted: a code is good once (no replay within its window).
  totp_last_step        bigint NOT NULL DEFAULT 0,
  recovery_digests      bytea[] NOT NULL DEFAULT '{}',
  setup_digest          bytea UNIQUE,
  setup_expires_at      timestamptz,
  failed_attempts       integer NOT NULL DEFAULT 0,
  locked_until          timestamptz,
  last_sign_in_at       timestamptz,
  created_by            text NOT NULL,
  created_at            timestamptz NOT NULL DEFAULT now(),
  disabled_at           timestamptz
);
CREATE INDEX users_tenant ON users (tenant_id, id);

-- Short-lived tokens (digest only): `mfa` after a right password (good for the second factor
-- only), `session` after the second factor (the management API).
CREATE TABLE user_sessions (
  id            uuid PRIMARY KEY DEFAULT maskline_uuidv7(),
  user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  tenant_id     uuid NOT NULL REFERENCES tenants (id),
  kind          text NOT NULL CHECK (kind IN ('mfa', 'session')),
  token_digest  bytea NOT NULL UNIQUE,
  expires_at    timestamptz NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  revoked_at    timestamptz
);
CREATE INDEX user_sessions_user ON user_sessions (user_id);

GRANT SELECT, INSERT, UPDATE, DELETE ON users, user_sessions TO maskline_app;
