import { silentLogger } from '@maskline/core';
import { ApiKeyRepository } from '@maskline/storage';
import { createTestDatabase, seedTenant, TEST_PEPPER, type TestDatabase } from '@maskline/testing';
import {
  DeliveryStore,
  EndpointService,
  EndpointStore,
  type RangeRedeliverAnswer,
  RangeRedelivery,
  targetPolicy,
} from '@maskline/webhooks';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { apiKeyAuth } from '../src/auth/api-key-auth.js';
import { installErrorHandling } from '../src/http/error-handler.js';
import { webhookRoutes } from '../src/webhooks/webhook-routes.js';

interface DeliveryRow {
  event_id: string;
  state: string;
  due: boolean;
  fresh: boolean;
  finished: boolean;
}

/** POST /v1/webhooks/:id/redeliver behind the real API-key hook and error handler, real PostgreSQL. */
describe('redelivering a time range (inject, real PostgreSQL)', () => {
  let db: TestDatabase;
  let app: FastifyInstance;
  let keyA: string;
  let keyB: string;
  let endpointA: string;
  let otherEndpointA: string;
  const base = Date.now() - 3 * 86_400_000;
  const at = (hours: number) => new Date(base + hours * 3_600_000).toISOString();

  beforeAll(async () => {
    db = await createTestDatabase(inject('postgresUrl'));
    let tenantA: string;
    ({ apiKey: keyA, tenantId: tenantA } = await seedTenant(db.pool, 'A'));
    ({ apiKey: keyB } = await seedTenant(db.pool, 'B'));
    const endpoints = new EndpointService(new EndpointStore(db.pool), db.vault, targetPolicy());
    const deliveries = new DeliveryStore(db.pool);
    const create = async () =>
      (await endpoints.create(tenantA, { url: 'https://hooks.example.com/', eventTypes: ['*'] })).endpoint.id;
    endpointA = await create();
    otherEndpointA = await create();
    app = Fastify({ logger: false });
    installErrorHandling(app, silentLogger);
    await app.register(async (api) => {
      api.addHook('onRequest', apiKeyAuth(new ApiKeyRepository(db.pool, TEST_PEPPER)));
      await api.register(webhookRoutes, {
        endpoints,
        deliveries,
        rangeRedelivery: new RangeRedelivery(endpoints, deliveries),
      });
    });
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  const redeliver = (endpointId: string, body: unknown, key = keyA) =>
    app.inject({
      method: 'POST',
      url: `/v1/webhooks/${endpointId}/redeliver`,
      headers: { authorization: `Bearer ${key}` },
      payload: body as object,
    });

  /** An event recorded `hours` after base with a finished (or pending) delivery to `endpointId`. */
  async function delivery(endpointId: string, hours: number, state: 'pending' | 'delivered' | 'dead') {
    const { rows } = await db.pool.query<{ id: string }>(
      `WITH v AS (
         INSERT INTO webhook_events (tenant_id, type, data, created_at)
         SELECT tenant_id, 'session.rotated', '{}', $2 FROM webhook_endpoints WHERE id = $1 RETURNING id, tenant_id
       )
       INSERT INTO webhook_deliveries (event_id, endpoint_id, tenant_id, state, attempts, created_at,
                                       next_attempt_at, retry_from, finished_at)
       SELECT v.id, $1, v.tenant_id, $3, 5, $2, $2, $2, CASE WHEN $3 = 'pending' THEN NULL ELSE $2::timestamptz END
       FROM v RETURNING event_id AS id`,
      [endpointId, at(hours), state],
    );
    return rows[0]!.id;
  }

  async function states(eventIds: string[]): Promise<Map<string, DeliveryRow>> {
    const { rows } = await db.pool.query<DeliveryRow>(
      `SELECT event_id, state, next_attempt_at <= now() AND next_attempt_at > now() - interval '1 minute' AS due,
              retry_from > now() - interval '1 minute' AS fresh, finished_at IS NOT NULL AS finished
       FROM webhook_deliveries WHERE event_id = ANY($1)`,
      [eventIds],
    );
    return new Map(rows.map((r) => [r.event_id, r]));
  }

  it('makes the dead deliveries of the range pending and due now with a fresh retry window, nothing else', async () => {
    const dead = [await delivery(endpointA, 1, 'dead'), await delivery(endpointA, 2, 'dead')];
    const delivered = await delivery(endpointA, 3, 'delivered');
    const pending = await delivery(endpointA, 4, 'pending');
    const deadBefore = await delivery(endpointA, 0.5, 'dead');
    const deadAtTo = await delivery(endpointA, 5, 'dead');
    const deadElsewhere = await delivery(otherEndpointA, 2, 'dead');

    const answer = await redeliver(endpointA, { from: at(1), to: at(5) });
    expect(answer.statusCode).toBe(202);
    expect(answer.json()).toEqual({ scheduled: 2, truncated: false, nextCursor: null, states: ['dead'] });

    const rows = await states([...dead, delivered, pending, deadBefore, deadAtTo, deadElsewhere]);
    for (const id of dead) {
      expect(rows.get(id)).toMatchObject({ state: 'pending', due: true, fresh: true, finished: false });
    }
    expect(rows.get(delivered)).toMatchObject({ state: 'delivered', fresh: false });
    expect(rows.get(pending)).toMatchObject({ state: 'pending', fresh: false });
    expect(rows.get(deadBefore)).toMatchObject({ state: 'dead', fresh: false });
    expect(rows.get(deadAtTo)).toMatchObject({ state: 'dead', fresh: false });
    expect(rows.get(deadElsewhere)).toMatchObject({ state: 'dead', fresh: false });

    // Including delivered ones: the delivered one now, the (already pending) dead ones untouched.
    const both = await redeliver(endpointA, { from: at(1), to: at(5), states: ['delivered', 'dead'] });
    expect(both.json()).toEqual({
      scheduled: 1,
      truncated: false,
      nextCursor: null,
      states: ['dead', 'delivered'],
    });
    expect((await states([delivered])).get(delivered)).toMatchObject({ state: 'pending', fresh: true });
  });

  it('schedules at most `limit` per call and continues with nextCursor (ties on the time included)', async () => {
    const events = [];
    for (let i = 0; i < 5; i++) events.push(await delivery(endpointA, 10, 'dead'));
    const range = { from: at(9), to: at(11), limit: 2 };
    const scheduled: number[] = [];
    let cursor: string | null = null;
    for (let call = 0; call < 5; call++) {
      const body: RangeRedeliverAnswer = (await redeliver(endpointA, { ...range, cursor })).json();
      scheduled.push(body.scheduled);
      expect(body.truncated).toBe(body.nextCursor !== null);
      cursor = body.nextCursor;
      if (!cursor) break;
    }
    expect(scheduled).toEqual([2, 2, 1]);
    const rows = await states(events);
    expect([...rows.values()].every((r) => r.state === 'pending' && r.fresh)).toBe(true);
  });

  it('answers invalid_time_range, invalid_request and webhook_not_found with stable codes', async () => {
    const code = async (endpointId: string, body: unknown, key = keyA) => {
      const answer = await redeliver(endpointId, body, key);
      const json = answer.json();
      return { status: answer.statusCode, code: json.error?.code, reason: json.error?.details?.reason };
    };
    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect(await code(endpointA, { from: 'yesterday', to: at(1) })).toEqual({
      status: 400,
      code: 'invalid_time_range',
      reason: 'not_iso_8601',
    });
    expect(await code(endpointA, { from: '2026-12-01T00:00:00', to: at(1) })).toMatchObject({
      reason: 'not_iso_8601',
    });
    expect(await code(endpointA, { from: at(2), to: at(2) })).toMatchObject({ reason: 'not_after_from' });
    expect(await code(endpointA, { from: at(2), to: at(1) })).toMatchObject({ reason: 'not_after_from' });
    expect(
      await code(endpointA, { from: future, to: new Date(Date.now() + 7_200_000).toISOString() }),
    ).toMatchObject({ reason: 'in_future' });
    expect(await code(endpointA, { from: at(-24 * 32), to: at(0) })).toMatchObject({
      reason: 'span_too_long',
    });
    expect(await code(endpointA, { from: at(1), to: at(2), states: ['pending'] })).toMatchObject({
      status: 400,
      code: 'invalid_request',
    });
    expect(await code(endpointA, { from: at(1), to: at(2), limit: 10_001 })).toMatchObject({
      code: 'invalid_request',
    });
    expect(await code(endpointA, { from: at(1), to: at(2), cursor: 'bm9wZQ' })).toMatchObject({
      status: 400,
      code: 'invalid_request',
    });
    expect(await code(endpointA, { to: at(2) })).toMatchObject({ code: 'invalid_request' });
    // Another tenant's endpoint, and an id that is no uuid.
    const dead = await delivery(endpointA, 20, 'dead');
    expect(await code(endpointA, { from: at(19), to: at(21) }, keyB)).toMatchObject({
      status: 404,
      code: 'webhook_not_found',
    });
    expect((await states([dead])).get(dead)).toMatchObject({ state: 'dead' });
    expect(await code('nope', { from: at(19), to: at(21) })).toMatchObject({
      status: 404,
      code: 'webhook_not_found',
    });
  });
});
