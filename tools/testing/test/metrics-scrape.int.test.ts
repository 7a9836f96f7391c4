import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AppProcess, freePort } from '../src/index.js';
import { until } from '../src/polling.js';
import { inParallel, StackFixture } from '../src/stack-fixture.js';

const MESSAGES = 40;
const RUN = Date.now().toString(36);
/** Known numbers and bodies: none may appear in any scrape, nor the numbers' digits. */
const messages = Array.from({ length: MESSAGES }, (_, i) => ({
  to: `+44791100${2_000 + i}`,
  from: 'Maskline',
  body: `metrics privacy body ${RUN} number ${i}`,
}));

/** Virtual numbers of the masking pool: as private as the recipients. */
const poolNumbers = [0, 1, 2].map((i) => `+44791100${3_000 + i}`);

/** One labelled sample's value in a Prometheus text exposition (NaN when absent). */
function sample(text: string, name: string, labels: Record<string, string>): number {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(match[3]);
  }
  return Number.NaN;
}

/**
 * Metrics through the real processes (ingest, delivery worker, receipt processor, the SMSC
 * simulator, a webhook receiver): every app serves /metrics off its API port, the message
 * flow's counters and latencies add up, and no scrape — taken again and again while the
 * messages flow — carries a phone number (in any form) or a body.
 */
describe('metrics of the real stack (Prometheus scrape)', () => {
  let stack: StackFixture;
  let hooks: Server;
  let hooksReceived = 0;
  const ports = { ingest: 0, worker: 0, receipts: 0 };
  const scrapes: string[] = [];

  const scrape = async (port: number): Promise<string> => {
    const response = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    scrapes.push(text);
    return text;
  };

  beforeAll(async () => {
    hooks = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        hooksReceived++;
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => hooks.listen(0, '127.0.0.1', resolve));
    const hookPort = (hooks.address() as AddressInfo).port;
    ports.ingest = await freePort();
    ports.worker = await freePort();
    ports.receipts = await freePort();
    const webhookEnv = { WEBHOOK_ALLOW_LOOPBACK: '1', WEBHOOK_ALLOWED_PORTS: String(hookPort) };
    stack = new StackFixture({
      redisUrl: inject('redisUrl'),
      postgresUrl: inject('postgresUrl'),
      logLevel: 'info',
      tracing: false,
      appEnv: webhookEnv,
      ingestEnv: { METRICS_PORT: String(ports.ingest) },
      workerEnv: { HEALTH_PORT: String(ports.worker) },
      receiptEnv: { HEALTH_PORT: String(ports.receipts) },
    });
    await stack.start();
    const created = await stack.api('POST', '/v1/webhooks', {
      url: `http://127.0.0.1:${hookPort}/hook`,
      eventTypes: ['message.status'],
    });
    expect(created.status).toBe(201);
    const imported = await stack.api('POST', '/v1/masking/numbers/import', {
      carrier: 'sim',
      numbers: poolNumbers.map((number) => ({ number, country: 'GB' })),
    });
    expect(imported).toMatchObject({ status: 200, body: { imported: poolNumbers.length } });
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    await new Promise<void>((resolve) => (hooks ? hooks.close(() => resolve()) : resolve()));
  });

  it('counts, times and gauges the message flow on every app, with no number or body in any scrape', async () => {
    // Scrape every endpoint over and over while the messages are sent and delivered.
    let sending = true;
    const scraping = (async () => {
      while (sending) {
        await Promise.all([scrape(ports.ingest), scrape(ports.worker), scrape(ports.receipts)]);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    try {
      await flowAndCheck();
    } finally {
      sending = false;
      await scraping;
    }
  }, 180_000);

  async function flowAndCheck(): Promise<void> {
    const responses = await inParallel(messages, 8, (m) => stack.send(m));
    expect(responses[0]?.body).toMatchObject({ id: expect.any(String) });
    expect(responses.map((r) => r.status)).toEqual(messages.map(() => 202));
    const ids = responses.map((r) => String(r.body.id));
    const statuses = await stack.waitForStatus(ids, ['delivered']);
    expect([...statuses.values()].filter((s) => s === 'delivered')).toHaveLength(MESSAGES);

    const receiptsText = await until(
      () => scrape(ports.receipts),
      (t) => sample(t, 'maskline_messages_total', { carrier: 'sim', status: 'delivered' }) === MESSAGES,
      15_000,
    );
    // Two message.status events per message (submitted, delivered).
    await until(
      async () => hooksReceived,
      (n) => n >= 2 * MESSAGES,
      30_000,
    );
    const finalReceipts = await until(
      () => scrape(ports.receipts),
      (t) =>
        sample(t, 'maskline_webhook_deliveries_total', {
          outcome: 'delivered',
          event_type: 'message.status',
          status_class: '2xx',
        }) >=
        2 * MESSAGES,
      15_000,
    );
    const ingest = await scrape(ports.ingest);
    const worker = await scrape(ports.worker);

    // Ingest: accepted by carrier; the request histogram by route template, never the URL.
    expect(sample(ingest, 'maskline_messages_total', { carrier: 'sim', status: 'accepted' })).toBe(MESSAGES);
    expect(
      sample(ingest, 'http_server_request_duration_count', {
        http_request_method: 'POST',
        http_route: '/v1/messages',
        http_response_status_code: '202',
      }),
    ).toBe(MESSAGES);
    // Delivery worker: submitted by carrier, with the accepted -> submitted latency.
    expect(sample(worker, 'maskline_messages_total', { carrier: 'sim', status: 'submitted' })).toBe(MESSAGES);
    expect(sample(worker, 'maskline_message_submit_duration_count', { carrier: 'sim' })).toBe(MESSAGES);
    expect(sample(worker, 'maskline_message_submit_duration_sum', { carrier: 'sim' })).toBeGreaterThan(0);
    expect(sample(worker, 'maskline_smpp_binds', { carrier: 'sim', state: 'up' })).toBe(1);
    expect(sample(worker, 'maskline_smpp_binds', { carrier: 'sim', state: 'down' })).toBe(0);
    expect(sample(worker, 'maskline_smpp_window_limit', { carrier: 'sim' })).toBeGreaterThan(0);
    expect(sample(worker, 'maskline_smpp_window_in_use', { carrier: 'sim' })).toBe(0);
    expect(sample(worker, 'maskline_queue_jobs', { queue: 'deliver-sim', state: 'waiting' })).toBe(0);
    expect(sample(worker, 'maskline_queue_oldest_job_age', { queue: 'deliver-sim' })).toBe(0);
    // Receipt processor: delivered by carrier, with the receipt and end-to-end latencies.
    expect(sample(receiptsText, 'maskline_messages_total', { carrier: 'sim', status: 'delivered' })).toBe(
      MESSAGES,
    );
    expect(sample(receiptsText, 'maskline_receipts_total', { carrier: 'sim', outcome: 'applied' })).toBe(
      MESSAGES,
    );
    const finalLabels = { carrier: 'sim', status: 'delivered' };
    expect(sample(finalReceipts, 'maskline_message_final_duration_count', finalLabels)).toBe(MESSAGES);
    expect(sample(finalReceipts, 'maskline_message_receipt_duration_count', finalLabels)).toBe(MESSAGES);
    expect(sample(finalReceipts, 'maskline_queue_jobs', { queue: 'carrier-events', state: 'waiting' })).toBe(
      0,
    );
    expect(
      sample(finalReceipts, 'maskline_pool_numbers', { country: 'GB', carrier: 'sim', state: 'available' }),
    ).toBe(poolNumbers.length);
    // Each app loaded the tenant's keys (once, then from its cache).
    for (const text of [ingest, worker, finalReceipts])
      expect(sample(text, 'maskline_vault_key_loads_total', { outcome: 'loaded' })).toBeGreaterThanOrEqual(1);
    expect(
      sample(finalReceipts, 'maskline_webhook_delivery_duration_count', {
        outcome: 'delivered',
        event_type: 'message.status',
        status_class: '2xx',
      }),
    ).toBeGreaterThanOrEqual(2 * MESSAGES);

    // Privacy: no scrape carries a number (E.164 or digits only) or a body, or a message id.
    expect(scrapes.length).toBeGreaterThan(9);
    const all = scrapes.join('\n');
    for (const number of poolNumbers) {
      expect(all).not.toContain(number);
      expect(all).not.toContain(number.slice(1));
    }
    for (const m of messages) {
      expect(all).not.toContain(m.to);
      expect(all).not.toContain(m.to.slice(1));
      expect(all).not.toContain(m.to.slice(3)); // national significant number
      expect(all).not.toContain(m.body);
    }
    expect(all).not.toContain(RUN);
    for (const id of ids) expect(all).not.toContain(id);
    expect(all).not.toContain(stack.tenantId);
  }

  it('serves no /metrics with METRICS_ENABLED=false, and refuses a value it cannot read', async () => {
    const port = await freePort();
    const env = {
      DATABASE_URL: stack.db.appUrl,
      REDIS_URL: inject('redisUrl'),
      QUEUE_PREFIX: stack.queuePrefix,
      LOG_LEVEL: 'info',
      ...stack.db.vaultEnv,
      HEALTH_PORT: String(port),
    };
    const off = new AppProcess('receipt-processor', { ...env, METRICS_ENABLED: 'false' });
    await off.start(/receipt processor running/);
    try {
      expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${port}/live`)).status).toBe(200);
    } finally {
      await off.stop();
    }
    const bad = new AppProcess('receipt-processor', { ...env, METRICS_ENABLED: 'sometimes' });
    await expect(bad.start(/receipt processor running/)).rejects.toThrow(/exited with 1/);
    expect(bad.lines.join('\n')).toContain('METRICS_ENABLED must be true or false');
  }, 60_000);

  it('keeps /metrics off the public API port', async () => {
    const response = await fetch(`${stack.ingestUrl}/metrics`);
    expect(response.status).toBe(404);
  });
});
