-- Time-ordered ids for webhook events and deliveries (docs/performance.md#webhook-hop).
--
-- gen_random_uuid() put every new event and delivery at a random place in their primary
-- keys (and the delivery's event_id in its unique index), so each insert dirtied another
-- index leaf page, and after every checkpoint each of those first touches wrote a full page
-- image to the WAL. A UUIDv7 (RFC 9562: 48-bit Unix time in ms, then random bits) keeps
-- new keys at the right edge of the index, as the application's own uuidv7 ids already do
-- for messages. PostgreSQL 15 has no uuidv7(): this builds one from gen_random_uuid() by
-- overwriting its first 48 bits with the clock and setting the version to 7 (bits 52, 53).
CREATE FUNCTION maskline_uuidv7() RETURNS uuid LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
  SELECT encode(
    set_bit(set_bit(
      overlay(uuid_send(gen_random_uuid())
              PLACING substring(int8send((extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
              FROM 1 FOR 6),
      52, 1), 53, 1),
    'hex')::uuid
$$;

ALTER TABLE webhook_events ALTER COLUMN id SET DEFAULT maskline_uuidv7();
ALTER TABLE webhook_deliveries ALTER COLUMN id SET DEFAULT maskline_uuidv7();
