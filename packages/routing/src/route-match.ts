import type { MessageFacts, Route } from './route-types.js';

/** True when every non-null match field of the route fits the message. */
export function routeMatches(route: Route, facts: MessageFacts): boolean {
  return (
    route.enabled &&
    (route.tenantId === null || route.tenantId === facts.tenantId) &&
    (route.prefix === null || facts.destination.startsWith(route.prefix)) &&
    (route.country === null || route.country === facts.country) &&
    (route.kind === null || route.kind === facts.kind) &&
    (route.senderType === null || route.senderType === facts.senderType)
  );
}

/**
 * How specific a route is, compared field by field (greater wins): a tenant's own route
 * before a global one, then a longer prefix before a shorter (any prefix before a country
 * alone), then a country, then a named kind, then a named sender type.
 */
export function specificity(route: Route): readonly number[] {
  return [
    route.tenantId === null ? 0 : 1,
    route.prefix?.length ?? 0,
    route.country === null ? 0 : 1,
    route.kind === null ? 0 : 1,
    route.senderType === null ? 0 : 1,
  ];
}

export function compareSpecificity(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) {
    const d = (b[i] ?? 0) - (a[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Matching routes grouped by specificity, most specific group first. */
export function matchTiers(routes: readonly Route[], facts: MessageFacts): Route[][] {
  const tiers = new Map<string, { key: readonly number[]; routes: Route[] }>();
  for (const route of routes) {
    if (!routeMatches(route, facts)) continue;
    const key = specificity(route);
    const id = key.join(',');
    const tier = tiers.get(id) ?? { key, routes: [] };
    tier.routes.push(route);
    tiers.set(id, tier);
  }
  return [...tiers.values()].sort((a, b) => compareSpecificity(a.key, b.key)).map((t) => t.routes);
}
