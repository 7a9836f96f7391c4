import { messagePrice, unitPrice } from './prices.js';
import { matchTiers } from './route-match.js';
import type { CarrierProfile, MessageFacts, Route, RoutingDecision, RoutingInput } from './route-types.js';

type Eligibility = 'eligible' | 'residency' | 'ineligible';

/**
 * Chooses the carrier for one message. The most specific group of matching routes that
 * has an eligible carrier wins (a less specific group serves only when every carrier of
 * the more specific ones is excluded, down, incapable or outside the tenant's regions).
 * Within the group, the strategy of its first route (lowest priority) picks: `priority`
 * the lowest priority, `weight` a weighted draw fixed by the message id (a retry draws
 * the same), `least_cost` the cheapest price for the destination (unpriced last).
 * Refuses with `route_residency_violation` when some route would serve but only through
 * carriers outside the tenant's allowed regions, else `no_route`.
 */
export function chooseRoute(input: RoutingInput): RoutingDecision {
  const { facts } = input;
  const carriers = new Map(input.carriers.map((c) => [c.id, c]));
  const excluded = new Set(input.exclude ?? []);
  let residencyBlocked = false;
  for (const tier of matchTiers(input.routes, facts)) {
    const eligible: Route[] = [];
    for (const route of tier) {
      const verdict = eligibility(carriers.get(route.carrierId), excluded, input.allowedRegions, facts);
      if (verdict === 'eligible') eligible.push(route);
      else if (verdict === 'residency') residencyBlocked = true;
    }
    if (eligible.length === 0) continue;
    const route = pick(eligible, input);
    return {
      ok: true,
      carrierId: route.carrierId,
      routeId: route.id,
      price: messagePrice(input.prices, route.carrierId, facts.destination, facts.segments),
    };
  }
  return { ok: false, reason: residencyBlocked ? 'route_residency_violation' : 'no_route' };
}

function eligibility(
  carrier: CarrierProfile | undefined,
  excluded: ReadonlySet<string>,
  allowedRegions: readonly string[] | null,
  facts: MessageFacts,
): Eligibility {
  if (!carrier || excluded.has(carrier.id) || carrier.health === 'down') return 'ineligible';
  if (facts.unicode && carrier.unicode === false) return 'ineligible';
  if (facts.segments > 1 && carrier.concatenation === false) return 'ineligible';
  if (allowedRegions !== null && !carrier.regions.some((r) => allowedRegions.includes(r))) {
    return 'residency';
  }
  return 'eligible';
}

function byPriority(a: Route, b: Route): number {
  return a.priority - b.priority || a.carrierId.localeCompare(b.carrierId) || a.id.localeCompare(b.id);
}

function pick(eligible: Route[], input: RoutingInput): Route {
  const sorted = [...eligible].sort(byPriority);
  const first = sorted[0]!;
  switch (first.strategy) {
    case 'priority':
      return first;
    case 'weight':
      return weighted(sorted, input.facts.messageId) ?? first;
    case 'least_cost':
      return cheapest(sorted, input);
  }
}

/** A weighted draw whose outcome depends only on the message id and the candidates. */
function weighted(routes: Route[], messageId: string): Route | undefined {
  const total = routes.reduce((sum, r) => sum + Math.max(0, r.weight), 0);
  if (total <= 0) return undefined;
  let point = fnv1a(messageId) % total;
  for (const route of routes) {
    point -= Math.max(0, route.weight);
    if (point < 0) return route;
  }
  return undefined;
}

function cheapest(routes: Route[], input: RoutingInput): Route {
  const priced = routes.map((route) => ({
    route,
    unit: unitPrice(input.prices, route.carrierId, input.facts.destination)?.priceMicros ?? Infinity,
  }));
  // Stable sort: equal prices keep the priority order.
  priced.sort((a, b) => (a.unit === b.unit ? 0 : a.unit < b.unit ? -1 : 1));
  return priced[0]!.route;
}

/** 32-bit FNV-1a: a fast, stable hash (not for security). */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
