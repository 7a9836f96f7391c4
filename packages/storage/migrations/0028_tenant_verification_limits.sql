-- A tenant's own verification abuse limits (docs/verifications.md#limits). A NULL column
-- means "the deployment's default" (the VERIFICATION_LIMIT_* settings); 0 means no limit.
CREATE TABLE tenant_verification_limits (
  tenant_id              uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
  per_destination_minute integer CHECK (per_destination_minute >= 0),
  per_destination_hour   integer CHECK (per_destination_hour >= 0),
  per_destination_day    integer CHECK (per_destination_day >= 0),
  per_tenant_hour        integer CHECK (per_tenant_hour >= 0),
  per_range_hour         integer CHECK (per_range_hour >= 0),
  per_country_hour       integer CHECK (per_country_hour >= 0),
  updated_at             timestamptz NOT NULL DEFAULT now()
);

GRANT SELECT, INSERT, UPDATE, DELETE ON tenant_verification_limits TO maskline_app;
