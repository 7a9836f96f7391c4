-- Sandbox messages (docs/guides/sandbox.md): sent with an ml_test_ key, routed only to the
-- sandbox carrier (the simulator), listed apart from live traffic and purged sooner. A
-- constant default: no table rewrite. The partial index serves the sandbox list and purge;
-- the live list keeps using messages_tenant_created_id.
ALTER TABLE messages ADD COLUMN sandbox boolean NOT NULL DEFAULT false;
CREATE INDEX messages_sandbox_tenant_created ON messages (tenant_id, created_at, id) WHERE sandbox;
