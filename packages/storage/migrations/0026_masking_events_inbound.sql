-- Inbound events are looked up by the inbound message's id: once per inbound job (an event
-- is recorded at most once per message) and by GET /v1/masking/inbound/{id}/code. Without
-- this index each lookup scanned all of the tenant's events.
CREATE INDEX masking_events_inbound ON masking_events ((payload->>'inboundId'));
