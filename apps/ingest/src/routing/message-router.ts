import {
  type CarrierSettings,
  countryOf,
  MasklineError,
  type MessageRoute,
  segmentInfo,
} from '@maskline/core';
import {
  type CarrierHealth,
  type CarrierProfile,
  chooseRoute,
  type MessageKind,
  type Route,
} from '@maskline/routing';
import type { RouteTable } from './route-table.js';

/** Where one message goes: its carrier and the route that chose it (null: the default carrier). */
export interface RoutedMessage {
  carrierId: string;
  route: MessageRoute | null;
}

export interface RoutingMessage {
  id: string;
  tenantId: string;
  to: string;
  from: string;
  body: string;
  kind: MessageKind;
}

/** Reads the shared carrier health (absent: every carrier "unknown", i.e. eligible). */
export interface CarrierHealthView {
  healthOf(carrierId: string): CarrierHealth;
}

const DEFAULT_ROUTE_ID = 'default';

/**
 * Chooses a message's carrier at accept (the ingest must pick its queue) from the cached
 * route table, the configured carriers (regions) and the shared carrier health. With no
 * routes configured, DEFAULT_CARRIER is the one route: every message goes there, as before
 * routing existed, but a tenant's residency policy still applies to it.
 */
export class MessageRouter {
  private readonly carriers: ReadonlyMap<string, CarrierSettings>;

  constructor(
    private readonly table: RouteTable,
    carriers: readonly CarrierSettings[],
    private readonly defaultCarrier: string,
    private readonly health?: CarrierHealthView,
  ) {
    this.carriers = new Map(carriers.map((c) => [c.id, c]));
  }

  /** The decision for one message, or `no_route` / `route_residency_violation`. */
  route(message: RoutingMessage, exclude: readonly string[] = []): RoutedMessage {
    const tables = this.table.current();
    const configured = tables.routes.length > 0;
    const routes = configured ? tables.routes : [this.defaultRoute()];
    const segments = segmentInfo(message.body);
    const decision = chooseRoute({
      routes,
      carriers: this.profiles(routes),
      prices: tables.prices,
      allowedRegions: tables.residency.get(message.tenantId) ?? null,
      exclude,
      facts: {
        messageId: message.id,
        tenantId: message.tenantId,
        destination: message.to.replace(/^\+/, ''),
        country: countryOf(message.to),
        kind: message.kind,
        senderType: message.from.startsWith('+') ? 'number' : 'alphanumeric',
        unicode: segments.encoding === 'ucs2',
        segments: segments.segments,
      },
    });
    if (!decision.ok) throw new MasklineError(decision.reason);
    if (!configured) return { carrierId: decision.carrierId, route: null };
    return { carrierId: decision.carrierId, route: { id: decision.routeId, price: decision.price } };
  }

  private defaultRoute(): Route {
    return {
      id: DEFAULT_ROUTE_ID,
      tenantId: null,
      prefix: null,
      country: null,
      kind: null,
      senderType: null,
      carrierId: this.defaultCarrier,
      priority: 0,
      weight: 1,
      strategy: 'priority',
      enabled: true,
    };
  }

  /**
   * A profile for each carrier the routes name. A carrier missing from CARRIERS is still
   * routable (the ingest may run without the list; the worker checks it), with no regions.
   * Capabilities are the plugin's, known to the worker: unknown here (null), so honoured
   * by the worker at delivery.
   */
  private profiles(routes: readonly Route[]): CarrierProfile[] {
    const ids = new Set(routes.map((r) => r.carrierId));
    return [...ids].map((id) => ({
      id,
      regions: this.carriers.get(id)?.regions ?? [],
      unicode: null,
      concatenation: null,
      health: this.health?.healthOf(id) ?? 'unknown',
    }));
  }
}
