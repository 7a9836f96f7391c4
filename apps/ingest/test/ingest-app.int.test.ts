import type { DeliveryQueues } from '@maskline/queues';
import { MessageRepository } from '@maskline/storage';
import { seedTenant, type TestDatabase } from '@maskline/testing';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('ingest app (inject, real Redis and PostgreSQL)', () => {
  let host: TestApp;
  let db: TestDatabase;
  let app: FastifyInstance;
  let queues: DeliveryQueues;
  let apiKey: string;

  beforeAll(async () => {
    host = await startTestApp({ rateLimitPerMinute: 5 });
    ({ db, app, queues, apiKey } = host);
  });
  afterAll(async () => {
    await host.close();
  });

  const auth = () => ({ authorization: `Bearer ${apiKey}` });

  it('accepts a message queued in its insert and enqueues a job carrying only ids', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: auth(),
      payload: { to: '+447911123456', from: 'Maskline', body: 'top secret body' },
    });
    expect(res.statusCode).toBe(202);
    expect(res.json().status).toBe('queued');
    const id = res.json().id as string;
    // Its window's job, named on the row, carries the ids of that window only.
    await host.flushJobs();
    const batch = await db.pool.query('SELECT delivery_job_id FROM messages WHERE id = $1', [id]);
    const batchId = batch.rows[0].delivery_job_id as string;
    expect(batchId).not.toBe(id);
    const job = await queues.queueFor('sim').getJob(batchId);
    expect(job?.name).toBe('deliver-batch');
    expect(job?.data).toEqual({ messageIds: [id] });
    expect(await queues.queueFor('sim').getJob(id)).toBeUndefined();
    expect(JSON.stringify(job?.data)).not.toContain('447911123456');
    // One statement per message: the insert wrote `queued`; no UPDATE followed it.
    const { rows } = await db.pool.query(
      'SELECT status, queued_at = created_at AS in_insert, updated_at = created_at AS untouched FROM messages WHERE id = $1',
      [id],
    );
    expect(rows[0]).toEqual({ status: 'queued', in_insert: true, untouched: true });
  });

  it('answers every failure with a stable code and no internals', async () => {
    const cases = [
      { req: { method: 'POST', url: '/v1/messages' }, status: 401, code: 'unauthorized' },
      {
        req: { method: 'POST', url: '/v1/messages', headers: { authorization: 'Bearer ml_live_nope' } },
        status: 401,
        code: 'unauthorized',
      },
      {
        req: {
          method: 'POST',
          url: '/v1/messages',
          headers: { ...auth(), 'content-type': 'text/plain' },
          payload: 'x',
        },
        status: 415,
        code: 'unsupported_media_type',
      },
      {
        req: {
          method: 'POST',
          url: '/v1/messages',
          headers: { ...auth(), 'content-type': 'application/json' },
          payload: '{"to":',
        },
        status: 400,
        code: 'invalid_request',
      },
      {
        req: {
          method: 'POST',
          url: '/v1/messages',
          headers: { ...auth(), 'content-type': 'application/json' },
          payload: JSON.stringify({ to: '+447911123456', from: 'x', body: 'y'.repeat(70_000) }),
        },
        status: 413,
        code: 'payload_too_large',
      },
      {
        req: { method: 'GET', url: '/v1/messages/not-a-uuid', headers: auth() },
        status: 404,
        code: 'message_not_found',
      },
      { req: { method: 'GET', url: '/nowhere' }, status: 404, code: 'not_found' },
    ] as const;
    for (const { req, status, code } of cases) {
      const res = await app.inject(req as never);
      expect(res.statusCode, `${req.method} ${req.url}`).toBe(status);
      expect(res.json()).toMatchObject({ error: { code } });
      expect(res.body).not.toMatch(/at .*\.(ts|js):\d+|stack/i);
    }
  });

  it('says a number E.164 in shape but outside the numbering plan is not dialable', async () => {
    const tenant = await seedTenant(db.pool, 'dialable');
    const auth = () => ({ authorization: `Bearer ${tenant.apiKey}` });
    const res = await app.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: auth(),
      payload: { to: '+447700900123', from: 'Maskline', body: 'hello' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: {
        code: 'invalid_phone_number',
        message: "to is not a dialable number: its country's numbering plan has no such number.",
        details: { field: 'to', reason: 'not_dialable' },
      },
    });
    expect(res.body).not.toContain('7700900123');
    const shape = await app.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: auth(),
      payload: { to: '07700 900123', from: 'Maskline', body: 'hello' },
    });
    expect(shape.json().error).toMatchObject({
      code: 'invalid_phone_number',
      message: 'to is not a valid E.164 phone number.',
    });
  });

  it('answers the number of parts the carrier will be sent: 766 emoji are 24 segments', async () => {
    const tenant = await seedTenant(db.pool, 'segments');
    const auth = () => ({ authorization: `Bearer ${tenant.apiKey}` });
    const res = await app.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: auth(),
      payload: { to: '+447911123456', from: 'Maskline', body: '😀'.repeat(766) },
    });
    expect(res.statusCode).toBe(202);
    expect(res.json().segments).toBe(24);
    const row = await db.pool.query('SELECT segments FROM messages WHERE id = $1', [res.json().id]);
    expect(row.rows[0].segments).toBe(24);
  });

  it('hides other tenants messages', async () => {
    const other = await seedTenant(db.pool, 'other');
    const created = await app.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: { authorization: `Bearer ${other.apiKey}` },
      payload: { to: '+447911123457', from: 'Other', body: 'theirs' },
    });
    const res = await app.inject({
      method: 'GET',
      url: `/v1/messages/${created.json().id}`,
      headers: auth(),
    });
    expect(res.statusCode).toBe(404);
  });

  it("shows the carrier's last answer beside the error code", async () => {
    const tenant = await seedTenant(db.pool, 'answers');
    const created = await app.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: { authorization: `Bearer ${tenant.apiKey}` },
      payload: { to: '+447911123458', from: 'Maskline', body: 'hello' },
    });
    const id = created.json().id as string;
    expect(created.json()).toMatchObject({ carrierStatus: null });
    await new MessageRepository(db.pool, db.vault).markFinal(id, 'failed', 'retries_exhausted', {
      code: '0x00000045',
      name: 'ESME_RSUBMITFAIL',
    });
    const res = await app.inject({
      method: 'GET',
      url: `/v1/messages/${id}`,
      headers: { authorization: `Bearer ${tenant.apiKey}` },
    });
    expect(res.json()).toMatchObject({
      status: 'failed',
      errorCode: 'retries_exhausted',
      carrierStatus: { code: '0x00000045', name: 'ESME_RSUBMITFAIL' },
    });
  });

  it('reports readiness', async () => {
    const res = await app.inject({ method: 'GET', url: '/ready' });
    expect(res.json()).toEqual({ status: 'ready', checks: { postgres: 'ok' } });
  });

  it('limits requests per API key across processes, with Retry-After', async () => {
    const { apiKey: limited } = await seedTenant(db.pool, 'limited');
    const statuses: number[] = [];
    let last: Awaited<ReturnType<FastifyInstance['inject']>> | undefined;
    for (let i = 0; i < 7; i++) {
      last = await app.inject({
        method: 'GET',
        url: '/v1/messages/00000000-0000-7000-8000-000000000000',
        headers: { authorization: `Bearer ${limited}` },
      });
      statuses.push(last.statusCode);
    }
    expect(statuses.slice(0, 5)).toEqual([404, 404, 404, 404, 404]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    expect(last?.json()).toMatchObject({ error: { code: 'rate_limited' } });
    expect(Number(last?.headers['retry-after'])).toBeGreaterThan(0);
  });
});
