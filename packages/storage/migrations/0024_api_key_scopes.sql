-- API keys with scopes, an optional expiry and a last-used time (issue #19, item 1).
-- A key may do only what its scopes allow (docs/reference/api.md, "Scopes"). Keys that
-- existed before scopes keep doing everything they could: they get every scope known today.
-- last_used_at is written at most about once a minute per key, off the request path.
ALTER TABLE api_keys
  ADD COLUMN scopes       text[] NOT NULL DEFAULT '{}',
  ADD COLUMN expires_at   timestamptz,
  ADD COLUMN last_used_at timestamptz;

UPDATE api_keys SET scopes = ARRAY[
  'messages:send', 'messages:read', 'masking:manage', 'pool:admin', 'webhooks:manage',
  'reveal:request', 'audit:read', 'routes:manage', 'numbers:manage', 'keys:manage'
];

CREATE INDEX api_keys_tenant ON api_keys (tenant_id, id);
