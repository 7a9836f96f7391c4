-- Receipts and inbound messages are stored once. A carrier redelivers a deliver_sm that a
-- dead bind never acknowledged; the copy inserts nothing (ON CONFLICT DO NOTHING) and the
-- carrier is still acknowledged. A receipt is the same receipt when it names the same
-- carrier message with the same status word and done date; an intermediate status that
-- repeats with a new done date is a new receipt.
-- Copies already stored before this migration: the earliest (uuidv7 ids sort by time) stays.
DELETE FROM receipts r USING receipts k
 WHERE k.carrier_id = r.carrier_id AND k.carrier_message_id = r.carrier_message_id
   AND k.carrier_status = r.carrier_status AND k.done_at IS NOT DISTINCT FROM r.done_at
   AND k.id < r.id;
CREATE UNIQUE INDEX receipts_once
  ON receipts (carrier_id, carrier_message_id, carrier_status, COALESCE(done_at, '-infinity'::timestamptz));

-- An inbound message is deduplicated only when its carrier gives it an id (SMPP MO has none).
DELETE FROM inbound_messages r USING inbound_messages k
 WHERE k.carrier_id = r.carrier_id AND k.carrier_message_id = r.carrier_message_id
   AND r.carrier_message_id IS NOT NULL AND k.id < r.id;
CREATE UNIQUE INDEX inbound_messages_once
  ON inbound_messages (carrier_id, carrier_message_id) WHERE carrier_message_id IS NOT NULL;

-- A receipt that matched no message within the configured window is parked: processed,
-- with unmatched_at set, so the sweep stops re-enqueueing it and it stays queryable.
ALTER TABLE receipts ADD COLUMN unmatched_at timestamptz;
CREATE INDEX receipts_unmatched ON receipts (unmatched_at) WHERE unmatched_at IS NOT NULL;

-- The receipt deadline's scan: messages still waiting for their final receipt.
CREATE INDEX messages_awaiting_receipt ON messages (submitted_at) WHERE status = 'submitted';
