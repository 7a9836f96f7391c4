-- Redelivering a time range and the webhook retention purge (docs/webhooks.md).

-- Deleting a delivery cascades to its attempts: without this index every deleted delivery
-- (retention purge, endpoint deletion) scanned the whole attempt log.
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id);

-- The retention purge walks each tenant's old events, oldest first, through
-- webhook_events_tenant (tenant_id, created_at DESC): no index of its own, so recording an
-- event writes no extra index entry for it.

-- "Redeliver what failed since ...": an endpoint's dead deliveries in a time range, in
-- keyset order, without visiting its (many) delivered ones. Dead deliveries are few, so the
-- index is small; a range that includes delivered ones uses webhook_deliveries_endpoint.
CREATE INDEX webhook_deliveries_dead ON webhook_deliveries (endpoint_id, created_at, id) WHERE state = 'dead';
