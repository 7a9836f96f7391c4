-- A tenant's own numbers (long numbers, short codes) outside the masking pool: the numbers
-- its messages go out from and its customers reply to. An inbound message to one of them
-- belongs to that tenant and becomes a `message.inbound` webhook event (docs/webhooks.md).
-- The number is the tenant's business line, not a person's: stored clear, as virtual
-- numbers are, because inbound routing looks it up by value. One owner per number.
CREATE TABLE tenant_numbers (
  id          uuid PRIMARY KEY DEFAULT maskline_uuidv7(),
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  e164        text NOT NULL UNIQUE,
  carrier_id  text,
  label       text,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tenant_numbers_tenant ON tenant_numbers (tenant_id, id);

GRANT SELECT, INSERT, UPDATE, DELETE ON tenant_numbers TO maskline_app;
