import { uuidv7 } from '@maskline/core';
import { createRedisConnection, DeliveryQueues } from '@maskline/queues';
import { MessageRepository } from '@maskline/storage';
import {
  AppProcess,
  CuttableLink,
  createTestDatabase,
  freePort,
  seedTenant,
  type TestDatabase,
  testMessage,
  uniqueQueuePrefix,
} from '@maskline/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FakeTwilio } from './support/fake-twilio.js';

/**
 * The real delivery worker (and receipt processor) with a `twilio` carrier pointed at the
 * local fake: a send ends `delivered` through the fake's signed status callbacks, a forged
 * callback is refused and changes nothing, an inbound SMS is stored and processed, and a
 * callback while PostgreSQL is away is not acknowledged. No log line carries a number or body.
 */
const ACCOUNT_SID = `AC${'0123456789abcdef'.repeat(2)}`;
const AUTH_TOKEN = 'fake-auth-token-5b1f';
const TO = '+447700900123';
const TO_UNDELIVERABLE = '+447700900129';
const FROM = '+447700900456';
const BODY = 'Your code is 482913';
const MO_FROM = '+447700900777';
const MO_BODY = 'STOP sending me 7731';

describe('the twilio carrier through the delivery worker', () => {
  let db: TestDatabase;
  let redis: ReturnType<typeof createRedisConnection>;
  let queues: DeliveryQueues;
  let messages: MessageRepository;
  let tenantId: string;
  let fake: FakeTwilio;
  let pgLink: CuttableLink;
  let worker: AppProcess;
  let receipts: AppProcess;
  let base: string;
  const prefix = uniqueQueuePrefix();

  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'));
    ({ tenantId } = await seedTenant(db.pool));
    redis = createRedisConnection(inject('redisUrl'), 'producer');
    queues = new DeliveryQueues({ connection: redis, prefix }, { attempts: 6, backoffMs: 200 });
    messages = new MessageRepository(db.pool, db.vault);
    fake = await FakeTwilio.start({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
    const dbUrl = new URL(db.appUrl);
    pgLink = await new CuttableLink(dbUrl.hostname, Number(dbUrl.port)).open();
    dbUrl.hostname = '127.0.0.1';
    dbUrl.port = String(pgLink.port);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    worker = new AppProcess('delivery-worker', {
      DATABASE_URL: dbUrl.toString(),
      REDIS_URL: inject('redisUrl'),
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'debug',
      ...db.vaultEnv,
      CARRIERS: JSON.stringify([
        {
          id: 'tw',
          plugin: 'twilio',
          secrets: { authToken: { env: 'TW_AUTH_TOKEN' } },
          config: { accountSid: ACCOUNT_SID, baseUrl: fake.baseUrl },
        },
      ]),
      TW_AUTH_TOKEN: AUTH_TOKEN,
      CARRIER_CALLBACK_PORT: String(port),
      CARRIER_EVENT_HOLD_MS: '300',
      CARRIER_CALLBACK_BODY_LIMIT: '4096',
    });
    await worker.start(/delivery worker running/);
    receipts = new AppProcess('receipt-processor', {
      DATABASE_URL: db.appUrl,
      REDIS_URL: inject('redisUrl'),
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'info',
      ...db.vaultEnv,
    });
    await receipts.start(/receipt processor running/);
  });
  afterAll(async () => {
    await worker?.stop();
    await receipts?.stop();
    await fake?.close();
    await pgLink?.close();
    await queues?.close();
    redis?.disconnect();
    await db?.drop();
  });

  async function send(to: string): Promise<string> {
    const id = uuidv7();
    await messages.insertAccepted(testMessage(tenantId, { id, carrierId: 'tw', to, from: FROM, body: BODY }));
    await queues.enqueue([{ carrierId: 'tw', job: { messageId: id, tenantId } }]);
    return id;
  }
  const statusOf = async (id: string) => (await messages.findForTenant(tenantId, id))?.status;
  const receiptCount = async () =>
    Number((await db.pool.query('SELECT count(*) AS n FROM receipts')).rows[0].n);

  it('delivers through the fake and ends delivered (or undeliverable) by its signed callbacks', async () => {
    const delivered = await send(TO);
    const failed = await send(TO_UNDELIVERABLE);
    expect(await until(async () => (await statusOf(delivered)) === 'delivered')).toBe(true);
    expect(await until(async () => (await statusOf(failed)) === 'undeliverable')).toBe(true);
    const sent = fake.messages.find((m) => m.to === TO);
    expect(sent).toMatchObject({ from: FROM, body: BODY, statusCallback: `${base}/carriers/tw/status` });
    expect(fake.callbacks.filter((c) => c.sid === sent?.sid).map((c) => [c.status, c.httpStatus])).toEqual([
      ['sent', 204],
      ['delivered', 204],
    ]);
  });

  it("fails a message Twilio refuses for good, by Twilio's code", async () => {
    fake.mode = { kind: 'error', status: 400, code: 21211 };
    try {
      const id = await send(TO);
      expect(await until(async () => (await statusOf(id)) === 'rejected')).toBe(true);
      expect((await messages.findForTenant(tenantId, id))?.errorCode).toBe('carrier_invalid_destination');
    } finally {
      fake.mode = { kind: 'ok' };
    }
  });

  it('retries through a throttling answer and an outage of the API, then delivers', async () => {
    fake.mode = { kind: 'error', status: 429, code: 20429, retryAfter: '1' };
    const throttled = await send(TO);
    await new Promise((r) => setTimeout(r, 300));
    expect(await statusOf(throttled)).not.toBe('failed');
    fake.mode = { kind: 'ok' };
    expect(await until(async () => (await statusOf(throttled)) === 'delivered')).toBe(true);

    await fake.down();
    const waiting = await send(TO);
    await new Promise((r) => setTimeout(r, 500));
    expect(await statusOf(waiting)).not.toBe('failed');
    await fake.up();
    expect(await until(async () => (await statusOf(waiting)) === 'delivered')).toBe(true);
  });

  it('refuses a forged status callback (401) and changes nothing', async () => {
    const id = await send(TO);
    expect(await until(async () => (await statusOf(id)) === 'delivered')).toBe(true);
    const sid = fake.messages.at(-1)?.sid ?? '';
    const before = await receiptCount();
    const params = new URLSearchParams({ MessageSid: sid, MessageStatus: 'undelivered', ErrorCode: '30005' });
    const forged = fake.sign(`${base}/carriers/tw/status`, new URLSearchParams({ MessageSid: sid }));
    const response = await fetch(`${base}/carriers/tw/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': forged },
      body: params.toString(),
    });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      'carrier_callback_unverified',
    );
    expect(await receiptCount()).toBe(before);
    expect(await statusOf(id)).toBe('delivered');
  });

  it('stores an inbound SMS, answers empty TwiML, and the receipt processor takes it', async () => {
    const answer = await fake.sendInbound(`${base}/carriers/tw/inbound`, {
      from: MO_FROM,
      to: FROM,
      body: MO_BODY,
    });
    expect(answer.status).toBe(200);
    expect(answer.contentType).toContain('text/xml');
    expect(answer.body).toContain('<Response/>');
    const row = async () =>
      (
        await db.pool.query(
          'SELECT processed_at FROM inbound_messages WHERE carrier_id = $1 AND carrier_message_id = $2',
          ['tw', answer.sid],
        )
      ).rows[0] as { processed_at: Date | null } | undefined;
    expect(await row()).toBeDefined();
    expect(await until(async () => (await row())?.processed_at != null)).toBe(true);
  });

  it('answers 404, 413 and health as the host should', async () => {
    expect((await fetch(`${base}/carriers/nope/status`, { method: 'POST', body: 'x' })).status).toBe(404);
    const big = await fetch(`${base}/carriers/tw/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a='.padEnd(8_000, 'x'),
    });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', carriers: [{ id: 'tw' }] });
  });

  it('does not acknowledge a callback while PostgreSQL is away', async () => {
    await pgLink.cut();
    try {
      const answer = await fake.sendInbound(`${base}/carriers/tw/inbound`, {
        from: MO_FROM,
        to: FROM,
        body: MO_BODY,
      });
      expect(answer.status).toBe(503);
      const stored = await db.pool.query('SELECT 1 FROM inbound_messages WHERE carrier_message_id = $1', [
        answer.sid,
      ]);
      expect(stored.rowCount).toBe(0);
    } finally {
      await pgLink.restore();
    }
  });

  it('never logs a number, a body or a signature', () => {
    const lines = [...worker.lines, ...receipts.lines].join('\n');
    expect(worker.lines.some((l) => l.includes('carrier callback refused'))).toBe(true);
    for (const secret of [TO, TO_UNDELIVERABLE, FROM, MO_FROM, BODY, MO_BODY, '482913', AUTH_TOKEN]) {
      expect(lines).not.toContain(secret);
    }
    expect(lines).not.toContain(FROM.slice(1));
  });
});

async function until(check: () => Promise<boolean>, ms = 20_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}
