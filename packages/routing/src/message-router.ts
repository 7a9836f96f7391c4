import {
  type CarrierSettings,
  countryOf,
  MasklineError,
  type MessageRoute,
  segmentInfo,
} from '@maskline/core';
import { chooseRoute } from './choose-route.js';
import type { RouteTable } from './route-table.js';
import type { CarrierHealth, CarrierProfile, MessageKind, Route } from './route-types.js';

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

/** What a host knows of a carrier's plugin (the worker does; the ingest may not). */
export interface CarrierCapabilitiesView {
  capabilitiesOf(carrierId: string): { unicode: boolean; concatenation: boolean } | null;
}

const DEFAULT_ROUTE_ID = 'default';

/**
 * Chooses a message's carrier from the cached route table, the configured carriers
 * (regions), their capabilities where known and the shared carrier health: at accept
 * (the ingest must pick a queue) and at failover (the worker, excluding those tried). With no
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
    private readonly capabilities?: CarrierCapabilitiesView,
  ) {
    this.carriers = new Map(carriers.map((c) => [c.id, c]));
  }

  /**
   * The decision for one message, or `no_route` / `route_residency_violation`. With
   * `orDown: false` (failover) a carrier that is down is never chosen.
   */
  route(message: RoutingMessage, exclude: readonly string[] = [], options = { orDown: true }): RoutedMessage {
    const tables = this.table.current();
    const configured = tables.routes.length > 0;
    const routes = configured ? tables.routes : [this.defaultRoute()];
    const segments = segmentInfo(message.body);
    const choose = (withHealth: boolean) =>
      chooseRoute({
        routes,
        carriers: this.profiles(routes, withHealth),
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
    // A carrier that is down is passed over while another can serve; when none can, the
    // message still goes to its route's carrier and waits there (or fails over later):
    // an outage delays, it does not refuse. With no routes, the default carrier's health
    // is not asked at all, as before routing existed.
    let decision = choose(configured);
    if (!decision.ok && configured && options.orDown) decision = choose(false);
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
   * Capabilities are the plugin's: the worker knows them; where unknown (null) the carrier
   * is taken as capable.
   */
  private profiles(routes: readonly Route[], withHealth: boolean): CarrierProfile[] {
    const ids = new Set(routes.map((r) => r.carrierId));
    return [...ids].map((id) => {
      const capable = this.capabilities?.capabilitiesOf(id) ?? null;
      return {
        id,
        regions: this.carriers.get(id)?.regions ?? [],
        unicode: capable?.unicode ?? null,
        concatenation: capable?.concatenation ?? null,
        health: withHealth ? (this.health?.healthOf(id) ?? 'unknown') : 'unknown',
      };
    });
  }
}
