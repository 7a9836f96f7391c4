import { type SmscSimulator, startSmscSimulator } from '@maskline/smsc-sim';
import {
  AppProcess,
  createTestDatabase,
  freePort,
  seedTenant,
  TEST_PEPPER,
  type TestDatabase,
  uniqueQueuePrefix,
  until,
} from '@maskline/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FakeTwilio } from './support/fake-twilio.js';

/**
 * Two carriers of two kinds at once behind the real ingest, delivery worker and receipt
 * processor: `smsc` speaks SMPP to the SMSC simulator, `tw` speaks HTTP to the Twilio fake.
 * Routes (made through the API) pick by prefix and by cost; the SMSC is taken down in the
 * middle of a stream and the stream fails over to the HTTP carrier; a route that leaves
 * the tenant's regions is refused. Counted at the carriers: every message sent exactly once,
 * by one carrier, and every one ends `delivered` through that carrier's own receipts.
 */
const ACCOUNT_SID = `AC${'fedcba9876543210'.repeat(2)}`;
const AUTH_TOKEN = 'two-carriers-auth-token';

interface ApiAnswer {
  status: number;
  body: { id?: string; route?: unknown; error?: { code: string }; [k: string]: unknown };
}

describe('two carriers at once: SMPP simulator and HTTP fake (real processes)', () => {
  let db: TestDatabase;
  let sim: SmscSimulator;
  let fake: FakeTwilio;
  let worker: AppProcess;
  let receipts: AppProcess;
  let ingest: AppProcess;
  let smscPort = 0;
  let ingestUrl = '';
  let apiKey = '';
  const prefix = uniqueQueuePrefix();

  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'));
    ({ apiKey } = await seedTenant(db.pool, 'two carriers tenant'));
    sim = await startSmscSimulator({ host: '127.0.0.1', smppPort: 0, controlPort: null });
    smscPort = sim.smppPort;
    fake = await FakeTwilio.start({
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      undeliverable: () => false,
    });
    const carriers = JSON.stringify([
      {
        id: 'smsc',
        plugin: 'smpp',
        regions: ['eu'],
        secrets: { password: { env: 'SIM_SMPP_PASSWORD' } },
        config: {
          host: '127.0.0.1',
          port: smscPort,
          systemId: 'maskline',
          reconnectMinMs: 200,
          reconnectMaxMs: 500,
        },
      },
      {
        id: 'tw',
        plugin: 'twilio',
        regions: ['us'],
        secrets: { authToken: { env: 'TW_AUTH_TOKEN' } },
        config: { accountSid: ACCOUNT_SID, baseUrl: fake.baseUrl },
      },
    ]);
    const common = {
      DATABASE_URL: db.appUrl,
      REDIS_URL: inject('redisUrl'),
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'info',
      ...db.vaultEnv,
      CARRIERS: carriers,
      SIM_SMPP_PASSWORD: 'secret',
      TW_AUTH_TOKEN: AUTH_TOKEN,
    };
    worker = new AppProcess('delivery-worker', {
      ...common,
      ROUTES_REFRESH_MS: '500',
      CARRIER_CALLBACK_PORT: String(await freePort()),
    });
    receipts = new AppProcess('receipt-processor', common);
    ingest = new AppProcess('ingest', {
      ...common,
      PORT: '0',
      API_KEY_PEPPER: TEST_PEPPER,
      DEFAULT_CARRIER: 'smsc',
      // The streams send a hundred messages to one number on purpose.
      RATE_LIMIT_DESTINATION_PER_MINUTE: '100000',
    });
    await Promise.all([
      worker.start(/delivery worker running/),
      receipts.start(/receipt processor running/),
      ingest.start(/ingest listening/),
    ]);
    const line = ingest.lines.find((l) => l.includes('ingest listening')) ?? '';
    ingestUrl = /"address":"([^"]+)"/.exec(line)?.[1] ?? '';
  }, 60_000);
  afterAll(async () => {
    await ingest?.stop();
    await worker?.stop();
    await receipts?.stop();
    await sim?.close();
    await fake?.close();
    await db?.drop();
  });

  async function api(method: string, path: string, body?: unknown): Promise<ApiAnswer> {
    const response = await fetch(`${ingestUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${apiKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : {} };
  }
  async function send(to: string, body: string): Promise<string> {
    const res = await api('POST', '/v1/messages', { to, from: '+447911123456', body });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    return res.body.id ?? '';
  }
  async function setRoutes(routes: readonly Record<string, unknown>[]): Promise<void> {
    await db.pool.query('DELETE FROM routes');
    for (const route of routes) expect((await api('POST', '/v1/routes', route)).status).toBe(201);
  }
  async function statuses(ids: readonly string[]): Promise<Map<string, string>> {
    const { rows } = await db.pool.query<{ id: string; status: string }>(
      'SELECT id, status FROM messages WHERE id = ANY($1::uuid[])',
      [ids],
    );
    return new Map(rows.map((r) => [r.id, r.status]));
  }
  const allDelivered = (ids: readonly string[]) =>
    until(
      () => statuses(ids),
      (m) => ids.every((id) => m.get(id) === 'delivered'),
      30_000,
    );
  const atSmsc = () => sim.messages().map((m) => m.text);
  const atTwilio = () => fake.messages.map((m) => m.body);
  async function carrierOf(ids: readonly string[]): Promise<Map<string, string>> {
    const { rows } = await db.pool.query<{ id: string; carrier_id: string }>(
      'SELECT id, carrier_id FROM messages WHERE id = ANY($1::uuid[])',
      [ids],
    );
    return new Map(rows.map((r) => [r.id, r.carrier_id]));
  }

  it('routes by prefix and by cost across the SMPP and the HTTP carrier; each ends delivered by its own receipts', async () => {
    await db.pool.query(
      `INSERT INTO carrier_prices (carrier_id, prefix, price_micros, currency) VALUES
         ('smsc', '4420', 30000, 'EUR'), ('tw', '4420', 20000, 'EUR'),
         ('smsc', '33', 10000, 'EUR'), ('tw', '33', 40000, 'EUR')`,
    );
    await setRoutes([
      { prefix: '4474', carrier: 'smsc' },
      { prefix: '4478', carrier: 'tw' },
      { prefix: '4420', carrier: 'smsc', strategy: 'least_cost' },
      { prefix: '4420', carrier: 'tw', strategy: 'least_cost' },
      { country: 'FR', carrier: 'smsc', strategy: 'least_cost' },
      { country: 'FR', carrier: 'tw', strategy: 'least_cost' },
    ]);
    const ids = [
      await send('+447400123456', 'prefix to smsc'),
      await send('+447800123456', 'prefix to tw'),
      await send('+442071838750', 'cheaper at tw'),
      await send('+33612345678', 'cheaper at smsc'),
    ];
    const final = await allDelivered(ids);
    expect([...final.values()]).toEqual(['delivered', 'delivered', 'delivered', 'delivered']);
    expect(atSmsc().sort()).toEqual(['cheaper at smsc', 'prefix to smsc']);
    expect(atTwilio().sort()).toEqual(['cheaper at tw', 'prefix to tw']);
    const carriers = await carrierOf(ids);
    expect(ids.map((id) => carriers.get(id))).toEqual(['smsc', 'tw', 'tw', 'smsc']);
    const view = await api('GET', `/v1/messages/${ids[2]}`);
    expect(view.body.route).toMatchObject({ carrier: 'tw', price: { micros: 20000, currency: 'EUR' } });
  }, 60_000);

  it('fails over from the SMSC taken down mid-stream to the HTTP carrier: nothing lost, nothing sent twice', async () => {
    await setRoutes([
      { prefix: '44', carrier: 'smsc', priority: 1 },
      { prefix: '44', carrier: 'tw', priority: 2 },
    ]);
    sim.reset();
    fake.messages.length = 0;
    const ids: string[] = [];
    const texts: string[] = [];
    let stopped = false;
    const stopSmsc = (async () => {
      // Taken down while the stream is running: some already sent, more queued behind.
      await until(
        async () => atSmsc().length,
        (n) => n >= 15,
        20_000,
      );
      await sim.close();
      stopped = true;
    })();
    for (let i = 0; i < 60; i++) {
      texts.push(`stream ${i}`);
      ids.push(await send('+447400123456', `stream ${i}`));
      if (i === 40) await stopSmsc;
    }
    await stopSmsc;
    expect(stopped).toBe(true);
    // A submit in flight when the SMSC went away is ambiguous (it may have been taken): it
    // is never moved to the other carrier, it waits for its own. The SMSC comes back.
    const firstSmsc = atSmsc();
    const rowsOf = async () =>
      (
        await db.pool.query<{ status: string; carrier_id: string; tried: string[]; pinned: boolean }>(
          `SELECT status, carrier_id, carriers_tried AS tried, carrier_pinned AS pinned
             FROM messages WHERE id = ANY($1::uuid[])`,
          [ids],
        )
      ).rows;
    const settled = await until(
      rowsOf,
      (rows) => rows.every((r) => r.status === 'delivered' || (r.status === 'queued' && r.pinned)),
      30_000,
    );
    const waiting = settled.filter((r) => r.status !== 'delivered');
    expect(waiting.length).toBeLessThanOrEqual(10); // at most one SMPP window (windowSize 10)
    expect(waiting.every((r) => r.carrier_id === 'smsc' && r.tried.join() === 'smsc')).toBe(true);
    sim = await startSmscSimulator({ host: '127.0.0.1', smppPort: smscPort, controlPort: null });
    const final = await allDelivered(ids);
    expect(ids.filter((id) => final.get(id) !== 'delivered')).toEqual([]);

    // Counted at the carriers: each text exactly once, at one carrier or the other.
    const smsc = [...firstSmsc, ...atSmsc()];
    const twilio = atTwilio();
    for (const text of texts) {
      expect([smsc.filter((t) => t === text).length, twilio.filter((t) => t === text).length].sort()).toEqual(
        [0, 1],
      );
    }
    expect(smsc.length).toBeGreaterThanOrEqual(15);
    expect(twilio.length).toBeGreaterThan(0);
    // Each row names the carrier that really sent it, so its receipt matched there.
    const carriers = await carrierOf(ids);
    ids.forEach((id, i) => {
      const at = smsc.includes(texts[i] ?? '') ? 'smsc' : 'tw';
      expect(carriers.get(id)).toBe(at);
    });
    expect(worker.lines.some((l) => l.includes('failed over'))).toBe(true);
  }, 90_000);

  it('fails over the other way when the HTTP carrier goes away mid-stream', async () => {
    await setRoutes([
      { prefix: '44', carrier: 'tw', priority: 1 },
      { prefix: '44', carrier: 'smsc', priority: 2 },
    ]);
    sim.reset();
    fake.messages.length = 0;
    const ids: string[] = [];
    const texts: string[] = [];
    const stopTwilio = (async () => {
      await until(
        async () => fake.messages.length,
        (n) => n >= 10,
        20_000,
      );
      await fake.down();
    })();
    for (let i = 0; i < 40; i++) {
      texts.push(`reverse ${i}`);
      ids.push(await send('+447400123456', `reverse ${i}`));
      if (i === 25) await stopTwilio;
    }
    await stopTwilio;
    const rowsOf = async () =>
      (
        await db.pool.query<{ status: string; pinned: boolean }>(
          'SELECT status, carrier_pinned AS pinned FROM messages WHERE id = ANY($1::uuid[])',
          [ids],
        )
      ).rows;
    // Delivered, or pinned to the HTTP carrier after an ambiguous failure (a request cut off).
    await until(
      rowsOf,
      (rows) => rows.every((r) => r.status === 'delivered' || (r.status === 'queued' && r.pinned)),
      30_000,
    );
    const firstTwilio = fake.messages.map((m) => m.body);
    await fake.up();
    const final = await allDelivered(ids);
    expect(ids.filter((id) => final.get(id) !== 'delivered')).toEqual([]);
    const twilio = [...new Set([...firstTwilio, ...atTwilio()])];
    const smsc = atSmsc();
    for (const text of texts) {
      const counts = [smsc.filter((t) => t === text).length, twilio.filter((t) => t === text).length];
      expect(counts.sort()).toEqual([0, 1]);
    }
    expect(fake.messages.filter((m) => m.body.startsWith('reverse')).length).toBe(
      new Set(fake.messages.map((m) => m.body)).size,
    );
    expect(smsc.length).toBeGreaterThan(0);
  }, 90_000);

  it('refuses a message whose only route leaves the tenant’s regions, and audits it', async () => {
    await setRoutes([{ prefix: '1', carrier: 'tw' }]);
    const policy = await api('PUT', '/v1/routing/residency', { allowedRegions: ['eu'] });
    expect(policy.status).toBe(200);
    const before = fake.messages.length;
    const res = await api('POST', '/v1/messages', {
      to: '+14155552671',
      from: '+447911123456',
      body: 'nope',
    });
    expect(res.status).toBe(422);
    expect(res.body.error?.code).toBe('route_residency_violation');
    expect(JSON.stringify(res.body)).not.toContain('4155552671');
    const { rows } = await db.pool.query(
      "SELECT count(*)::int AS n FROM audit_log WHERE action = 'message.route_residency_violation'",
    );
    expect(rows[0].n).toBe(1);
    expect(fake.messages.length).toBe(before);
  });

  it('leaves no number or body in any log line of the three apps', () => {
    for (const line of [...ingest.lines, ...worker.lines, ...receipts.lines]) {
      expect(line).not.toContain('7400123456');
      expect(line).not.toContain('7800123456');
      expect(line).not.toContain('stream 1');
      expect(line).not.toContain('cheaper at');
    }
  });
});
