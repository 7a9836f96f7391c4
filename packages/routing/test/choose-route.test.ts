import { describe, expect, it } from 'vitest';
import {
  type CarrierPrice,
  type CarrierProfile,
  chooseRoute,
  type MessageFacts,
  type Route,
  type RoutingInput,
} from '../src/index.js';

const facts: MessageFacts = {
  messageId: '0190a0b0-0000-7000-8000-000000000001',
  tenantId: 't1',
  destination: '447911123456',
  country: 'GB',
  kind: 'transactional',
  senderType: 'number',
  unicode: false,
  segments: 1,
};

function route(id: string, carrierId: string, extra: Partial<Route> = {}): Route {
  return {
    id,
    tenantId: null,
    prefix: null,
    country: null,
    kind: null,
    senderType: null,
    carrierId,
    priority: 100,
    weight: 1,
    strategy: 'priority',
    enabled: true,
    ...extra,
  };
}

function carrier(id: string, extra: Partial<CarrierProfile> = {}): CarrierProfile {
  return { id, regions: ['eu'], unicode: true, concatenation: true, health: 'unknown', ...extra };
}

const carriers = [carrier('a'), carrier('b'), carrier('c')];

function choose(routes: Route[], more: Partial<RoutingInput> = {}, f: Partial<MessageFacts> = {}) {
  return chooseRoute({
    routes,
    carriers,
    prices: [],
    allowedRegions: null,
    ...more,
    facts: { ...facts, ...f },
  });
}

function carrierOf(decision: ReturnType<typeof chooseRoute>): string {
  if (!decision.ok) throw new Error(`refused: ${decision.reason}`);
  return decision.carrierId;
}

describe('chooseRoute: matching', () => {
  it('refuses no_route when nothing matches', () => {
    expect(choose([route('r1', 'a', { prefix: '1' })])).toEqual({ ok: false, reason: 'no_route' });
  });

  it('skips disabled routes', () => {
    expect(choose([route('r1', 'a', { enabled: false })])).toEqual({ ok: false, reason: 'no_route' });
  });

  it('matches on kind and sender type', () => {
    const routes = [
      route('otp', 'a', { kind: 'otp' }),
      route('alpha', 'b', { senderType: 'alphanumeric' }),
      route('any', 'c', { priority: 999 }),
    ];
    expect(carrierOf(choose(routes, {}, { kind: 'otp' }))).toBe('a');
    expect(carrierOf(choose(routes, {}, { senderType: 'alphanumeric' }))).toBe('b');
    expect(carrierOf(choose(routes))).toBe('c');
  });

  it('ignores another tenant’s routes', () => {
    expect(choose([route('r1', 'a', { tenantId: 't2' })])).toEqual({ ok: false, reason: 'no_route' });
  });
});

describe('chooseRoute: most specific wins', () => {
  it('a tenant route beats a global one', () => {
    const routes = [route('g', 'a', { prefix: '4479', priority: 1 }), route('t', 'b', { tenantId: 't1' })];
    expect(carrierOf(choose(routes))).toBe('b');
  });

  it('a longer prefix beats a shorter one, whatever the priority', () => {
    const routes = [
      route('short', 'a', { prefix: '44', priority: 1 }),
      route('long', 'b', { prefix: '4479', priority: 9 }),
    ];
    expect(carrierOf(choose(routes))).toBe('b');
  });

  it('a prefix beats a country', () => {
    const routes = [route('cc', 'a', { country: 'GB' }), route('pfx', 'b', { prefix: '44' })];
    expect(carrierOf(choose(routes))).toBe('b');
  });

  it('a country beats a catch-all', () => {
    const routes = [route('all', 'a', { priority: 1 }), route('cc', 'b', { country: 'GB', priority: 9 })];
    expect(carrierOf(choose(routes))).toBe('b');
  });

  it('falls back to a less specific route when the specific carriers cannot serve', () => {
    const routes = [route('pfx', 'a', { prefix: '44' }), route('all', 'b')];
    expect(carrierOf(choose(routes, { exclude: ['a'] }))).toBe('b');
  });
});

describe('chooseRoute: eligibility', () => {
  it('never picks an excluded carrier', () => {
    const routes = [route('r1', 'a', { priority: 1 }), route('r2', 'b', { priority: 2 })];
    expect(carrierOf(choose(routes, { exclude: ['a'] }))).toBe('b');
    expect(choose(routes, { exclude: ['a', 'b'] })).toEqual({ ok: false, reason: 'no_route' });
  });

  it('skips a carrier that is down; unknown health is eligible', () => {
    const routes = [route('r1', 'a', { priority: 1 }), route('r2', 'b', { priority: 2 })];
    const down = [carrier('a', { health: 'down' }), carrier('b', { health: 'unknown' })];
    expect(carrierOf(choose(routes, { carriers: down }))).toBe('b');
  });

  it('skips a route to a carrier that is not configured', () => {
    expect(carrierOf(choose([route('r1', 'zz', { priority: 1 }), route('r2', 'b')]))).toBe('b');
  });

  it('never sends Unicode to a carrier without unicode', () => {
    const routes = [route('r1', 'a', { priority: 1 }), route('r2', 'b', { priority: 2 })];
    const list = [carrier('a', { unicode: false }), carrier('b')];
    expect(carrierOf(choose(routes, { carriers: list }, { unicode: true }))).toBe('b');
    expect(carrierOf(choose(routes, { carriers: list }, { unicode: false }))).toBe('a');
  });

  it('never sends a multi-segment message to a carrier without concatenation', () => {
    const routes = [route('r1', 'a', { priority: 1 }), route('r2', 'b', { priority: 2 })];
    const list = [carrier('a', { concatenation: false }), carrier('b')];
    expect(carrierOf(choose(routes, { carriers: list }, { segments: 2 }))).toBe('b');
    expect(carrierOf(choose(routes, { carriers: list }, { segments: 1 }))).toBe('a');
  });
});

describe('chooseRoute: residency', () => {
  const list = [
    carrier('a', { regions: ['us'] }),
    carrier('b', { regions: ['eu', 'uk'] }),
    carrier('c', { regions: [] }),
  ];

  it('keeps to the tenant’s allowed regions', () => {
    const routes = [route('r1', 'a', { priority: 1 }), route('r2', 'b', { priority: 2 })];
    expect(carrierOf(choose(routes, { carriers: list, allowedRegions: ['eu'] }))).toBe('b');
  });

  it('refuses route_residency_violation when every eligible route leaves them', () => {
    const routes = [route('r1', 'a'), route('r2', 'c')];
    expect(choose(routes, { carriers: list, allowedRegions: ['eu'] })).toEqual({
      ok: false,
      reason: 'route_residency_violation',
    });
  });

  it('says no_route, not residency, when no route matches at all', () => {
    expect(choose([route('r1', 'b', { prefix: '1' })], { carriers: list, allowedRegions: ['eu'] })).toEqual({
      ok: false,
      reason: 'no_route',
    });
  });
});

describe('chooseRoute: strategies', () => {
  it('priority: the lowest number wins', () => {
    const routes = [route('r1', 'a', { priority: 5 }), route('r2', 'b', { priority: 1 })];
    expect(choose(routes)).toMatchObject({ ok: true, carrierId: 'b', routeId: 'r2' });
  });

  it('weight: deterministic per message id and roughly proportional', () => {
    const routes = [
      route('r1', 'a', { strategy: 'weight', weight: 3 }),
      route('r2', 'b', { strategy: 'weight', weight: 1 }),
    ];
    const counts = { a: 0, b: 0 } as Record<string, number>;
    for (let i = 0; i < 4000; i++) {
      const messageId = `m-${i}`;
      const first = carrierOf(choose(routes, {}, { messageId }));
      expect(carrierOf(choose(routes, {}, { messageId }))).toBe(first);
      counts[first]! += 1;
    }
    expect(counts.a! / 4000).toBeGreaterThan(0.7);
    expect(counts.a! / 4000).toBeLessThan(0.8);
  });

  it('weight: a zero weight is never drawn', () => {
    const routes = [
      route('r1', 'a', { strategy: 'weight', weight: 0 }),
      route('r2', 'b', { strategy: 'weight', weight: 1 }),
    ];
    for (let i = 0; i < 200; i++) expect(carrierOf(choose(routes, {}, { messageId: `m-${i}` }))).toBe('b');
  });

  it('least_cost: the cheapest carrier for the destination, longest price prefix first', () => {
    const prices: CarrierPrice[] = [
      { carrierId: 'a', prefix: '44', priceMicros: 30_000, currency: 'EUR' },
      { carrierId: 'a', prefix: '4479', priceMicros: 10_000, currency: 'EUR' },
      { carrierId: 'b', prefix: '44', priceMicros: 20_000, currency: 'EUR' },
    ];
    const routes = [
      route('r1', 'a', { strategy: 'least_cost' }),
      route('r2', 'b', { strategy: 'least_cost' }),
    ];
    expect(choose(routes, { prices })).toMatchObject({
      carrierId: 'a',
      price: { micros: 10_000, currency: 'EUR' },
    });
    expect(choose(routes, { prices }, { destination: '447000000000' })).toMatchObject({ carrierId: 'b' });
  });

  it('least_cost: an unpriced carrier goes last', () => {
    const prices: CarrierPrice[] = [{ carrierId: 'b', prefix: '', priceMicros: 99_000, currency: 'EUR' }];
    const routes = [
      route('r1', 'a', { strategy: 'least_cost', priority: 1 }),
      route('r2', 'b', { strategy: 'least_cost', priority: 2 }),
    ];
    expect(carrierOf(choose(routes, { prices }))).toBe('b');
  });

  it('records the price of all segments, or null when unpriced', () => {
    const prices: CarrierPrice[] = [{ carrierId: 'a', prefix: '44', priceMicros: 7_000, currency: 'GBP' }];
    expect(choose([route('r1', 'a')], { prices }, { segments: 3 })).toMatchObject({
      price: { micros: 21_000, currency: 'GBP' },
    });
    expect(choose([route('r1', 'b')], { prices })).toMatchObject({ price: null });
  });
});
