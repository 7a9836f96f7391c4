-- message.status webhook events (docs/webhooks.md#messagestatus), emitted by the statements
-- that change a message's status: each adds a CTE that passes its changed rows here, so the
-- event is written in the same statement and transaction as the change (no extra round trip).
--
-- Only tenants with an enabled endpoint subscribed to message.status get rows: for everyone
-- else the statement pays one probe of webhook_endpoints_enabled per distinct tenant and
-- writes nothing. One event per message and status (source_key), numbered by
-- webhook_event_sequence while the statement holds the message's row lock, so a message's
-- later status always has the larger sequence. Statuses are normalised: accepted -> queued,
-- the others keep their name. Returns the delivery ids; with p_lease_ms > 0 they are
-- already claimed (due after the lease) for the caller to enqueue after its commit, else due
-- now for the dispatcher's sweep.
CREATE FUNCTION webhook_message_status(
  p_messages uuid[], p_tenants uuid[], p_statuses text[], p_error_codes text[],
  p_carrier_codes text[], p_lease_ms integer
) RETURNS uuid[] LANGUAGE sql VOLATILE AS $$
  WITH subscribed AS (
    SELECT id AS endpoint_id, tenant_id FROM webhook_endpoints
    WHERE tenant_id = ANY (p_tenants) AND state = 'enabled'
      AND webhook_subscribed(event_types, 'message.status')
  ), changed AS (
    SELECT * FROM unnest(p_messages, p_tenants, p_statuses, p_error_codes, p_carrier_codes)
      AS c(message_id, tenant_id, status, error_code, carrier_code)
    WHERE c.tenant_id IN (SELECT tenant_id FROM subscribed)
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
    RETURNING id, tenant_id
  ), deliveries AS (
    INSERT INTO webhook_deliveries (event_id, endpoint_id, tenant_id, next_attempt_at)
    SELECT events.id, subscribed.endpoint_id, events.tenant_id,
           now() + make_interval(secs => GREATEST(p_lease_ms, 0)::float8 / 1000)
    FROM events JOIN subscribed USING (tenant_id)
    RETURNING id
  )
  SELECT COALESCE(array_agg(id), '{}') FROM deliveries
$$;
