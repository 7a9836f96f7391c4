-- Messages sent in several parts (UDH/SAR concatenation): each part has its own carrier
-- id and its own receipt; the message's status is derived from them (see core's
-- multipartEffect). Written in the same statement as the message's `submitted` update,
-- so a receipt can never find the message without its parts.
CREATE TABLE message_parts (
  carrier_id          text NOT NULL,
  carrier_message_id  text NOT NULL,
  message_id          uuid NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  part_index          integer NOT NULL CHECK (part_index >= 0),
  status              text CHECK (status IN ('delivered', 'undeliverable', 'expired', 'rejected')),
  error_code          text,
  done_at             timestamptz,
  PRIMARY KEY (carrier_id, carrier_message_id)
);
CREATE INDEX message_parts_message ON message_parts (message_id);
GRANT SELECT, INSERT, UPDATE, DELETE ON message_parts TO maskline_app;
