-- Per-message status callbacks (docs/webhooks.md#statuscallback): POST /v1/messages may name
-- a `statusCallback` URL under one of the tenant's enabled webhook endpoints. The ingest
-- resolves the endpoint (longest URL prefix, same origin) and the INSERT stores both here.
-- No foreign key: an endpoint deleted between the ingest's lookup (cached for seconds) and
-- the INSERT must not fail the batch, and deleting an endpoint must not rewrite messages.
-- webhook_message_status() joins the endpoint by id (same tenant, enabled) at each status,
-- so a deleted or disabled endpoint simply gets no callback.
ALTER TABLE messages
  ADD COLUMN status_callback_endpoint uuid,
  ADD COLUMN status_callback_url text;

-- A delivery to another URL than its endpoint's (the message's status callback). NULL: the
-- endpoint's URL. The dispatcher posts to COALESCE(url, endpoint url), vetted as usual.
ALTER TABLE webhook_deliveries ADD COLUMN url text;

-- As in 0016, plus the messages' callback endpoints and URLs (p_callback_endpoints NULL for
-- a message without one). One delivery per (event, endpoint) stays the rule: a message's
-- callback endpoint gets its event at the callback URL, in place of the endpoint's own URL
-- when it also subscribes to message.status; the other subscribers get it as before.
-- A callback is sent whatever the endpoint's eventTypes say (the message asked for it).
-- Rows pass the filter when their tenant has a subscriber or they name a callback endpoint:
-- a tenant with neither still writes nothing (one probe per distinct tenant, as before).
CREATE FUNCTION webhook_message_status(
  p_messages uuid[], p_tenants uuid[], p_statuses text[], p_error_codes text[],
  p_carrier_codes text[], p_callback_endpoints uuid[], p_callback_urls text[], p_lease_ms integer
) RETURNS uuid[] LANGUAGE sql VOLATILE AS $$
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
    INSERT INTO webhook_events (tenant_id, type, subject_id, data, source_key)
    SELECT tenant_id, 'message.status', message_id,
           jsonb_build_object(
             'messageId', message_id,
             'status', CASE status WHEN 'accepted' THEN 'queued' ELSE status END,
             'errorCode', error_code,
             'carrierCode', carrier_code),
           'message_status:' || message_id || ':' || status
    FROM changed
    ON CONFLICT (tenant_id, source_key) WHERE source_key IS NOT NULL DO NOTHING
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
  SELECT COALESCE(array_agg(id), '{}') FROM deliveries
$$;

-- The 0016 signature stays, for a process of the previous release still running during a
-- rolling deploy: its messages carry no callback.
CREATE OR REPLACE FUNCTION webhook_message_status(
  p_messages uuid[], p_tenants uuid[], p_statuses text[], p_error_codes text[],
  p_carrier_codes text[], p_lease_ms integer
) RETURNS uuid[] LANGUAGE sql VOLATILE AS $$
  SELECT webhook_message_status(p_messages, p_tenants, p_statuses, p_error_codes, p_carrier_codes,
                                NULL::uuid[], NULL::text[], p_lease_ms)
$$;
