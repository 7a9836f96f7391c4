-- Per-API-key IP allowlists (issue #19, item 5): a key with a list is honoured only from
-- a client address inside one of its CIDRs (IPv4 or IPv6). NULL: from any address.
-- The ingest validates and canonicalises each entry before writing it (auth/ip-allowlist.ts).
ALTER TABLE api_keys ADD COLUMN allowed_cidrs text[];

-- Optionally, a key bound to one TLS client certificate (mutual TLS): its SHA-256
-- fingerprint, 64 lower-case hex digits. NULL: any (or no) client certificate.
ALTER TABLE api_keys ADD COLUMN client_cert_sha256 text
  CHECK (client_cert_sha256 ~ '^[0-9a-f]{64}$');
