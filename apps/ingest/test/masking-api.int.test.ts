import { maskPhoneNumber, systemClock } from '@maskline/core';
import { MaskingEventStore, MaskingService, MaskingStore } from '@maskline/masking';
import { createRedisConnection, DeliveryQueues } from '@maskline/queues';
import { ApiKeyRepository, InboundRepository, MessageRepository } from '@maskline/storage';
import {
  createTestDatabase,
  seedTenant,
  TEST_PEPPER,
  type TestDatabase,
  uniqueQueuePrefix,
} from '@maskline/testing';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { apiKeyAuth } from '../src/auth/api-key-auth.js';
import { RequestActorAudit } from '../src/auth/request-actor.js';
import { requireRouteScopes } from '../src/auth/route-scopes.js';
import { installErrorHandling } from '../src/http/error-handler.js';
import { RequestDigests } from '../src/idempotency/request-digests.js';
import { InboundCodes } from '../src/masking/inbound-codes.js';
import { maskingRoutes } from '../src/masking/masking-routes.js';
import { SessionMessages } from '../src/masking/session-messages.js';

const virtual = (i: number) => `+4479112${String(100000 + i).slice(1)}`;
const real = (i: number) => `+4479123${String(100000 + i).slice(1)}`;

/** The masking routes behind the real API-key hook and error handler, on a real database. */
describe('masking API (inject, real PostgreSQL)', () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  let keyA: string;
  let keyB: string;
  let tenantA: string;
  let redis: Redis;
  let queues: DeliveryQueues;
  let messages: MessageRepository;
  const scheduled: string[] = [];
  const lines: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'));
    ({ apiKey: keyA, tenantId: tenantA } = await seedTenant(db.pool, 'A'));
    ({ apiKey: keyB } = await seedTenant(db.pool, 'B'));
    const log = (fields: object, message: string) => void lines.push(`${message} ${JSON.stringify(fields)}`);
    const logger = { debug: log, info: log, warn: log, error: log, child: () => logger };
    const masking = new MaskingService(
      new MaskingStore(db.pool),
      db.vault,
      { schedule: async (job) => void scheduled.push(job.sessionId) },
      logger,
      systemClock,
      { quarantineMs: 86_400_000, lowWatermark: 2 },
      // As masking-container.ts wires it: changes are recorded as the acting API key.
      new RequestActorAudit(db.vault),
    );
    redis = createRedisConnection(inject('redisUrl'), 'producer');
    queues = new DeliveryQueues({ connection: redis, prefix: uniqueQueuePrefix() });
    messages = new MessageRepository(db.pool, db.vault);
    app = Fastify({ logger: false });
    installErrorHandling(app, logger);
    app.removeContentTypeParser('text/plain');
    await app.register(async (api) => {
      api.addHook('onRequest', apiKeyAuth(new ApiKeyRepository(db.pool, TEST_PEPPER)));
      requireRouteScopes(api);
      await api.register(maskingRoutes, {
        masking,
        sessionMessages: new SessionMessages(
          masking,
          messages,
          queues,
          logger,
          new RequestDigests(Buffer.from('masking-test-idempotency-secret')),
        ),
        maxBodyChars: 1530,
        inboundCodes: new InboundCodes(
          new MaskingEventStore(db.pool),
          new InboundRepository(db.pool, db.vault),
        ),
      });
    });
  });
  afterAll(async () => {
    await app.close();
    await queues.close();
    redis.disconnect();
    await db.drop();
  });

  const call = (key: string, method: 'GET' | 'POST', url: string, payload?: unknown, headers = {}) =>
    app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${key}`, ...headers },
      ...(payload === undefined
        ? {}
        : typeof payload === 'string'
          ? { payload }
          : { payload: payload as object }),
    });

  it('imports numbers from JSON and CSV with a per-row error report, and shows stats', async () => {
    const json = await call(keyA, 'POST', '/v1/masking/numbers/import', {
      carrier: 'sim',
      numbers: [
        { number: virtual(1), country: 'GB' },
        { number: 'nope', country: 'GB' },
        { number: virtual(2), country: 'GB', capabilities: ['sms-mt', 'sms-mo'], region: 'London' },
      ],
    });
    expect(json.statusCode).toBe(200);
    expect(json.json()).toMatchObject({
      carrier: 'sim',
      received: 3,
      imported: 2,
      errors: [{ row: 2, field: 'number', code: 'invalid_phone_number' }],
    });
    const csv = await call(
      keyA,
      'POST',
      '/v1/masking/numbers/import?carrier=sim',
      `number,country,capabilities\n${virtual(3)},GB,sms-mt;sms-mo\n${virtual(1)},GB,sms-mo\n${virtual(4)},ZZZ,\n`,
      { 'content-type': 'text/csv' },
    );
    expect(csv.statusCode).toBe(200);
    expect(csv.json()).toMatchObject({
      imported: 1,
      errors: [
        { row: 2, field: 'number', code: 'virtual_number_exists' },
        { row: 3, field: 'country', code: 'invalid_request' },
      ],
    });
    const bad = await call(
      keyA,
      'POST',
      '/v1/masking/numbers/import?carrier=sim',
      'number,country\n+1,GB,x\n',
      {
        'content-type': 'text/csv',
      },
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('invalid_request');
    const noCarrier = await call(keyA, 'POST', '/v1/masking/numbers/import', 'number,country\n', {
      'content-type': 'text/csv',
    });
    expect(noCarrier.json().error).toMatchObject({ code: 'invalid_request', details: { field: 'carrier' } });
    const stats = await call(keyA, 'GET', '/v1/masking/numbers/stats');
    expect(stats.json()).toEqual({ data: [{ country: 'GB', carrier: 'sim', state: 'available', count: 3 }] });
    expect((await call(keyB, 'GET', '/v1/masking/numbers/stats')).json()).toEqual({ data: [] });
  });

  it('runs the session lifecycle over HTTP: reserve (idempotent), map, get, list, rotate, release', async () => {
    const reserve = await call(
      keyA,
      'POST',
      '/v1/masking/sessions',
      { mode: 'pair', ttlSeconds: 300 },
      {
        'idempotency-key': 'r-1',
      },
    );
    expect(reserve.statusCode).toBe(201);
    const session = reserve.json();
    expect(reserve.headers.location).toBe(`/v1/masking/sessions/${session.id}`);
    expect(scheduled).toContain(session.id);
    const again = await call(
      keyA,
      'POST',
      '/v1/masking/sessions',
      { mode: 'pair', ttlSeconds: 300 },
      {
        'idempotency-key': 'r-1',
      },
    );
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(session.id);
    const conflict = await call(
      keyA,
      'POST',
      '/v1/masking/sessions',
      { mode: 'inbox' },
      { 'idempotency-key': 'r-1' },
    );
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json().error.code).toBe('idempotency_conflict');

    const badNumber = await call(keyA, 'POST', `/v1/masking/sessions/${session.id}/participants`, {
      participants: ['0791 230 0001'],
    });
    expect(badNumber.statusCode).toBe(400);
    expect(badNumber.json().error).toMatchObject({
      code: 'invalid_phone_number',
      details: { field: 'participants[0]' },
    });
    expect(badNumber.body).not.toContain('0791');

    const mapped = await call(keyA, 'POST', `/v1/masking/sessions/${session.id}/participants`, {
      participants: [real(1), real(2)],
    });
    expect(mapped.statusCode).toBe(200);
    expect(mapped.json().participants.map((p: { number: string }) => p.number)).toEqual([
      '+4479****0001',
      '+4479****0002',
    ]);
    const got = await call(keyA, 'GET', `/v1/masking/sessions/${session.id}`);
    expect(got.json()).toMatchObject({ id: session.id, state: 'active', mode: 'pair' });
    const list = await call(keyA, 'GET', '/v1/masking/sessions?limit=10');
    expect(list.json().data.map((s: { id: string }) => s.id)).toEqual([session.id]);
    for (const body of [mapped.body, got.body, list.body]) expect(body).not.toMatch(/4479123000\d\d/);

    const rotated = await call(keyA, 'POST', `/v1/masking/sessions/${session.id}/rotate`);
    expect(rotated.statusCode).toBe(200);
    expect(rotated.json().virtualNumber).not.toBe(session.virtualNumber);
    const events = await call(keyA, 'GET', '/v1/masking/events?type=session.rotated');
    expect(events.json().data).toHaveLength(1);
    // Two of three numbers are taken now (one reserved, one quarantined): below the watermark of 2.
    const low = await call(keyA, 'GET', '/v1/masking/events?type=pool.low_watermark');
    expect(low.json().data[0].payload).toMatchObject({ country: 'GB', carrier: 'sim', threshold: 2 });

    const released = await call(keyA, 'POST', `/v1/masking/sessions/${session.id}/release`);
    expect(released.json().state).toBe('released');
    const twice = await call(keyA, 'POST', `/v1/masking/sessions/${session.id}/release`);
    expect(twice.statusCode).toBe(409);
    expect(twice.json().error.code).toBe('masking_session_closed');
    expect(lines.join('\n')).not.toMatch(/4479123/);
  });

  it('audits allocations, mapping changes, rotations, releases and imports, without real numbers', async () => {
    const entries = await db.vault.audit.list({});
    const actions = new Set(entries.map((e) => e.action));
    for (const action of [
      'numbers.imported',
      'number.allocated',
      'session.mapped',
      'number.rotated',
      'session.released',
    ]) {
      expect(actions).toContain(action);
    }
    expect(entries.find((e) => e.action === 'number.allocated')?.subject).toMatch(/^session:/);
    // Recorded as the API key that made the change, not as the process.
    const keyIds = (await db.pool.query('SELECT id FROM api_keys')).rows.map((r) => `api_key:${r.id}`);
    const changes = entries.filter((e) => e.action === 'number.allocated' || e.action === 'numbers.imported');
    expect(changes.length).toBeGreaterThan(0);
    for (const entry of changes) expect(keyIds).toContain(entry.actor);
    const text = JSON.stringify(entries);
    for (let i = 0; i < 20; i++) expect(text).not.toContain(real(i).slice(1));
    expect((await db.vault.audit.verify()).ok).toBe(true);
  });

  it('rejects malformed requests with stable codes and exhausts the pool with pool_exhausted', async () => {
    const unknown = await call(keyA, 'POST', '/v1/masking/sessions', { mode: 'pair', colour: 'red' });
    expect(unknown.json().error).toMatchObject({ code: 'invalid_request', details: { field: 'colour' } });
    const ttl = await call(keyA, 'POST', '/v1/masking/sessions', { ttlSeconds: 5 });
    expect(ttl.json().error).toMatchObject({ code: 'invalid_request', details: { field: 'ttlSeconds' } });
    const tooMany = await call(keyA, 'POST', '/v1/masking/sessions', {
      mode: 'inbox',
      participants: [real(5), real(6)],
    });
    expect(tooMany.json().error.code).toBe('masking_participants_invalid');
    const none = await call(keyA, 'POST', '/v1/masking/sessions', { country: 'FR' });
    expect(none.statusCode).toBe(503);
    expect(none.json().error.code).toBe('pool_exhausted');
    const notFound = await call(keyA, 'GET', '/v1/masking/sessions/not-a-uuid');
    expect(notFound.json().error.code).toBe('masking_session_not_found');
    const unauth = await app.inject({ method: 'GET', url: '/v1/masking/sessions' });
    expect(unauth.statusCode).toBe(401);
  });

  it('keeps tenants apart over HTTP', async () => {
    const { id, virtualNumber } = (
      await call(keyA, 'POST', '/v1/masking/sessions', { mode: 'inbox' })
    ).json();
    for (const [method, url, body] of [
      ['GET', `/v1/masking/sessions/${id}`],
      ['POST', `/v1/masking/sessions/${id}/participants`, { participants: [real(9)] }],
      ['POST', `/v1/masking/sessions/${id}/release`],
      ['POST', `/v1/masking/sessions/${id}/rotate`],
    ] as const) {
      const res = await call(keyB, method, url, body);
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('masking_session_not_found');
    }
    expect((await call(keyB, 'GET', '/v1/masking/sessions')).json().data).toEqual([]);
    const numberId = (await db.pool.query('SELECT id FROM virtual_numbers WHERE e164 = $1', [virtualNumber]))
      .rows[0].id;
    expect((await call(keyB, 'GET', `/v1/masking/numbers/${numberId}`)).json().error.code).toBe(
      'virtual_number_not_found',
    );
    expect((await call(keyB, 'POST', `/v1/masking/numbers/${numberId}/retire`)).json().error.code).toBe(
      'virtual_number_not_found',
    );
    expect((await call(keyA, 'POST', `/v1/masking/numbers/${numberId}/retire`)).json().error.code).toBe(
      'virtual_number_in_use',
    );
    await call(keyA, 'POST', `/v1/masking/sessions/${id}/release`);
    const retired = await call(keyA, 'POST', `/v1/masking/numbers/${numberId}/retire`);
    expect(retired.json()).toMatchObject({ id: numberId, state: 'retired' });
  });

  it('sends from the session number to a participant named by id (verification OTP), ids-only job', async () => {
    await call(keyA, 'POST', '/v1/masking/numbers/import', {
      carrier: 'sim',
      numbers: [{ number: virtual(20), country: 'GB' }],
    });
    const session = (
      await call(keyA, 'POST', '/v1/masking/sessions', { mode: 'verification', participants: [real(20)] })
    ).json();
    const sent = await call(
      keyA,
      'POST',
      `/v1/masking/sessions/${session.id}/messages`,
      { body: 'Your code is 482913' },
      {
        'idempotency-key': 'otp-1',
      },
    );
    expect(sent.statusCode).toBe(202);
    expect(sent.json()).toMatchObject({
      status: 'queued',
      to: '+4479****0020',
      from: maskPhoneNumber(session.virtualNumber),
    });
    expect(sent.json().from).not.toBe(session.virtualNumber);
    const id = sent.json().id as string;
    const [record] = await messages.loadManyForDelivery([id]);
    expect(record?.content).toEqual({
      to: real(20),
      from: session.virtualNumber,
      body: 'Your code is 482913',
    });
    const job = await queues.queueFor('sim').getJob(id);
    expect((await db.pool.query('SELECT status FROM messages WHERE id = $1', [id])).rows[0].status).toBe(
      'queued',
    );
    expect(job?.data).toEqual({ messageId: id, tenantId: expect.any(String) });
    const again = await call(
      keyA,
      'POST',
      `/v1/masking/sessions/${session.id}/messages`,
      { body: 'Your code is 482913' },
      {
        'idempotency-key': 'otp-1',
      },
    );
    expect([again.statusCode, again.json().id]).toEqual([200, id]);
    expect(again.json().from).toBe(maskPhoneNumber(session.virtualNumber));
    for (const body of [sent.body, again.body]) {
      expect(body).not.toContain(real(20).slice(1));
      expect(body).not.toContain(session.virtualNumber.slice(1));
      expect(body).not.toContain('482913');
    }
    const wrong = await call(keyA, 'POST', `/v1/masking/sessions/${session.id}/messages`, {
      to: '0190a5b2-1c3d-7e4f-8a9b-0c1d2e3f4a5b',
      body: 'x',
    });
    expect(wrong.json().error.code).toBe('masking_participants_invalid');
    const otherTenant = await call(keyB, 'POST', `/v1/masking/sessions/${session.id}/messages`, {
      body: 'x',
    });
    expect(otherTenant.json().error.code).toBe('masking_session_not_found');
    await call(keyA, 'POST', `/v1/masking/sessions/${session.id}/release`);
    const closed = await call(keyA, 'POST', `/v1/masking/sessions/${session.id}/messages`, { body: 'x' });
    expect(closed.json().error.code).toBe('masking_session_closed');
  });

  it("reads a verification session's inbound code for its tenant only; other inbound is not found", async () => {
    const inbound = new InboundRepository(db.pool, db.vault);
    const events = new MaskingEventStore(db.pool);
    const received = (body: string) =>
      inbound.insert('sim', {
        type: 'inbound',
        from: real(90),
        to: virtual(90),
        body,
        receivedAt: new Date().toISOString(),
      });
    const otp = await received('G-482913 is your Google verification code.');
    const plain = await received('running late, 10 minutes');
    await events.recordInboundEvent(tenantA, null, 'inbound.received', {
      inboundId: otp,
      codeExtraction: true,
    });
    await events.recordInboundEvent(tenantA, null, 'inbound.received', { inboundId: plain });
    const ok = await call(keyA, 'GET', `/v1/masking/inbound/${otp}/code`);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ inboundId: otp, sessionId: null, code: '482913', brand: 'Google' });
    for (const [key, id] of [
      [keyB, otp],
      [keyA, plain],
      [keyA, 'not-a-uuid'],
    ] as const) {
      const res = await call(key, 'GET', `/v1/masking/inbound/${id}/code`);
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('inbound_message_not_found');
    }
    for (const line of lines) expect(line).not.toContain('482913');
  });
});
