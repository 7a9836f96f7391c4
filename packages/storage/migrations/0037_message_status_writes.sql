-- Fewer writes per message.status event (docs/performance.md, "The webhook rows per event").
--
-- 1. No source_key for message.status events. Each status statement moves a message to a
--    status at most once (its UPDATE is guarded by the state machine, under the row lock),
--    so the event it emits is already unique per message and status. The key's unique
--    index entry and INSERT ... ON CONFLICT's speculative insertion (an extra WAL record
--    per row) bought nothing for these events; masking events keep their source_key.
-- 2. No foreign key from webhook_events and webhook_deliveries to tenants. Their tenant is
--    always copied from a row that has one (the subscribed webhook_endpoints row, the
--    masking event, the disabled endpoint) in the same statement, and tenants are never
--    deleted; each check cost a trigger, a lookup and a FOR KEY SHARE lock on the tenant's
--    row, twice per event. The foreign keys that cascade (events -> deliveries -> attempts,
--    endpoints -> deliveries) stay.
ALTER TABLE webhook_events DROP CONSTRAINT webhook_events_tenant_id_fkey;
ALTER TABLE webhook_deliveries DROP CONSTRAINT webhook_deliveries_tenant_id_fkey;

CREATE OR REPLACE FUNCTION webhook_message_status(
  p_messages uuid[], p_tenants uuid[], p_statuses text[], p_error_codes text[],
  p_carrier_codes text[], p_callback_endpoints uuid[], p_callback_urls text[], p_lease_ms integer
) RETURNS uuid[] LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
  ids uuid[];
BEGIN
  WITH subscribed AS (
    SELECT id AS endpoint_id, tenant_id FROM webhook_endpoints
    WHERE tenant_id = ANY (p_tenants) AND state = 'enabled'
      AND webhook_subscribed(event_types, 'message.status')
  ), input AS (
    SELECT * FROM unnest(p_messages, p_tenants, p_statuses, p_error_codes, p_carrier_codes,
                         p_callback_endpoints, p_callback_urls)
      AS c(message_id, tenant_id, status, error_code, carrier_code, callback_endpoint, callback_url)
  ), callbacks AS (
    SELECT i.message_id, i.tenant_id, e.id AS endpoint_id, i.callback_url
    FROM input i JOIN webhook_endpoints e
      ON e.id = i.callback_endpoint AND e.tenant_id = i.tenant_id AND e.state = 'enabled'
    WHERE i.callback_endpoint IS NOT NULL AND i.callback_url IS NOT NULL
  ), changed AS (
    SELECT * FROM input c
    WHERE c.tenant_id IN (SELECT tenant_id FROM subscribed)
       OR c.message_id IN (SELECT message_id FROM callbacks)
    ORDER BY c.message_id
  ), events AS (
    INSERT INTO webhook_events (tenant_id, type, subject_id, data)
    SELECT tenant_id, 'message.status', message_id,
           jsonb_build_object(
             'messageId', message_id,
             'status', CASE status WHEN 'accepted' THEN 'queued' ELSE status END,
             'errorCode', error_code,
             'carrierCode', carrier_code)
    FROM changed
    RETURNING id, tenant_id, subject_id
  ), targets AS (
    SELECT events.id AS event_id, events.tenant_id, s.endpoint_id, NULL::text AS url
    FROM events JOIN subscribed s USING (tenant_id)
    WHERE NOT EXISTS (SELECT 1 FROM callbacks cb
                      WHERE cb.message_id = events.subject_id AND cb.endpoint_id = s.endpoint_id)
    UNION ALL
    SELECT events.id, events.tenant_id, cb.endpoint_id, cb.callback_url
    FROM events JOIN callbacks cb ON cb.message_id = events.subject_id
  ), deliveries AS (
    INSERT INTO webhook_deliveries (event_id, endpoint_id, tenant_id, url, next_attempt_at)
    SELECT event_id, endpoint_id, tenant_id, url,
           now() + make_interval(secs => GREATEST(p_lease_ms, 0)::float8 / 1000)
    FROM targets
    RETURNING id
  )
  SELECT COALESCE(array_agg(id), '{}') INTO ids FROM deliveries;
  RETURN ids;
END
$fn$;
