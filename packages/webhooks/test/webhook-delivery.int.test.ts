import { MaskingEventStore } from '@maskline/masking';
import { createRedisConnection } from '@maskline/queues';
import { InboundRepository } from '@maskline/storage';
import {
  createTestDatabase,
  seedTenant,
  type TestDatabase,
  TestReceiver,
  uniqueQueuePrefix,
} from '@maskline/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { DeliveryBatch } from '../src/dispatch/delivery-batch.js';
import { WebhookDispatcher } from '../src/dispatch/webhook-dispatcher.js';
import { EndpointService } from '../src/endpoints/endpoint-service.js';
import { DeliveryStore } from '../src/store/delivery-store.js';
import { EndpointStore } from '../src/store/endpoint-store.js';
import { targetPolicy } from '../src/target-guard.js';
import { pythonVerify } from './support/python-verify.js';

/** Inbound bodies as the receipt processor provides them (InboundRepository.load). */
class InboundBodies extends InboundRepository {
  async bodyOf(id: string): Promise<string | null> {
    return (await this.load(id))?.body ?? null;
  }
}

const silent = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };

describe('webhook endpoints, events and deliveries (PostgreSQL, real receiver)', () => {
  let db: TestDatabase;
  let tenantA: string;
  let tenantB: string;
  let receiver: TestReceiver;
  let endpoints: EndpointService;
  let deliveries: DeliveryStore;
  let batch: (options?: {
    allowLoopback?: boolean;
    retryForMs?: number;
    disableAfterMs?: number;
  }) => DeliveryBatch;

  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'));
    ({ tenantId: tenantA } = await seedTenant(db.pool, 'tenant a'));
    ({ tenantId: tenantB } = await seedTenant(db.pool, 'tenant b'));
    receiver = await new TestReceiver().start();
    const policy = targetPolicy({ allowLoopback: true, allowedPorts: [receiver.port] });
    const endpointStore = new EndpointStore(db.pool);
    endpoints = new EndpointService(endpointStore, db.vault, policy);
    deliveries = new DeliveryStore(db.pool);
    batch = (options = {}) =>
      new DeliveryBatch(
        deliveries,
        endpointStore,
        db.vault,
        {
          policy: targetPolicy({
            allowLoopback: options.allowLoopback ?? true,
            allowedPorts: [receiver.port],
          }),
          retry: { baseMs: 1_000, capMs: 5_000, retryForMs: options.retryForMs ?? 60_000 },
          disableAfterMs: options.disableAfterMs ?? 3_600_000,
        },
        silent,
        new InboundBodies(db.pool, db.vault),
      );
  });
  afterAll(async () => {
    await receiver.stop();
    await db.drop();
  });
  beforeEach(() => {
    receiver.received.length = 0;
    receiver.answer([]);
  });

  const emit = (tenantId: string, type: string, payload: Record<string, unknown> = {}) =>
    new MaskingEventStore(db.pool).recordEvent(null, tenantId, null, type, payload);
  const dueNow = () =>
    db.pool.query(`UPDATE webhook_deliveries SET next_attempt_at = now() WHERE state = 'pending'`);
  const claim = () => deliveries.claimDue(100, 60_000);

  it('shows the secret once, stores it sealed, and keeps tenants apart', async () => {
    const { endpoint, secret } = await endpoints.create(tenantA, {
      url: receiver.url,
      eventTypes: ['session.*'],
    });
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(await endpoints.get(tenantA, endpoint.id))).not.toContain(secret);
    const stored = await db.pool.query('SELECT * FROM webhook_secrets WHERE endpoint_id = $1', [endpoint.id]);
    const dump = JSON.stringify(stored.rows);
    expect(dump).not.toContain(secret);
    expect(dump).not.toContain(Buffer.from(secret).toString('hex'));

    await expect(endpoints.get(tenantB, endpoint.id)).rejects.toMatchObject({ code: 'webhook_not_found' });
    expect((await endpoints.list(tenantB, { limit: 10, cursor: null })).data).toEqual([]);
    await expect(endpoints.update(tenantB, endpoint.id, { enabled: false })).rejects.toMatchObject({
      code: 'webhook_not_found',
    });
    await expect(endpoints.rotateSecret(tenantB, endpoint.id)).rejects.toMatchObject({
      code: 'webhook_not_found',
    });
    await expect(endpoints.delete(tenantB, endpoint.id)).rejects.toMatchObject({ code: 'webhook_not_found' });
    expect((await endpoints.get(tenantA, endpoint.id)).state).toBe('enabled');
    await endpoints.delete(tenantA, endpoint.id);
  });

  it('refuses bad URLs and unknown event types with stable codes', async () => {
    await expect(
      endpoints.create(tenantA, { url: 'ftp://x.example/', eventTypes: ['*'] }),
    ).rejects.toMatchObject({
      code: 'invalid_webhook_url',
    });
    await expect(
      endpoints.create(tenantA, { url: 'https://x.example:6379/', eventTypes: ['*'] }),
    ).rejects.toMatchObject({ code: 'invalid_webhook_url' });
    await expect(
      endpoints.create(tenantA, { url: receiver.url, eventTypes: ['nope.*'] }),
    ).rejects.toMatchObject({
      code: 'invalid_webhook_event_type',
    });
  });

  it('turns a subscribed masking event into a signed delivery, retried after a failure', async () => {
    const { endpoint, secret } = await endpoints.create(tenantA, {
      url: receiver.url,
      eventTypes: ['session.*'],
    });
    await emit(tenantA, 'session.rotated', { virtualNumber: '+44791****123' });
    await emit(tenantA, 'pool.low_watermark', { country: 'GB' }); // not subscribed: no event
    await emit(tenantB, 'session.rotated', {}); // tenant B has no endpoint
    const events = await db.pool.query('SELECT tenant_id, type FROM webhook_events');
    expect(events.rows).toEqual([{ tenant_id: tenantA, type: 'session.rotated' }]);

    receiver.answer([500]);
    const first = await batch().send(await claim());
    expect(first.map((r) => [r.outcome, r.statusCode, r.errorClass])).toEqual([['retry', 500, 'http_500']]);
    expect(first[0]?.nextAttemptAt?.getTime()).toBeGreaterThan(Date.now());
    expect(await claim()).toEqual([]); // not due before its backoff
    await dueNow();
    const second = await batch().send(await claim());
    expect(second.map((r) => r.outcome)).toEqual(['delivered']);

    const [a, b] = await receiver.waitFor(2);
    expect(a?.rawBody).toBe(b?.rawBody);
    const envelope = JSON.parse(b?.rawBody ?? '{}');
    expect(envelope).toMatchObject({
      type: 'session.rotated',
      tenant_id: tenantA,
      data: { virtualNumber: '+44791****123' },
    });
    expect(Object.keys(envelope).sort()).toEqual([
      'created_at',
      'data',
      'id',
      'sequence',
      'tenant_id',
      'type',
    ]);
    expect(b?.headers['maskline-event-id']).toBe(envelope.id);
    expect(pythonVerify(String(b?.headers['maskline-signature']), b?.rawBody ?? '', secret)).toBe('ok');

    const log = await deliveries.attempts(tenantA, endpoint.id, 10, null);
    expect(log.data.map((x) => [x.attempt, x.statusCode, x.errorClass])).toEqual([
      [2, 200, null],
      [1, 500, 'http_500'],
    ]);
    expect((await deliveries.attempts(tenantB, endpoint.id, 10, null)).data).toEqual([]);

    // Redeliver: the same event (same id) again.
    expect(await deliveries.redeliver(tenantB, endpoint.id, envelope.id)).toBeNull();
    expect(await deliveries.redeliver(tenantA, endpoint.id, envelope.id)).not.toBeNull();
    await batch().send(await claim());
    const [, , again] = await receiver.waitFor(3);
    expect(JSON.parse(again?.rawBody ?? '{}').id).toBe(envelope.id);
    await endpoints.delete(tenantA, endpoint.id);
  });

  it('numbers events and deliveries with time-ordered ids (UUIDv7)', async () => {
    const { endpoint } = await endpoints.create(tenantA, { url: receiver.url, eventTypes: ['session.*'] });
    for (let i = 0; i < 3; i++) {
      await emit(tenantA, 'session.rotated', {});
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const { rows } = await db.pool.query<{ event_id: string; delivery_id: string }>(
      `SELECT v.id AS event_id, d.id AS delivery_id FROM webhook_events v
       JOIN webhook_deliveries d ON d.event_id = v.id WHERE d.endpoint_id = $1 ORDER BY v.sequence`,
      [endpoint.id],
    );
    expect(rows).toHaveLength(3);
    for (const key of ['event_id', 'delivery_id'] as const) {
      const ids = rows.map((r) => r[key]);
      for (const id of ids)
        expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect([...ids].sort()).toEqual(ids);
      // The first 48 bits are the creation time in ms.
      const ms = Number.parseInt(ids[0]!.replace(/-/g, '').slice(0, 12), 16);
      expect(Math.abs(ms - Date.now())).toBeLessThan(60_000);
    }
    await batch().send(await claim());
    await endpoints.delete(tenantA, endpoint.id);
  });

  it('writes the endpoint row only when its health changes', async () => {
    const { endpoint } = await endpoints.create(tenantA, { url: receiver.url, eventTypes: ['session.*'] });
    const rowVersion = async () =>
      (
        await db.pool.query('SELECT xmin::text AS v, failing_since FROM webhook_endpoints WHERE id = $1', [
          endpoint.id,
        ])
      ).rows[0] as { v: string; failing_since: Date | null };
    const created = await rowVersion();
    await emit(tenantA, 'session.rotated', {});
    expect((await batch().send(await claim())).map((r) => r.outcome)).toEqual(['delivered']);
    expect(await rowVersion()).toEqual(created); // succeeding, as it was: not rewritten

    receiver.answer([500, 500]);
    await emit(tenantA, 'session.rotated', {});
    await batch().send(await claim());
    const failing = await rowVersion();
    expect(failing.failing_since).not.toBeNull();
    await dueNow();
    await batch().send(await claim());
    expect(await rowVersion()).toEqual(failing); // still failing since then: not rewritten
    await dueNow();
    await batch().send(await claim());
    expect((await rowVersion()).failing_since).toBeNull();
    await endpoints.delete(tenantA, endpoint.id);
  });

  it('signs with both secrets during a rotation', async () => {
    const { endpoint, secret: old } = await endpoints.create(tenantA, {
      url: receiver.url,
      eventTypes: ['*'],
    });
    const { secret: fresh } = await endpoints.rotateSecret(tenantA, endpoint.id, 60_000);
    await emit(tenantA, 'inbound.received', { inboundId: 'x' });
    await batch().send(await claim());
    const [hit] = await receiver.waitFor(1);
    const header = String(hit?.headers['maskline-signature']);
    expect(header.match(/v1=/g)).toHaveLength(2);
    expect(pythonVerify(header, hit?.rawBody ?? '', old)).toBe('ok');
    expect(pythonVerify(header, hit?.rawBody ?? '', fresh)).toBe('ok');
    await endpoints.delete(tenantA, endpoint.id);
  });

  it('ends a status callback delivery on 410 without disabling its endpoint', async () => {
    const { endpoint } = await endpoints.create(tenantA, { url: receiver.url, eventTypes: ['session.*'] });
    await emit(tenantA, 'session.rotated', {});
    // As webhook_message_status() writes a message's statusCallback delivery: the URL overridden.
    await db.pool.query(`UPDATE webhook_deliveries SET url = $2 WHERE endpoint_id = $1`, [
      endpoint.id,
      `${receiver.url}/orders/42/status`,
    ]);
    receiver.answer([410]);
    const results = await batch().send(await claim());
    expect(results.map((r) => [r.outcome, r.statusCode, r.gone])).toEqual([['dead', 410, false]]);
    expect((await receiver.waitFor(1))[0]?.path).toMatch(/\/orders\/42\/status$/);
    expect(await endpoints.get(tenantA, endpoint.id)).toMatchObject({ state: 'enabled' });
    await endpoints.delete(tenantA, endpoint.id);
  });

  it('disables an endpoint that answers 410 and records webhook.endpoint_disabled', async () => {
    const gone = await endpoints.create(tenantA, { url: receiver.url, eventTypes: ['session.*'] });
    const watcher = await endpoints.create(tenantA, {
      url: `${receiver.url}/watch`,
      eventTypes: ['webhook.*'],
    });
    receiver.answer([410]);
    await emit(tenantA, 'session.rotated', {});
    const results = await batch().send(await claim());
    expect(results.map((r) => r.outcome)).toEqual(['dead']);
    expect(await endpoints.get(tenantA, gone.endpoint.id)).toMatchObject({
      state: 'disabled',
      disabledReason: 'gone',
    });
    const notice = await db.pool.query(
      `SELECT d.endpoint_id, v.data FROM webhook_events v JOIN webhook_deliveries d ON d.event_id = v.id
       WHERE v.type = 'webhook.endpoint_disabled'`,
    );
    expect(notice.rows).toContainEqual({
      endpoint_id: watcher.endpoint.id,
      data: { endpointId: gone.endpoint.id, reason: 'gone' },
    });
    await endpoints.delete(tenantA, gone.endpoint.id);
    await endpoints.delete(tenantA, watcher.endpoint.id);
  });

  it('refuses a loopback target at delivery time and dead-letters when the retry window is over', async () => {
    const { endpoint } = await endpoints.create(tenantA, {
      url: `http://localhost:${receiver.port}/hooks`,
      eventTypes: ['session.*'],
    });
    await emit(tenantA, 'session.rotated', {});
    const refused = await batch({ allowLoopback: false, retryForMs: 0 }).send(await claim());
    expect(refused.map((r) => [r.outcome, r.errorClass])).toEqual([['dead', 'address_not_public']]);
    expect(receiver.received).toEqual([]);
    const row = await db.pool.query(
      'SELECT state, last_error FROM webhook_deliveries WHERE endpoint_id = $1',
      [endpoint.id],
    );
    expect(row.rows).toEqual([{ state: 'dead', last_error: 'address_not_public' }]);
    await endpoints.delete(tenantA, endpoint.id);
  });

  it('disables an endpoint failing for longer than the configured period', async () => {
    const { endpoint } = await endpoints.create(tenantA, { url: receiver.url, eventTypes: ['session.*'] });
    receiver.answer([], 503);
    await emit(tenantA, 'session.rotated', {});
    await batch({ disableAfterMs: 50 }).send(await claim());
    const failing = await endpoints.get(tenantA, endpoint.id);
    expect(failing).toMatchObject({ state: 'enabled' });
    expect(failing.failingSince).not.toBeNull();
    await new Promise((r) => setTimeout(r, 100));
    await dueNow();
    await batch({ disableAfterMs: 50 }).send(await claim());
    expect(await endpoints.get(tenantA, endpoint.id)).toMatchObject({
      state: 'disabled',
      disabledReason: 'failing',
    });
    // Re-enabling clears the reason and the failure clock.
    const enabled = await endpoints.update(tenantA, endpoint.id, { enabled: true });
    expect(enabled).toMatchObject({ state: 'enabled', disabledReason: null, failingSince: null });
    await endpoints.delete(tenantA, endpoint.id);
  });

  it('claims a due delivery once per lease, so a job lost with its process is claimed again', async () => {
    const { endpoint } = await endpoints.create(tenantA, { url: receiver.url, eventTypes: ['session.*'] });
    await emit(tenantA, 'session.rotated', {});
    const first = await deliveries.claimDue(100, 300);
    expect(first).toHaveLength(1);
    expect(await deliveries.claimDue(100, 300)).toEqual([]); // its job is (supposedly) queued
    await new Promise((r) => setTimeout(r, 400)); // the job never ran: the lease lapses
    expect(await deliveries.claimDue(100, 300)).toEqual(first);
    await endpoints.delete(tenantA, endpoint.id);
  });

  it('fails only the deliveries whose secret cannot be opened, not the rest of the batch', async () => {
    const good = await endpoints.create(tenantA, { url: receiver.url, eventTypes: ['session.*'] });
    const broken = await endpoints.create(tenantA, { url: `${receiver.url}/b`, eventTypes: ['session.*'] });
    await db.pool.query(
      // Flip one byte of the ciphertext: opening fails its integrity check.
      `UPDATE webhook_secrets SET secret_sealed = set_byte(secret_sealed, 20, (get_byte(secret_sealed, 20) + 1) % 256)
       WHERE endpoint_id = $1`,
      [broken.endpoint.id],
    );
    await emit(tenantA, 'session.rotated', {});
    const results = await batch().send(await claim());
    const byEndpoint = new Map(results.map((r) => [r.endpointId, [r.outcome, r.errorClass]]));
    expect(byEndpoint.get(good.endpoint.id)).toEqual(['delivered', null]);
    expect(byEndpoint.get(broken.endpoint.id)).toEqual(['retry', 'no_signing_secret']);
    await endpoints.delete(tenantA, good.endpoint.id);
    await endpoints.delete(tenantA, broken.endpoint.id);
  });

  it('adds an inbound body only for endpoints that asked for it', async () => {
    const withBody = await endpoints.create(tenantA, {
      url: `${receiver.url}/with`,
      eventTypes: ['inbound.*'],
      includeInboundBody: true,
    });
    const without = await endpoints.create(tenantA, {
      url: `${receiver.url}/without`,
      eventTypes: ['inbound.*'],
    });
    const inboundId = await new InboundRepository(db.pool, db.vault).insert('sim', {
      type: 'inbound',
      from: '+447700900555',
      to: '+447911200001',
      body: 'meet at 6',
      receivedAt: new Date().toISOString(),
    });
    await new MaskingEventStore(db.pool).recordInboundEvent(tenantA, null, 'inbound.received', {
      inboundId,
      fromMasked: '+44770****555',
    });
    await batch().send(await claim());
    const hits = await receiver.waitFor(2);
    const dataAt = (path: string) => JSON.parse(hits.find((h) => h.path === path)?.rawBody ?? '{}').data;
    expect(dataAt('/hooks/with')).toMatchObject({ inboundId, body: 'meet at 6' });
    expect(dataAt('/hooks/without')).toMatchObject({ inboundId });
    expect(dataAt('/hooks/without')).not.toHaveProperty('body');
    for (const hit of hits) expect(hit.rawBody).not.toContain('447700900555');
    await endpoints.delete(tenantA, withBody.endpoint.id);
    await endpoints.delete(tenantA, without.endpoint.id);
  });

  it("adds a verification session's code and brand, read from the body at send time, body only if asked", async () => {
    const without = await endpoints.create(tenantA, {
      url: `${receiver.url}/code`,
      eventTypes: ['inbound.*'],
    });
    const inbound = new InboundRepository(db.pool, db.vault);
    const inboundId = await inbound.insert('sim', {
      type: 'inbound',
      from: '+447700900556',
      to: '+447911200002',
      body: '【京东】您的验证码5026,该验证码5分钟内有效,请勿泄漏于他人!',
      receivedAt: new Date().toISOString(),
    });
    const noCodeId = await inbound.insert('sim', {
      type: 'inbound',
      from: '+447700900557',
      to: '+447911200002',
      body: 'see you at 6',
      receivedAt: new Date().toISOString(),
    });
    const events = new MaskingEventStore(db.pool);
    for (const id of [inboundId, noCodeId]) {
      await events.recordInboundEvent(tenantA, null, 'inbound.received', {
        inboundId: id,
        fromMasked: '+44770****556',
        codeExtraction: true,
      });
    }
    const stored = await db.pool.query('SELECT payload::text AS p FROM masking_events WHERE tenant_id = $1', [
      tenantA,
    ]);
    for (const row of stored.rows) expect(row.p).not.toContain('5026');
    await batch().send(await claim());
    const hits = await receiver.waitFor(2);
    const data = hits.map((h) => JSON.parse(h.rawBody).data);
    expect(data.find((d) => d.inboundId === inboundId)).toMatchObject({
      verification: { code: '5026', brand: '京东' },
    });
    expect(data.find((d) => d.inboundId === noCodeId)).toMatchObject({ verification: null });
    for (const d of data) expect(d).not.toHaveProperty('body');
    await endpoints.delete(tenantA, without.endpoint.id);
  });

  it('the dispatcher sweeps due deliveries into jobs of ids and delivers them', async () => {
    const { secret } = await endpoints.create(tenantA, { url: receiver.url, eventTypes: ['pool.*'] });
    const producer = createRedisConnection(inject('redisUrl'), 'producer');
    const worker = createRedisConnection(inject('redisUrl'), 'worker');
    const dispatcher = new WebhookDispatcher(
      deliveries,
      batch(),
      {
        producer,
        worker,
        prefix: uniqueQueuePrefix(),
        concurrency: 2,
        batchSize: 2,
        sweepIntervalMs: 200,
        leaseMs: 30_000,
      },
      silent,
    );
    dispatcher.start();
    try {
      for (let i = 0; i < 3; i += 1) await emit(tenantA, 'pool.low_watermark', { country: 'GB', n: i });
      const hits = await receiver.waitFor(3);
      for (const hit of hits) {
        expect(pythonVerify(String(hit.headers['maskline-signature']), hit.rawBody, secret)).toBe('ok');
      }
      const jobs = await dispatcher.queue.getJobs(['completed', 'active', 'waiting']);
      for (const job of jobs) expect(Object.keys(job.data)).toEqual(['deliveryIds']);
      expect(jobs.flatMap((j) => j.data.deliveryIds)).toHaveLength(3);
    } finally {
      await dispatcher.stop();
      producer.disconnect();
      worker.disconnect();
    }
  });
});
