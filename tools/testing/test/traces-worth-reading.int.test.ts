import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CollectedSpan } from '../src/otlp-collector.js';
import { inParallel, StackFixture } from '../src/stack-fixture.js';

const SERVER = 2;
const N = 30;

/**
 * The trace store an SRE reads: through the three real apps, N messages make about N
 * traces (one per message flow), however often the background loops (reconciler, sweeps,
 * route refresh, Redis-loss watch, expiry and webhook sweeps) poll meanwhile. No query
 * starts a trace of its own, HTTP server spans carry their route template, and no span
 * attribute holds a number or a body.
 */
describe('traces worth reading', () => {
  // Every loop polls several times a second, so a few seconds are many idle cycles.
  const fast = { ROUTES_REFRESH_MS: '300', REDIS_LOSS_CHECK_MS: '300' };
  const stack = new StackFixture({
    redisUrl: inject('redisUrl'),
    postgresUrl: inject('postgresUrl'),
    logLevel: 'info',
    ingestEnv: { ...fast, RECONCILE_INTERVAL_MS: '300', RECONCILE_AFTER_MS: '1000' },
    workerEnv: fast,
    receiptEnv: { ...fast, SWEEP_INTERVAL_MS: '300', MASKING_SWEEP_INTERVAL_MS: '300' },
  });
  const numbers = Array.from({ length: N }, (_, i) => `+4479112${String(100000 + i).slice(1)}`);
  const bodyOf = (i: number) => `Trace body ${i} qv${i}w code 58${String(i).padStart(3, '0')}17`;
  let ids: string[] = [];

  beforeAll(async () => {
    await stack.start();
    const responses = await inParallel(numbers, 10, (to, i) =>
      stack.send({ to, from: 'Maskline', body: bodyOf(i) }),
    );
    expect(responses.map((r) => r.status)).toEqual(numbers.map(() => 202));
    ids = responses.map((r) => String(r.body.id));
    const statuses = await stack.waitForStatus(ids, ['delivered']);
    expect([...statuses.values()].filter((s) => s === 'delivered')).toHaveLength(N);
    // A read by id, and a list whose query string carries a number (the client's free text).
    expect((await stack.api('GET', `/v1/messages/${ids[0]}`)).status).toBe(200);
    await stack.api(
      'GET',
      `/v1/messages?limit=1&to=${encodeURIComponent(numbers[1]!)}&q=${numbers[2]!.slice(1)}`,
    );
    // Let every loop run many idle cycles, then the batch span processors flush (500 ms).
    await new Promise((r) => setTimeout(r, 4_000));
    await waitForReceiptSpans(stack.collector.spans, ids);
  }, 120_000);
  afterAll(async () => {
    await stack.stop();
  });

  it('makes one trace per message flow, and no trace per background query', () => {
    const spans = stack.collector.spans;
    const roots = spans.filter((s) => !s.parentSpanId);
    const rootTraces = new Set(roots.map((s) => s.traceId));
    const byName = countBy(roots, (s) => `${s.service}:${s.name}`);
    console.log(`traces: ${rootTraces.size} root traces, ${spans.length} spans for ${N} messages`, byName);

    for (const id of ids) {
      const traces = new Set(
        spans.filter((s) => s.attributes['maskline.message.id'] === id).map((s) => s.traceId),
      );
      expect(traces.size, `message ${id} in one trace`).toBe(1);
    }
    // N message flows; a background cycle that did work may add its own (a few at most).
    expect(rootTraces.size).toBeGreaterThanOrEqual(N + 2);
    expect(rootTraces.size).toBeLessThanOrEqual(N + 2 + 5); // + the two GETs
    const cycles = roots.filter((s) => s.kind !== SERVER);
    for (const cycle of cycles) expect(cycle.name).toMatch(/^maskline\.[\w-]+\.cycle$/);
  });

  it('never starts a trace with a database or Redis span', () => {
    const roots = stack.collector.spans.filter((s) => !s.parentSpanId);
    const dbRoots = roots.filter(
      (s) => 'db.system' in s.attributes || 'db.system.name' in s.attributes || /^(pg|redis)/i.test(s.name),
    );
    expect(dbRoots.map((s) => `${s.service}:${s.name}`)).toEqual([]);
  });

  it('names every HTTP server span by its method and route template', () => {
    const servers = stack.collector.spans.filter((s) => s.kind === SERVER);
    expect(servers.length).toBeGreaterThanOrEqual(N);
    for (const span of servers) {
      const route = span.attributes['http.route'];
      expect(route, span.name).toEqual(expect.stringMatching(/^\//));
      expect(span.name).toBe(`${span.attributes['http.request.method']} ${route}`);
      for (const id of ids) expect(span.name).not.toContain(id);
    }
    const names = new Set(servers.map((s) => s.name));
    expect([...names].sort()).toEqual(['GET /v1/messages', 'GET /v1/messages/:id', 'POST /v1/messages']);
    expect(servers.find((s) => s.attributes['url.query'])?.attributes['url.query']).toBe('redacted');
  });

  it('gives queue consumers the messaging attributes and no number or body anywhere', () => {
    const spans = stack.collector.spans;
    const deliver = spans.filter((s) => s.name === 'maskline.deliver');
    expect(deliver.length).toBeGreaterThanOrEqual(N);
    for (const span of deliver) {
      expect(span.attributes).toMatchObject({
        'messaging.system': 'bullmq',
        'messaging.destination.name': 'deliver-sim',
        'messaging.operation.type': 'process',
        'maskline.carrier': 'sim',
      });
    }
    // The raw export too, its timestamps and ids blanked (digits and hex that may match by chance).
    const raw = stack.collector.rawBodies
      .join('\n')
      .replace(/"(\w*TimeUnixNano|traceId|spanId|parentSpanId)":("[0-9a-f]*"|\d+)/gi, '"$1":""');
    const text = `${JSON.stringify(spans.map((s) => [s.name, s.attributes]))}\n${raw}`;
    for (const [i, number] of numbers.entries()) {
      for (const raw of [
        number,
        number.slice(1),
        number.slice(3),
        bodyOf(i),
        `58${String(i).padStart(3, '0')}17`,
      ]) {
        expect(text).not.toContain(raw);
      }
    }
  });
});

function countBy<T>(items: T[], key: (item: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return out;
}

async function waitForReceiptSpans(spans: CollectedSpan[], ids: string[]): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const seen = new Set(
      spans.filter((s) => s.name === 'maskline.receipt').map((s) => s.attributes['maskline.message.id']),
    );
    if (ids.every((id) => seen.has(id))) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}
