-- GET /v1/messages (docs/reference/api.md): a tenant's messages, newest first, in a stable
-- order (created_at, then id: rows of one group-commit INSERT share created_at), paged by
-- keyset. The old (tenant_id, created_at) index is a prefix of the new one: replaced.
CREATE INDEX messages_tenant_created_id ON messages (tenant_id, created_at DESC, id DESC);
DROP INDEX messages_tenant_created;

-- The client's own reference for a message (an order id, a campaign tag): at most 128
-- printable ASCII characters, never a phone number or a body (the ingest refuses what looks
-- like a number). Listed by it through a partial index: rows without one cost nothing.
ALTER TABLE messages ADD COLUMN client_reference text
  CHECK (client_reference ~ '^[\x20-\x7e]{1,128}$');
CREATE INDEX messages_tenant_client_reference ON messages (tenant_id, client_reference, created_at DESC, id DESC)
  WHERE client_reference IS NOT NULL;
