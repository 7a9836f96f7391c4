-- Signed webhooks (docs/webhooks.md): endpoints, their signing secrets, events, one delivery
-- per (event, endpoint), and the attempt log.

-- A tenant's webhook endpoint. event_types holds exact types (`message.status`), family
-- wildcards (`session.*`) or `*`; webhook_subscribed() below is the one matcher.
CREATE TABLE webhook_endpoints (
  id                    uuid PRIMARY KEY,
  tenant_id             uuid NOT NULL REFERENCES tenants (id),
  url                   text NOT NULL,
  event_types           text[] NOT NULL CHECK (cardinality(event_types) > 0),
  include_inbound_body  boolean NOT NULL DEFAULT false,
  description           text,
  state                 text NOT NULL DEFAULT 'enabled' CHECK (state IN ('enabled', 'disabled')),
  -- Why it is disabled: 'api' (the tenant), 'gone' (it answered 410), 'failing' (failed
  -- for longer than WEBHOOK_DISABLE_AFTER_MS).
  disabled_reason       text CHECK (disabled_reason IN ('api', 'gone', 'failing')),
  disabled_at           timestamptz,
  -- The first failed attempt since the last success; NULL while it succeeds.
  failing_since         timestamptz,
  max_concurrency       integer NOT NULL DEFAULT 4 CHECK (max_concurrency BETWEEN 1 AND 64),
  timeout_ms            integer NOT NULL DEFAULT 10000 CHECK (timeout_ms BETWEEN 100 AND 30000),
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now(),
  CHECK ((state = 'disabled') = (disabled_reason IS NOT NULL))
);
CREATE INDEX webhook_endpoints_tenant ON webhook_endpoints (tenant_id, id DESC);
CREATE INDEX webhook_endpoints_enabled ON webhook_endpoints (tenant_id) WHERE state = 'enabled';

-- Signing secrets, sealed by the tenant's vault key (bound to the secret's id, field
-- 'webhook_secret'). An endpoint signs with every secret whose expires_at is NULL or in
-- the future: after a rotation the old one keeps signing until it expires.
CREATE TABLE webhook_secrets (
  id             uuid PRIMARY KEY,
  endpoint_id    uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
  tenant_id      uuid NOT NULL REFERENCES tenants (id),
  secret_sealed  bytea NOT NULL,
  key_version    integer,
  created_at     timestamptz NOT NULL DEFAULT now(),
  expires_at     timestamptz
);
CREATE INDEX webhook_secrets_endpoint ON webhook_secrets (endpoint_id);

-- Events: the envelope's {id, type, created_at, tenant_id, data}. data holds ids, masked
-- numbers and tokens only. sequence is monotonic per subject (a message's status events
-- are numbered in the order their statements ran: a receiver drops a lower one arriving
-- late). source_key makes an event from a source row exist once.
CREATE SEQUENCE webhook_event_sequence;
CREATE TABLE webhook_events (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  type        text NOT NULL,
  subject_id  uuid,
  sequence    bigint NOT NULL DEFAULT nextval('webhook_event_sequence'),
  source_key  text,
  data        jsonb NOT NULL DEFAULT '{}',
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX webhook_events_source ON webhook_events (tenant_id, source_key) WHERE source_key IS NOT NULL;
CREATE INDEX webhook_events_tenant ON webhook_events (tenant_id, created_at DESC);

-- One delivery per (event, endpoint). PostgreSQL schedules: a pending delivery is due at
-- next_attempt_at; whoever enqueues it pushes next_attempt_at out by a lease first, so
-- the sweep re-enqueues exactly the due deliveries whose job was lost (never checks Redis).
CREATE TABLE webhook_deliveries (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  event_id         uuid NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,
  endpoint_id      uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
  tenant_id        uuid NOT NULL REFERENCES tenants (id),
  state            text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'dead')),
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  -- Retries stop (dead-letter) when an attempt fails WEBHOOK_RETRY_FOR_MS after this
  -- (creation, or the last redelivery through the API).
  retry_from       timestamptz NOT NULL DEFAULT now(),
  last_status      integer,
  last_error       text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  finished_at      timestamptz,
  UNIQUE (event_id, endpoint_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, created_at DESC);

-- The attempt log: status code, latency, error class; never a body.
CREATE TABLE webhook_attempts (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  delivery_id  uuid NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
  endpoint_id  uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
  event_id     uuid NOT NULL,
  tenant_id    uuid NOT NULL,
  attempt      integer NOT NULL,
  status_code  integer,
  latency_ms   integer NOT NULL,
  error_class  text,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_attempts_endpoint ON webhook_attempts (endpoint_id, id DESC);

-- Does an endpoint subscribed to `types` receive an event of type `t`?
CREATE FUNCTION webhook_subscribed(types text[], t text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT t = ANY (types) OR '*' = ANY (types) OR (split_part(t, '.', 1) || '.*') = ANY (types)
$$;

-- Records an event and its deliveries, in the caller's statement and transaction, only when
-- an enabled endpoint of the tenant subscribes to its type (else nothing is written).
-- Returns the delivery ids (due now; the caller may enqueue them, the sweep will anyway).
CREATE FUNCTION webhook_emit(p_tenant uuid, p_type text, p_subject uuid, p_data jsonb, p_source text)
RETURNS SETOF uuid LANGUAGE sql VOLATILE AS $$
  WITH subscribed AS (
    SELECT id FROM webhook_endpoints
    WHERE tenant_id = p_tenant AND state = 'enabled' AND webhook_subscribed(event_types, p_type)
  ), event AS (
    INSERT INTO webhook_events (tenant_id, type, subject_id, data, source_key)
    SELECT p_tenant, p_type, p_subject, p_data, p_source WHERE EXISTS (SELECT 1 FROM subscribed)
    ON CONFLICT (tenant_id, source_key) WHERE source_key IS NOT NULL DO NOTHING
    RETURNING id
  )
  INSERT INTO webhook_deliveries (event_id, endpoint_id, tenant_id)
  SELECT event.id, subscribed.id, p_tenant FROM event CROSS JOIN subscribed
  RETURNING id
$$;

-- Masking events (session.*, inbound.*, pool.low_watermark) become webhook events in the
-- statement that records them (nothing is written for a tenant without a subscribed
-- endpoint); the dispatcher's sweep finds their deliveries due.
CREATE FUNCTION webhook_from_masking_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM webhook_emit(NEW.tenant_id, NEW.type, NEW.session_id,
    NEW.payload || jsonb_build_object('sessionId', NEW.session_id), 'masking_event:' || NEW.id);
  RETURN NULL;
END $$;
CREATE TRIGGER masking_events_to_webhooks AFTER INSERT ON masking_events
  FOR EACH ROW EXECUTE FUNCTION webhook_from_masking_event();

GRANT SELECT, INSERT, UPDATE, DELETE ON webhook_endpoints, webhook_secrets, webhook_events,
  webhook_deliveries, webhook_attempts TO maskline_app;
GRANT USAGE, SELECT ON SEQUENCE webhook_event_sequence TO maskline_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO maskline_app;
