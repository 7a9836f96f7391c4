-- Per-API-key IP allowlists (issue #19, item 5): a key with a list is honoured only from
-- a client address inside one of its CIDRs (IPv4 or IPv6). NULL: from any address.
-- The ingest validates and canonicalises each entry before writing it (auth/ip-allowlist.ts).
ALTER TABLE api_keys ADD COLUMN allowed_cidrs text[];
