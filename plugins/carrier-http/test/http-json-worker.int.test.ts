import { uuidv7 } from '@maskline/core';
import { createRedisConnection, DeliveryQueues } from '@maskline/queues';
import { MessageRepository } from '@maskline/storage';
import {
  AppProcess,
  createTestDatabase,
  freePort,
  seedTenant,
  type TestDatabase,
  testMessage,
  uniqueQueuePrefix,
} from '@maskline/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FakeJsonApi, fakeJsonApiConfig } from './support/fake-json-api.js';

/**
 * The real delivery worker (and receipt processor) with an `http-json` carrier configured
 * for the local fake JSON API: a send ends `delivered` (or `undeliverable`) through the
 * fake's signed JSON receipts, the provider's segment count is recorded, a refusal maps to
 * its code, a forged receipt is refused and changes nothing. No log line carries a number,
 * a body or a key.
 */
const API_KEY = 'fake-json-api-key-77d1';
const SIGNING_KEY = 'fake-json-signing-key-0b9e';
const TO = '+447700900321';
const TO_UNDELIVERABLE = '+447700900329';
const FROM = '+447700900654';
const BODY = 'Your code is 615204';
const LONG_BODY = `${'Your long message kestrel 3301 '.repeat(6)}end`;

describe('the http-json carrier through the delivery worker', () => {
  let db: TestDatabase;
  let redis: ReturnType<typeof createRedisConnection>;
  let queues: DeliveryQueues;
  let messages: MessageRepository;
  let tenantId: string;
  let api: FakeJsonApi;
  let worker: AppProcess;
  let receipts: AppProcess;
  let base: string;
  const prefix = uniqueQueuePrefix();

  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'));
    ({ tenantId } = await seedTenant(db.pool));
    redis = createRedisConnection(inject('redisUrl'), 'producer');
    queues = new DeliveryQueues({ connection: redis, prefix }, { attempts: 4, backoffMs: 200 });
    messages = new MessageRepository(db.pool, db.vault);
    api = await FakeJsonApi.start({ apiKey: API_KEY, signingKey: SIGNING_KEY });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    worker = new AppProcess('delivery-worker', {
      DATABASE_URL: db.appUrl,
      REDIS_URL: inject('redisUrl'),
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'debug',
      ...db.vaultEnv,
      CARRIERS: JSON.stringify([
        {
          id: 'hj',
          plugin: 'http-json',
          secrets: { apiKey: { env: 'HJ_API_KEY' }, signingKey: { env: 'HJ_SIGNING_KEY' } },
          config: fakeJsonApiConfig(api.baseUrl),
        },
      ]),
      HJ_API_KEY: API_KEY,
      HJ_SIGNING_KEY: SIGNING_KEY,
      CARRIER_CALLBACK_PORT: String(port),
      CARRIER_EVENT_HOLD_MS: '300',
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
    await api?.close();
    await queues?.close();
    redis?.disconnect();
    await db?.drop();
  });

  async function send(to: string, body = BODY): Promise<string> {
    const id = uuidv7();
    await messages.insertAccepted(testMessage(tenantId, { id, carrierId: 'hj', to, from: FROM, body }));
    await queues.enqueue([{ carrierId: 'hj', job: { messageId: id, tenantId } }]);
    return id;
  }
  const messageOf = async (id: string) => messages.findForTenant(tenantId, id);
  const statusOf = async (id: string) => (await messageOf(id))?.status;
  const receiptCount = async () =>
    Number((await db.pool.query('SELECT count(*) AS n FROM receipts')).rows[0].n);

  it('sends the filled template and ends delivered (or undeliverable) by the signed JSON receipts', async () => {
    const delivered = await send(TO);
    const failed = await send(TO_UNDELIVERABLE);
    expect(await until(async () => (await statusOf(delivered)) === 'delivered')).toBe(true);
    expect(await until(async () => (await statusOf(failed)) === 'undeliverable')).toBe(true);
    const sent = api.messages.find((m) => m.reference === delivered);
    expect(sent).toMatchObject({
      to: TO,
      from: FROM,
      text: BODY,
      callbackUrl: `${base}/carriers/hj/receipts`,
    });
    expect(api.receipts.filter((r) => r.id === sent?.id).map((r) => [r.state, r.httpStatus])).toEqual([
      ['SENT', 204],
      ['DELIVERED', 204],
    ]);
    expect((await messageOf(delivered))?.carrierMessageId).toBe(sent?.id);
  });

  it("records the provider's segment count of a long body", async () => {
    const id = await send(TO, LONG_BODY);
    expect(await until(async () => (await statusOf(id)) === 'delivered')).toBe(true);
    expect((await messageOf(id))?.segments).toBe(2);
  });

  it('fails a message the provider refuses for good', async () => {
    api.failNext(400);
    const id = await send(TO);
    expect(await until(async () => (await statusOf(id)) === 'rejected')).toBe(true);
    expect((await messageOf(id))?.errorCode).toBe('carrier_rejected');
  });

  it('refuses a receipt with a wrong signature (401) and changes nothing', async () => {
    const id = await send(TO);
    expect(await until(async () => (await statusOf(id)) === 'delivered')).toBe(true);
    const carrierId = (await messageOf(id))?.carrierMessageId ?? '';
    const before = await receiptCount();
    const { url, headers, body } = api.receiptRequest(`${base}/carriers/hj/receipts`, carrierId, 'FAILED');
    const forged = { ...headers, 'x-fake-signature': api.sign(body.replace('FAILED', 'DELIVERED')) };
    const response = await fetch(url, { method: 'POST', headers: forged, body });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      'carrier_callback_unverified',
    );
    expect(await receiptCount()).toBe(before);
    expect(await statusOf(id)).toBe('delivered');
  });

  it('never logs a number, a body or a key', () => {
    const lines = [...worker.lines, ...receipts.lines].join('\n');
    expect(worker.lines.some((l) => l.includes('carrier callback refused'))).toBe(true);
    for (const secret of [
      TO,
      TO_UNDELIVERABLE,
      FROM,
      BODY,
      '615204',
      LONG_BODY.slice(0, 30),
      API_KEY,
      SIGNING_KEY,
    ]) {
      expect(lines).not.toContain(secret);
    }
    expect(lines).not.toContain(TO.slice(1));
  });
});

async function until(check: () => Promise<boolean>, ms = 15_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}
