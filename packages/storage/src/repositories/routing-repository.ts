import { uuidv7 } from '@maskline/core';
import type {
  CarrierPrice,
  MessageKind,
  Route,
  RouteStrategy,
  RoutingTables,
  SenderType,
} from '@maskline/routing';
import type pg from 'pg';

export type NewRoute = Omit<Route, 'id'>;

interface RouteRow {
  id: string;
  tenant_id: string | null;
  prefix: string | null;
  country: string | null;
  kind: MessageKind | null;
  sender_type: SenderType | null;
  carrier_id: string;
  priority: number;
  weight: number;
  strategy: RouteStrategy;
  enabled: boolean;
}

const ROUTE_COLUMNS =
  'id, tenant_id, prefix, country, kind, sender_type, carrier_id, priority, weight, strategy, enabled';

function toRoute(row: RouteRow): Route {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    prefix: row.prefix,
    country: row.country,
    kind: row.kind,
    senderType: row.sender_type,
    carrierId: row.carrier_id,
    priority: row.priority,
    weight: row.weight,
    strategy: row.strategy,
    enabled: row.enabled,
  };
}

interface PriceRow {
  carrier_id: string;
  prefix: string;
  price_micros: string;
  currency: string;
}

function toPrice(row: PriceRow): CarrierPrice {
  return {
    carrierId: row.carrier_id,
    prefix: row.prefix,
    priceMicros: Number(row.price_micros),
    currency: row.currency,
  };
}

/**
 * Routes, carrier prices and tenant residency policies (migration 0021). Routes of one
 * tenant are managed through that tenant's API keys; global routes (tenant NULL) only by
 * operators through the CLI.
 */
export class RoutingRepository {
  constructor(private readonly pool: pg.Pool) {}

  async loadAll(): Promise<RoutingTables> {
    const [routes, prices, residency] = await Promise.all([
      this.pool.query<RouteRow>(`SELECT ${ROUTE_COLUMNS} FROM routes`),
      this.pool.query<PriceRow>('SELECT carrier_id, prefix, price_micros, currency FROM carrier_prices'),
      this.pool.query<{ tenant_id: string; allowed_regions: string[] }>(
        'SELECT tenant_id, allowed_regions FROM tenant_residency',
      ),
    ]);
    return {
      routes: routes.rows.map(toRoute),
      prices: prices.rows.map(toPrice),
      residency: new Map(residency.rows.map((r) => [r.tenant_id, r.allowed_regions])),
    };
  }

  /** A tenant's own routes and, with `withGlobal`, the routes for every tenant. */
  async listRoutes(tenantId: string | null, withGlobal = true): Promise<Route[]> {
    const result = await this.pool.query<RouteRow>(
      `SELECT ${ROUTE_COLUMNS} FROM routes
       WHERE tenant_id IS NOT DISTINCT FROM $1 OR ($2 AND tenant_id IS NULL)
       ORDER BY tenant_id NULLS LAST, priority, id`,
      [tenantId, withGlobal],
    );
    return result.rows.map(toRoute);
  }

  async createRoute(route: NewRoute, id: string = uuidv7()): Promise<Route> {
    const result = await this.pool.query<RouteRow>(
      `INSERT INTO routes (id, tenant_id, prefix, country, kind, sender_type, carrier_id, priority, weight,
                           strategy, enabled)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING ${ROUTE_COLUMNS}`,
      [
        id,
        route.tenantId,
        route.prefix,
        route.country,
        route.kind,
        route.senderType,
        route.carrierId,
        route.priority,
        route.weight,
        route.strategy,
        route.enabled,
      ],
    );
    return toRoute(result.rows[0]!);
  }

  /** Replaces a route's fields; null when no such route of this owner (tenant or global). */
  async updateRoute(
    owner: string | null,
    id: string,
    route: Omit<NewRoute, 'tenantId'>,
  ): Promise<Route | null> {
    const result = await this.pool.query<RouteRow>(
      `UPDATE routes SET prefix = $3, country = $4, kind = $5, sender_type = $6, carrier_id = $7,
                         priority = $8, weight = $9, strategy = $10, enabled = $11, updated_at = now()
       WHERE id = $1 AND tenant_id IS NOT DISTINCT FROM $2 RETURNING ${ROUTE_COLUMNS}`,
      [
        id,
        owner,
        route.prefix,
        route.country,
        route.kind,
        route.senderType,
        route.carrierId,
        route.priority,
        route.weight,
        route.strategy,
        route.enabled,
      ],
    );
    return result.rows[0] ? toRoute(result.rows[0]) : null;
  }

  async deleteRoute(owner: string | null, id: string): Promise<boolean> {
    const result = await this.pool.query(
      'DELETE FROM routes WHERE id = $1 AND tenant_id IS NOT DISTINCT FROM $2',
      [id, owner],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async listPrices(carrierId?: string): Promise<CarrierPrice[]> {
    const result = await this.pool.query<PriceRow>(
      `SELECT carrier_id, prefix, price_micros, currency FROM carrier_prices
       WHERE $1::text IS NULL OR carrier_id = $1 ORDER BY carrier_id, prefix`,
      [carrierId ?? null],
    );
    return result.rows.map(toPrice);
  }

  async setPrice(price: CarrierPrice): Promise<void> {
    await this.pool.query(
      `INSERT INTO carrier_prices (carrier_id, prefix, price_micros, currency) VALUES ($1, $2, $3, $4)
       ON CONFLICT (carrier_id, prefix)
       DO UPDATE SET price_micros = EXCLUDED.price_micros, currency = EXCLUDED.currency, updated_at = now()`,
      [price.carrierId, price.prefix, price.priceMicros, price.currency],
    );
  }

  async deletePrice(carrierId: string, prefix: string): Promise<boolean> {
    const result = await this.pool.query('DELETE FROM carrier_prices WHERE carrier_id = $1 AND prefix = $2', [
      carrierId,
      prefix,
    ]);
    return (result.rowCount ?? 0) > 0;
  }

  async residencyOf(tenantId: string): Promise<string[] | null> {
    const result = await this.pool.query<{ allowed_regions: string[] }>(
      'SELECT allowed_regions FROM tenant_residency WHERE tenant_id = $1',
      [tenantId],
    );
    return result.rows[0]?.allowed_regions ?? null;
  }

  /** Sets the tenant's allowed regions; null removes the policy. */
  async setResidency(tenantId: string, regions: readonly string[] | null): Promise<void> {
    if (regions === null) {
      await this.pool.query('DELETE FROM tenant_residency WHERE tenant_id = $1', [tenantId]);
      return;
    }
    await this.pool.query(
      `INSERT INTO tenant_residency (tenant_id, allowed_regions) VALUES ($1, $2)
       ON CONFLICT (tenant_id) DO UPDATE SET allowed_regions = EXCLUDED.allowed_regions, updated_at = now()`,
      [tenantId, regions],
    );
  }
}
