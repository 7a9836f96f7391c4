-- Routing as data (docs/routing.md): which carrier serves which messages, what each carrier
-- charges by destination prefix, and which regions each tenant's traffic may leave through.
-- The ingest caches all three in memory and refreshes them every few seconds.

-- One routing rule. A NULL match column matches anything; tenant_id NULL serves every tenant.
-- No foreign key to carriers: carriers are configuration (CARRIERS), not rows; a route to a
-- carrier that is not configured is skipped by the router.
CREATE TABLE routes (
  id          uuid PRIMARY KEY,
  tenant_id   uuid REFERENCES tenants (id) ON DELETE CASCADE,
  prefix      text CHECK (prefix ~ '^[0-9]{1,15}$'),
  country     text CHECK (country ~ '^[A-Z]{2}$'),
  kind        text CHECK (kind IN ('otp', 'transactional', 'marketing', 'masking_relay')),
  sender_type text CHECK (sender_type IN ('alphanumeric', 'number')),
  carrier_id  text NOT NULL CHECK (carrier_id ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
  priority    integer NOT NULL DEFAULT 100,
  weight      integer NOT NULL DEFAULT 1 CHECK (weight >= 0),
  strategy    text NOT NULL DEFAULT 'priority' CHECK (strategy IN ('priority', 'weight', 'least_cost')),
  enabled     boolean NOT NULL DEFAULT true,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX routes_tenant ON routes (tenant_id);

-- Per-segment price of a carrier for destinations under a prefix ('' = everywhere); the
-- longest matching prefix wins. Micro-units of the currency: exact integers, no floats.
CREATE TABLE carrier_prices (
  carrier_id   text NOT NULL CHECK (carrier_id ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
  prefix       text NOT NULL CHECK (prefix ~ '^[0-9]{0,15}$'),
  price_micros bigint NOT NULL CHECK (price_micros >= 0),
  currency     text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (carrier_id, prefix)
);

-- A tenant's data-residency policy: its messages leave only through carriers that declare
-- one of these regions. No row: no policy.
CREATE TABLE tenant_residency (
  tenant_id       uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
  allowed_regions text[] NOT NULL,
  updated_at      timestamptz NOT NULL DEFAULT now()
);

-- The message's kind and its routing decision: the route that chose the carrier, the price
-- (all segments) and every carrier tried so far (failover never goes back to one).
-- Nullable, no default: adding them rewrites nothing.
ALTER TABLE messages
  ADD COLUMN kind text,
  ADD COLUMN route_id uuid,
  ADD COLUMN price_micros bigint,
  ADD COLUMN price_currency text,
  ADD COLUMN carriers_tried text[],
  -- Set after an ambiguous failure (the carrier may have taken it): never failed over.
  -- A constant default is kept in the catalogue: no rewrite either.
  ADD COLUMN carrier_pinned boolean NOT NULL DEFAULT false;

GRANT SELECT, INSERT, UPDATE, DELETE ON routes, carrier_prices, tenant_residency TO maskline_app;
