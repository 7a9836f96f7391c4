import { randomUUID } from 'node:crypto';
import type { LogFields, Logger } from '@maskline/core';
import { ApiKeyRepository } from '@maskline/storage';
import { CuttableLink, TEST_PEPPER } from '@maskline/testing';
import { metrics } from '@opentelemetry/api';
import { AggregationTemporality, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.js';

/** Collects the metrics on demand (what a Prometheus scrape would read). */
class TestReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}
}

const THRESHOLD = 5;
const WINDOW_MS = 60_000;
const ADDRESS = '203.0.113.77';
const SOME_ID = '01a23b63-0000-7000-8000-000000000000';
const BODY = 'Anomaly canary body 5521';
const gbNumber = (i: number) => `+4474001${String(23_000 + i).padStart(5, '0')}`;
const frNumber = (i: number) => `+336123${String(45_000 + i).padStart(5, '0')}`;

const lines: { fields: LogFields; message: string }[] = [];
const recording: Logger = {
  debug: () => {},
  info: () => {},
  warn: (fields, message) => void lines.push({ fields, message }),
  error: (fields, message) => void lines.push({ fields, message }),
  child: () => recording,
};

/**
 * Each anomaly detector through the real app (fastify inject) on real PostgreSQL and Redis:
 * the request that reaches the threshold raises exactly one alert (one `security.alert`
 * event with one delivery, one metric increment, one log line), however many follow in the
 * window; below the threshold nothing. No alert carries a number, body or raw address.
 */
describe('anomaly alerts (real app, PostgreSQL, Redis)', () => {
  let t: TestApp;
  const reader = new TestReader();

  beforeAll(async () => {
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
    const window = { threshold: THRESHOLD, windowMs: WINDOW_MS };
    t = await startTestApp({
      rateLimitPerMinute: 100_000,
      authFailureLimitPerMinute: 1_000,
      logger: recording,
      anomalies: {
        reveals: window,
        listing: window,
        authFailures: window,
        newCountries: { ...window, lookbackMs: 86_400_000, learningMs: 0 },
      },
    });
    await t.db.pool.query(
      `INSERT INTO webhook_endpoints (id, tenant_id, url, event_types) VALUES ($1, $2, 'https://hooks.example/s', '{security.*}')`,
      [randomUUID(), t.tenantId],
    );
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  const as = { authorization: () => `Bearer ${t.apiKey}` };
  const alerts = async (kind: string) =>
    (
      await t.db.pool.query<{ data: Record<string, unknown>; deliveries: number }>(
        `SELECT e.data, (SELECT count(*)::int FROM webhook_deliveries d WHERE d.event_id = e.id) AS deliveries
         FROM webhook_events e WHERE e.tenant_id = $1 AND e.type = 'security.alert' AND e.data->>'kind' = $2`,
        [t.tenantId, kind],
      )
    ).rows;
  const metricCount = async (kind: string) => {
    const { resourceMetrics } = await reader.collect();
    const metric = resourceMetrics.scopeMetrics
      .flatMap((s) => s.metrics)
      .find((m) => m.descriptor.name === 'maskline.security.alerts');
    const point = metric?.dataPoints.find((p) => p.attributes.kind === kind);
    return Number(point?.value ?? 0);
  };
  const logged = (kind: string) =>
    lines.filter((l) => l.message === 'security alert' && l.fields.alert === kind);
  async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > end) throw new Error('condition not met in time');
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  /** Lets work that runs after the answer (onResponse hooks, the accept observer) finish. */
  const settle = () => new Promise((r) => setTimeout(r, 300));

  it('reveal burst: the threshold-th reveal request of a principal alerts once', async () => {
    const reveal = () =>
      t.app.inject({
        method: 'POST',
        url: `/v1/messages/${SOME_ID}/reveal`,
        headers: { authorization: as.authorization() },
      });
    for (let i = 0; i < THRESHOLD - 1; i += 1) expect((await reveal()).statusCode).toBe(403);
    await settle();
    expect(await alerts('reveal_burst')).toEqual([]);
    expect(await metricCount('reveal_burst')).toBe(0);

    for (let i = 0; i < 10; i += 1) await reveal();
    await eventually(async () => (await alerts('reveal_burst')).length === 1);
    await settle();
    const rows = await alerts('reveal_burst');
    expect(rows).toEqual([
      {
        data: {
          kind: 'reveal_burst',
          principal: expect.stringMatching(/^api_key:[0-9a-f-]{36}$/),
          count: THRESHOLD,
          threshold: THRESHOLD,
          windowSeconds: WINDOW_MS / 1000,
        },
        deliveries: 1,
      },
    ]);
    expect(await metricCount('reveal_burst')).toBe(1);
    expect(logged('reveal_burst')).toHaveLength(1);
  });

  it('mass listing: the threshold-th page read by a principal alerts once', async () => {
    const list = () =>
      t.app.inject({
        method: 'GET',
        url: '/v1/messages?limit=1',
        headers: { authorization: as.authorization() },
      });
    for (let i = 0; i < THRESHOLD - 1; i += 1) expect((await list()).statusCode).toBe(200);
    await settle();
    expect(await alerts('mass_listing')).toEqual([]);
    expect(await metricCount('mass_listing')).toBe(0);

    for (let i = 0; i < 10; i += 1) await list();
    await eventually(async () => (await alerts('mass_listing')).length === 1);
    await settle();
    const rows = await alerts('mass_listing');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toEqual({
      data: {
        kind: 'mass_listing',
        principal: expect.stringMatching(/^api_key:/),
        count: THRESHOLD,
        threshold: THRESHOLD,
        windowSeconds: WINDOW_MS / 1000,
      },
      deliveries: 1,
    });
    expect(await metricCount('mass_listing')).toBe(1);
  });

  it('auth failures: the threshold-th failure from an address alerts once, naming it only as a keyed hash', async () => {
    const bad = () =>
      t.app.inject({
        method: 'GET',
        url: '/v1/messages',
        remoteAddress: ADDRESS,
        headers: { authorization: `Bearer ml_test_${'x'.repeat(40)}` },
      });
    for (let i = 0; i < THRESHOLD - 1; i += 1) expect((await bad()).statusCode).toBe(401);
    await settle();
    expect(await metricCount('auth_failures')).toBe(0);
    expect(logged('auth_failures')).toEqual([]);

    for (let i = 0; i < 10; i += 1) expect((await bad()).statusCode).toBe(401);
    await eventually(async () => (await metricCount('auth_failures')) === 1);
    await settle();
    expect(await metricCount('auth_failures')).toBe(1);
    const [line, ...more] = logged('auth_failures');
    expect(more).toEqual([]);
    expect(line?.fields).toEqual({
      alert: 'auth_failures',
      address: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      failures: THRESHOLD,
      threshold: THRESHOLD,
      windowSeconds: WINDOW_MS / 1000,
    });
    expect(JSON.stringify(line)).not.toContain(ADDRESS);
    // No tenant to tell: no webhook event.
    const events = await t.db.pool.query(
      `SELECT 1 FROM webhook_events WHERE data->>'kind' = 'auth_failures'`,
    );
    expect(events.rowCount).toBe(0);
  });

  it('new destination country: the threshold-th message to a country new to the tenant alerts once', async () => {
    const send = (to: string) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/messages',
        headers: { authorization: as.authorization(), 'content-type': 'application/json' },
        payload: { to, from: 'Maskline', body: BODY },
      });
    // Below the threshold, in two countries: nothing.
    for (let i = 0; i < THRESHOLD - 1; i += 1) expect((await send(gbNumber(i))).statusCode).toBe(202);
    for (let i = 0; i < THRESHOLD - 2; i += 1) expect((await send(frNumber(i))).statusCode).toBe(202);
    await settle();
    expect(await alerts('new_destination_country')).toEqual([]);
    expect(await metricCount('new_destination_country')).toBe(0);

    // GB reaches it (in concurrent requests, so batches of several): one alert for GB only.
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => send(gbNumber(100 + i))));
    expect(answers.every((a) => a.statusCode === 202)).toBe(true);
    await eventually(async () => (await alerts('new_destination_country')).length === 1);
    await settle();
    const rows = await alerts('new_destination_country');
    expect(rows).toEqual([
      {
        data: {
          kind: 'new_destination_country',
          country: 'GB',
          messages: expect.any(Number),
          threshold: THRESHOLD,
          windowSeconds: WINDOW_MS / 1000,
          lookbackDays: 1,
        },
        deliveries: 1,
      },
    ]);
    expect(rows[0]?.data.messages).toBeGreaterThanOrEqual(THRESHOLD);
    expect(await metricCount('new_destination_country')).toBe(1);
  });

  it('does not watch sandbox messages (ml_test_ keys)', async () => {
    const { apiKey: testKey } = await new ApiKeyRepository(t.db.pool, TEST_PEPPER).create(
      t.tenantId,
      'ci',
      'test',
    );
    for (let i = 0; i < THRESHOLD + 3; i += 1) {
      const sent = await t.app.inject({
        method: 'POST',
        url: '/v1/messages',
        headers: { authorization: `Bearer ${testKey}`, 'content-type': 'application/json' },
        payload: { to: `+49151123${String(45_100 + i)}`, from: 'Maskline', body: BODY },
      });
      expect(sent.statusCode).toBe(202);
    }
    await settle();
    expect((await alerts('new_destination_country')).map((a) => a.data.country)).toEqual(['GB']);
  });

  it('never puts a number, body or address in an alert event or log line', async () => {
    const all = await t.db.pool.query(`SELECT data FROM webhook_events WHERE type = 'security.alert'`);
    const text = JSON.stringify(all.rows) + JSON.stringify(lines);
    expect(all.rowCount).toBe(3);
    for (const raw of [gbNumber(0).slice(1), gbNumber(0).slice(3), frNumber(0).slice(1), BODY, ADDRESS]) {
      expect(text).not.toContain(raw);
    }
  });
});

describe('anomaly detectors with Redis away (real app, PostgreSQL, Redis through a cuttable link)', () => {
  let t: TestApp;
  let link: CuttableLink;

  beforeAll(async () => {
    const redis = new URL(inject('redisUrl'));
    link = await new CuttableLink(redis.hostname, Number(redis.port)).open();
    redis.port = String(link.port);
    t = await startTestApp({
      rateLimitPerMinute: 100_000,
      redisUrl: redis.toString(),
      anomalies: {
        reveals: { threshold: 1, windowMs: WINDOW_MS },
        listing: { threshold: 1, windowMs: WINDOW_MS },
      },
    });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await link?.close();
  });

  it('neither fails nor holds the requests they observe', async () => {
    // Ready once, so a later loss is known at once (as the request limits know it).
    await t.app.inject({
      method: 'GET',
      url: '/v1/messages?limit=1',
      headers: { authorization: `Bearer ${t.apiKey}` },
    });
    await link.cut();
    // Once the connection knows (a request racing the cut waits on ioredis, detectors or not).
    const until = Date.now() + 5_000;
    while (t.redis.status === 'ready' && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    const started = Date.now();
    const reveal = await t.app.inject({
      method: 'POST',
      url: `/v1/messages/${SOME_ID}/reveal`,
      headers: { authorization: `Bearer ${t.apiKey}` },
    });
    expect(reveal.statusCode).toBe(403);
    expect(Date.now() - started).toBeLessThan(1_000);
    await link.restore();
  });
});
