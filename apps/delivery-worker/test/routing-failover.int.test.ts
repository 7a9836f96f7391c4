import { carrierHealthKey } from '@maskline/queues';
import { type SmscSimulator, startSmscSimulator } from '@maskline/smsc-sim';
import { AppProcess, seedTenant, TEST_PEPPER } from '@maskline/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTestHost, type TestHost } from './support/test-host.js';
import { eventually, startWorkerProcess, waitForStatuses } from './support/worker-process.js';

/**
 * Two carriers (two SMSC simulators) behind the real ingest and delivery-worker processes:
 * routing by prefix and by least cost, then failover when one simulator goes away mid-run,
 * counted at the simulators (nothing lost, nothing submitted twice).
 */
interface ApiBody {
  id?: string;
  route?: unknown;
  [field: string]: unknown;
}

describe('routing and failover across two carriers (real ingest and worker)', () => {
  let host: TestHost;
  let simA: SmscSimulator;
  let simB: SmscSimulator;
  let worker: AppProcess;
  let ingest: AppProcess;
  let ingestUrl = '';
  let apiKey = '';

  beforeAll(async () => {
    host = await startTestHost();
    ({ apiKey } = await seedTenant(host.db.pool, 'routing tenant'));
    simA = await startSmscSimulator({ host: '127.0.0.1', smppPort: 0, controlPort: null });
    simB = await startSmscSimulator({ host: '127.0.0.1', smppPort: 0, controlPort: null });
    worker = await startWorkerProcess(
      host,
      [
        { id: 'alpha', port: simA.smppPort, config: { reconnectMinMs: 200, reconnectMaxMs: 500 } },
        { id: 'beta', port: simB.smppPort },
      ],
      { ROUTES_REFRESH_MS: '500' },
    );
    ingest = new AppProcess('ingest', {
      DATABASE_URL: host.db.appUrl,
      REDIS_URL: inject('redisUrl'),
      QUEUE_PREFIX: host.prefix,
      LOG_LEVEL: 'info',
      ...host.db.vaultEnv,
      PORT: '0',
      API_KEY_PEPPER: TEST_PEPPER,
      DEFAULT_CARRIER: 'alpha',
      CARRIERS: JSON.stringify([
        { id: 'alpha', plugin: 'smpp', regions: ['eu'] },
        { id: 'beta', plugin: 'smpp', regions: ['eu'] },
      ]),
    });
    await ingest.start(/ingest listening/);
    const line = ingest.lines.find((l) => l.includes('ingest listening')) ?? '';
    ingestUrl = /"address":"([^"]+)"/.exec(line)?.[1] ?? '';
  }, 60_000);
  afterAll(async () => {
    await ingest?.stop();
    await worker?.stop();
    await simA?.close();
    await simB?.close();
    await host?.close();
  });

  async function api(method: string, path: string, body?: unknown) {
    const response = await fetch(`${ingestUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${apiKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : {}) as ApiBody };
  }

  async function send(to: string, body: string): Promise<string> {
    const res = await api('POST', '/v1/messages', { to, from: 'Maskline', body });
    expect(res.status).toBe(202);
    return res.body.id!;
  }

  const textsAt = (sim: SmscSimulator) => sim.messages().map((m) => m.text);

  it('routes by prefix and by least cost, each message to its carrier once', async () => {
    await host.db.pool.query(
      `INSERT INTO carrier_prices (carrier_id, prefix, price_micros, currency) VALUES
         ('alpha', '4420', 30000, 'EUR'), ('beta', '4420', 20000, 'EUR'),
         ('alpha', '33', 10000, 'EUR'), ('beta', '33', 40000, 'EUR')`,
    );
    for (const route of [
      { prefix: '4474', carrier: 'alpha' },
      { prefix: '4478', carrier: 'beta' },
      { prefix: '4420', carrier: 'alpha', strategy: 'least_cost' },
      { prefix: '4420', carrier: 'beta', strategy: 'least_cost' },
      { country: 'FR', carrier: 'alpha', strategy: 'least_cost' },
      { country: 'FR', carrier: 'beta', strategy: 'least_cost' },
    ]) {
      expect((await api('POST', '/v1/routes', route)).status).toBe(201);
    }
    const ids = [
      await send('+447400123456', 'prefix to alpha'),
      await send('+447800123456', 'prefix to beta'),
      await send('+442071838750', 'cheapest is beta'),
      await send('+33612345678', 'cheapest is alpha'),
    ];
    const statuses = await waitForStatuses(host, ids, ['submitted', 'delivered'], 20_000);
    expect([...statuses.values()].every((s) => s === 'submitted' || s === 'delivered')).toBe(true);
    expect(textsAt(simA).sort()).toEqual(['cheapest is alpha', 'prefix to alpha']);
    expect(textsAt(simB).sort()).toEqual(['cheapest is beta', 'prefix to beta']);
    const view = await api('GET', `/v1/messages/${ids[2]}`);
    expect(view.body.route).toMatchObject({ carrier: 'beta', price: { micros: 20000, currency: 'EUR' } });
  }, 40_000);

  it('fails over to the next carrier when one goes away mid-run: nothing lost, nothing twice', async () => {
    await host.db.pool.query('DELETE FROM routes');
    // Through the API, so this ingest reloads its table at once.
    for (const route of [
      { prefix: '44', carrier: 'alpha', priority: 1 },
      { prefix: '44', carrier: 'beta', priority: 2 },
    ]) {
      expect((await api('POST', '/v1/routes', route)).status).toBe(201);
    }
    simA.reset();
    simB.reset();
    const before: string[] = [];
    for (let i = 0; i < 10; i++) before.push(await send('+447400123456', `before ${i}`));
    await waitForStatuses(host, before, ['submitted', 'delivered'], 15_000);
    expect(textsAt(simA)).toHaveLength(10);

    // Nothing in flight: the first carrier goes away; the next messages keep coming.
    await simA.close();
    const after: string[] = [];
    for (let i = 0; i < 20; i++) after.push(await send('+447400123456', `after ${i}`));
    const statuses = await waitForStatuses(host, after, ['submitted', 'delivered'], 30_000);
    expect([...statuses.values()].filter((s) => s === 'submitted' || s === 'delivered')).toHaveLength(20);

    const all = [...textsAt(simA), ...textsAt(simB)];
    for (let i = 0; i < 10; i++) expect(all.filter((t) => t === `before ${i}`)).toHaveLength(1);
    for (let i = 0; i < 20; i++) expect(all.filter((t) => t === `after ${i}`)).toHaveLength(1);
    expect(textsAt(simB)).toHaveLength(20);

    // The rows name the carrier that sent them; moved ones list both carriers as tried.
    const { rows } = await host.db.pool.query<{ carrier_id: string; tried: string[] }>(
      'SELECT carrier_id, carriers_tried AS tried FROM messages WHERE id = ANY($1::uuid[])',
      [after],
    );
    expect(rows.every((r) => r.carrier_id === 'beta')).toBe(true);
    // Sent before the ingest saw the outage: queued on alpha, moved by the worker.
    expect(rows.filter((r) => r.tried.includes('alpha')).length).toBeGreaterThan(0);
    expect(worker.lines.some((l) => l.includes('failed over'))).toBe(true);
    // The ingest stops routing to the carrier that is down once the shared health says so
    // (the worker publishes the change; readers refresh their copy every second).
    const redis = new Redis(inject('redisUrl'));
    const down = await eventually(
      async () => (await redis.get(carrierHealthKey(host.prefix, 'alpha')))?.includes('"down"') === true,
      5_000,
    );
    redis.disconnect();
    expect(down).toBe(true);
    await new Promise((r) => setTimeout(r, 1_500));
    const late = await send('+447400123456', 'late');
    const { rows: lateRows } = await host.db.pool.query<{ tried: string[] }>(
      'SELECT carriers_tried AS tried FROM messages WHERE id = $1',
      [late],
    );
    expect(lateRows[0]?.tried).toEqual(['beta']);
    // No log line of either app carries a number or a body.
    for (const line of [...worker.lines, ...ingest.lines]) {
      expect(line).not.toContain('7400123456');
      expect(line).not.toContain('after 1');
    }
  }, 60_000);
});
